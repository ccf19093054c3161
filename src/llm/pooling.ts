// Sequence pooling over padded batches: the last real token's hidden state, or the mean over real tokens.

import { Tensor } from '../tensor/tensor.js';
import * as F from '../ops/index.js';

export type Pooling = 'last' | 'mean';

/** Token ids of several texts padded to one (B, T) batch, with each text's length. */
export interface PaddedBatch {
  ids: Tensor;
  lengths: number[];
}

/**
 * Pads (at the end) sequences to the longest; causal attention keeps padding from affecting real tokens.
 * @example padBatch([[1, 2, 3], [4]], 0) // ids [[1,2,3],[4,0,0]], lengths [3, 1]
 */
export function padBatch(seqs: readonly number[][], padId: number): PaddedBatch {
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const ids = new Int32Array(seqs.length * T).fill(padId);
  seqs.forEach((s, b) => ids.set(s, b * T));
  return { ids: new Tensor(ids, [seqs.length, T]), lengths: seqs.map((s) => Math.max(1, s.length)) };
}

/**
 * Pools hidden states (B, T, C) -> (B, C), differentiably: 'last' gathers row b*T + len-1,
 * 'mean' multiplies by a (B, B*T) averaging matrix.
 */
export function pool(hidden: Tensor, lengths: readonly number[], pooling: Pooling): Tensor {
  return poolGroups(hidden, lengths, lengths.map((_, b) => b), lengths.length, pooling);
}

/**
 * Pools windows (W, T, C) into groups (G, C), where window w belongs to group groups[w] and windows
 * of a group are in reading order: a text longer than the context is read as several windows and
 * pooled as one. 'mean' averages every real token of the group's windows; 'last' takes the last
 * real token of its last window.
 * @example poolGroups(h, [128, 40, 17], [0, 0, 1], 2, 'mean') // text 0 = windows 0 and 1, text 1 = window 2
 */
export function poolGroups(hidden: Tensor, lengths: readonly number[], groups: readonly number[], nGroups: number, pooling: Pooling): Tensor {
  const [W, T, C] = hidden.shape;
  if (lengths.length !== W || groups.length !== W) throw new Error(`poolGroups: ${W} windows but ${lengths.length} lengths and ${groups.length} groups`);
  const flat = hidden.reshape(W * T, C);
  if (pooling === 'last') {
    const rows = new Int32Array(nGroups).fill(-1);
    lengths.forEach((len, w) => { rows[groups[w]] = w * T + len - 1; });
    if (rows.includes(-1)) throw new Error('poolGroups: a group has no window');
    return F.embedding(flat, F.toDevice(new Tensor(rows, [nGroups]), hidden.dev));
  }
  const total = new Float64Array(nGroups);
  lengths.forEach((len, w) => { total[groups[w]] += len; });
  const weights = hidden.dtype === 'float64' ? new Float64Array(nGroups * W * T) : new Float32Array(nGroups * W * T);
  lengths.forEach((len, w) => {
    const g = groups[w];
    for (let t = 0; t < len; t++) weights[g * W * T + w * T + t] = 1 / total[g];
  });
  return F.matmul(F.toDevice(new Tensor(weights, [nGroups, W * T]), hidden.dev), flat);
}
