// Reference scaled dot-product attention (Vaswani et al. 2017) over (B*H, T, D), optionally causal,
// and its packed GPT form: (B, T, 3C) -> (B, T, C) through explicit head split and merge copies.

import type { FloatArray } from '../../tensor/dtype.js';

export function attention(
  q: FloatArray, k: FloatArray, v: FloatArray, out: FloatArray, att: FloatArray,
  bh: number, t: number, d: number, scale: number, causal: boolean,
): boolean {
  for (let h = 0; h < bh; h++) {
    const base = h * t * d;
    const aBase = h * t * t;
    for (let i = 0; i < t; i++) {
      const qi = base + i * d;
      const row = aBase + i * t;
      const jEnd = causal ? i + 1 : t;
      let max = -Infinity;
      for (let j = 0; j < jEnd; j++) {
        const kj = base + j * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += q[qi + c] * k[kj + c];
        s *= scale;
        att[row + j] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      for (let j = 0; j < jEnd; j++) {
        const e = Math.exp(att[row + j] - max);
        att[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j < jEnd; j++) att[row + j] *= inv;
      for (let j = jEnd; j < t; j++) att[row + j] = 0;
      const oi = base + i * d;
      for (let c = 0; c < d; c++) out[oi + c] = 0;
      for (let j = 0; j < jEnd; j++) {
        const a = att[row + j];
        const vj = base + j * d;
        for (let c = 0; c < d; c++) out[oi + c] += a * v[vj + c];
      }
    }
  }
  return true;
}

export function attentionBackward(
  q: FloatArray, k: FloatArray, v: FloatArray, att: FloatArray, dOut: FloatArray,
  dq: FloatArray, dk: FloatArray, dv: FloatArray, bh: number, t: number, d: number, scale: number,
  _causal = false,
): boolean {
  // The mask needs no flag here: masked probabilities are exactly zero and skipped below.
  dq.fill(0);
  dk.fill(0);
  dv.fill(0);
  const dAtt = new Float64Array(t);
  for (let h = 0; h < bh; h++) {
    const base = h * t * d;
    const aBase = h * t * t;
    for (let i = 0; i < t; i++) {
      const row = aBase + i * t;
      const oi = base + i * d;
      // dAtt_ij = dOut_i . v_j ; dv_j += att_ij dOut_i (zero att entries contribute nothing)
      let dot = 0;
      for (let j = 0; j < t; j++) {
        const a = att[row + j];
        if (a === 0) { dAtt[j] = 0; continue; }
        const vj = base + j * d;
        let s = 0;
        for (let c = 0; c < d; c++) {
          s += dOut[oi + c] * v[vj + c];
          dv[vj + c] += a * dOut[oi + c];
        }
        dAtt[j] = s;
        dot += a * s;
      }
      // softmax backward: dS_ij = att_ij (dAtt_ij - sum_l att_il dAtt_il), then the scaled dot product
      for (let j = 0; j < t; j++) {
        const a = att[row + j];
        if (a === 0) continue;
        const ds = a * (dAtt[j] - dot) * scale;
        const kj = base + j * d;
        for (let c = 0; c < d; c++) {
          dq[oi + c] += ds * k[kj + c];
          dk[kj + c] += ds * q[oi + c];
        }
      }
    }
  }
  return true;
}

/** Causal attention on a packed (B, T, 3C) projection -> (B, T, C): split heads, attend, merge. */
export function packedAttention(
  qkv: FloatArray, out: FloatArray, att: FloatArray, batch: number, t: number, nHead: number, headDim: number, scale: number,
): boolean {
  const [q, k, v] = splitPacked(qkv, batch, t, nHead, headDim);
  const heads = new Float64Array(q.length);
  attention(q, k, v, heads, att, batch * nHead, t, headDim, scale, true);
  moveHeads('merge', out, 0, 1, heads, batch, t, nHead, headDim);
  return true;
}

export function packedAttentionBackward(
  qkv: FloatArray, att: FloatArray, dOut: FloatArray, dqkv: FloatArray,
  batch: number, t: number, nHead: number, headDim: number, scale: number,
): boolean {
  const [q, k, v] = splitPacked(qkv, batch, t, nHead, headDim);
  const n = q.length;
  const dHeads = new Float64Array(n);
  moveHeads('split', dOut, 0, 1, dHeads, batch, t, nHead, headDim);
  const grads = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  attentionBackward(q, k, v, att, dHeads, grads[0], grads[1], grads[2], batch * nHead, t, headDim, scale, true);
  grads.forEach((g, i) => moveHeads('merge', dqkv, i * nHead * headDim, 3, g, batch, t, nHead, headDim));
  return true;
}

/** The q, k and v parts of a packed (B, T, 3C) projection as three (B*H, T, D) arrays. */
function splitPacked(qkv: FloatArray, batch: number, t: number, nHead: number, headDim: number): Float64Array[] {
  return [0, 1, 2].map((i) => {
    const heads = new Float64Array(batch * t * nHead * headDim);
    moveHeads('split', qkv, i * nHead * headDim, 3, heads, batch, t, nHead, headDim);
    return heads;
  });
}

/**
 * Copies between rows of (B, T, width * C) starting `offset` into each row, heads side by side, and
 * (B, H, T, D) heads: 'split' reads the rows, 'merge' writes them.
 */
function moveHeads(
  direction: 'split' | 'merge', rows: FloatArray, offset: number, width: number, heads: FloatArray,
  batch: number, t: number, nHead: number, headDim: number,
): void {
  const rowLen = width * nHead * headDim;
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < nHead; h++)
      for (let i = 0; i < t; i++) {
        const r = (b * t + i) * rowLen + offset + h * headDim;
        const hd = ((b * nHead + h) * t + i) * headDim;
        for (let d = 0; d < headDim; d++) {
          if (direction === 'split') heads[hd + d] = rows[r + d];
          else rows[r + d] = heads[hd + d];
        }
      }
}
