// Fused scaled dot-product attention softmax(q k^T * scale [+ causal mask]) v over (B, H, T, D).

import { Tensor } from '../tensor/tensor.js';
import { runKernel } from '../backends/registry.js';
import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { allocFloat, requireFloat, result } from './util.js';

export interface AttentionOptions {
  /** Mask future positions (decoder self-attention). Default true. */
  causal?: boolean;
  /** Score scale; default 1/sqrt(D). */
  scale?: number;
}

/**
 * Attention for q, k, v of shape (..., T, D) -> (..., T, D); the T x T probabilities are kept for backward.
 * @example scaledDotProductAttention(q, k, v, { causal: true }) // (B, nHead, T, headDim)
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  if (!sameShape(q.shape, k.shape) || !sameShape(q.shape, v.shape) || q.ndim < 2) {
    throw new ShapeError(`attention: q ${shapeStr(q.shape)}, k ${shapeStr(k.shape)}, v ${shapeStr(v.shape)} must share one shape (..., T, D)`);
  }
  const causal = options.causal ?? true;
  const t = q.shape[q.ndim - 2];
  const d = q.shape[q.ndim - 1];
  const scale = options.scale ?? 1 / Math.sqrt(d);
  const bh = t * d === 0 ? 0 : q.size / (t * d);
  const qd = requireFloat('attention', q);
  const kd = k.data as FloatArray;
  const vd = v.data as FloatArray;
  const out = allocFloat(q.dtype, q.size);
  const att = allocFloat(q.dtype, bh * t * t);
  runKernel('attention', qd, kd, vd, out, att, bh, t, d, scale, causal);
  return result(out, q.shape, 'attention', [q, k, v], (g) => {
    const dq = allocFloat(q.dtype, q.size);
    const dk = allocFloat(q.dtype, q.size);
    const dv = allocFloat(q.dtype, q.size);
    runKernel('attentionBackward', qd, kd, vd, att, g.data as FloatArray, dq, dk, dv, bh, t, d, scale);
    return [new Tensor(dq, q.shape), new Tensor(dk, q.shape), new Tensor(dv, q.shape)];
  });
}

/**
 * Causal self-attention straight from the packed projection: qkv (B, T, 3C) as c_attn produces it
 * -> y (B, T, C) with heads side by side, ready for c_proj. Splitting and merging heads happen in
 * the copies the kernel needs anyway, so no permuted tensors (or their gradients) are materialized.
 * @example packedSelfAttention(c_attn(x), nHead) // (B, T, 3C) -> (B, T, C)
 */
export function packedSelfAttention(qkv: Tensor, nHead: number): Tensor {
  if (qkv.ndim !== 3 || qkv.shape[2] % (3 * nHead) !== 0) {
    throw new ShapeError(`attention: packed qkv ${shapeStr(qkv.shape)} must be (B, T, 3 * C) with C divisible by ${nHead} heads`);
  }
  const [B, T, C3] = qkv.shape;
  const C = C3 / 3;
  const H = nHead;
  const D = C / H;
  const src = requireFloat('attention', qkv);
  const n = B * T * C;
  const q = allocFloat(qkv.dtype, n);
  const k = allocFloat(qkv.dtype, n);
  const v = allocFloat(qkv.dtype, n);
  // (B, T, 3, H, D) -> three (B, H, T, D). Plain index loops: subarray views cost more than D copies.
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * C3;
      for (let h = 0; h < H; h++) {
        const dst = ((b * H + h) * T + t) * D;
        const off = row + h * D;
        for (let d = 0; d < D; d++) {
          q[dst + d] = src[off + d];
          k[dst + d] = src[off + C + d];
          v[dst + d] = src[off + 2 * C + d];
        }
      }
    }
  const heads = allocFloat(qkv.dtype, n);
  const att = allocFloat(qkv.dtype, B * H * T * T);
  const scale = 1 / Math.sqrt(D);
  runKernel('attention', q, k, v, heads, att, B * H, T, D, scale, true);
  const out = allocFloat(qkv.dtype, n);
  mergeHeads(heads, out, B, T, H, D);
  return result(out, [B, T, C], 'attention', [qkv], (g) => {
    const dHeads = allocFloat(qkv.dtype, n);
    splitHeads(g.data as FloatArray, dHeads, B, T, H, D);
    const dq = allocFloat(qkv.dtype, n);
    const dk = allocFloat(qkv.dtype, n);
    const dv = allocFloat(qkv.dtype, n);
    runKernel('attentionBackward', q, k, v, att, dHeads, dq, dk, dv, B * H, T, D, scale);
    const dqkv = allocFloat(qkv.dtype, qkv.size);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * C3;
        for (let h = 0; h < H; h++) {
          const from = ((b * H + h) * T + t) * D;
          const off = row + h * D;
          for (let d = 0; d < D; d++) {
            dqkv[off + d] = dq[from + d];
            dqkv[off + C + d] = dk[from + d];
            dqkv[off + 2 * C + d] = dv[from + d];
          }
        }
      }
    return [new Tensor(dqkv, qkv.shape)];
  });
}

/** (B, H, T, D) -> (B, T, H*D) */
function mergeHeads(src: FloatArray, dst: FloatArray, B: number, T: number, H: number, D: number): void {
  const C = H * D;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++) {
        const from = ((b * H + h) * T + t) * D;
        const to = (b * T + t) * C + h * D;
        for (let d = 0; d < D; d++) dst[to + d] = src[from + d];
      }
}

/** (B, T, H*D) -> (B, H, T, D) */
function splitHeads(src: FloatArray, dst: FloatArray, B: number, T: number, H: number, D: number): void {
  const C = H * D;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let t = 0; t < T; t++) {
        const from = (b * T + t) * C + h * D;
        const to = ((b * H + h) * T + t) * D;
        for (let d = 0; d < D; d++) dst[to + d] = src[from + d];
      }
}
