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
  const [B, T, C] = hidden.shape;
  const flat = hidden.reshape(B * T, C);
  if (pooling === 'last') {
    const rows = new Int32Array(B);
    lengths.forEach((len, b) => { rows[b] = b * T + len - 1; });
    return F.embedding(flat, F.toDevice(new Tensor(rows, [B]), hidden.dev));
  }
  const w = hidden.dtype === 'float64' ? new Float64Array(B * B * T) : new Float32Array(B * B * T);
  lengths.forEach((len, b) => { for (let t = 0; t < len; t++) w[b * B * T + b * T + t] = 1 / len; });
  return F.matmul(F.toDevice(new Tensor(w, [B, B * T]), hidden.dev), flat);
}
