// Fused scaled dot-product attention softmax(q k^T * scale [+ causal mask]) v over (B, H, T, D).

import { Tensor } from '../tensor/tensor.js';
import { runKernel } from '../backends/registry.js';
import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { allocFloat, allocOutput, requireFloat, result } from './util.js';

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
    runKernel('attentionBackward', qd, kd, vd, att, g.data as FloatArray, dq, dk, dv, bh, t, d, scale, causal);
    return [new Tensor(dq, q.shape), new Tensor(dk, q.shape), new Tensor(dv, q.shape)];
  });
}

/**
 * Causal self-attention straight from the packed projection: qkv (B, T, 3C) as c_attn produces it
 * -> y (B, T, C) with heads side by side, ready for c_proj. The kernel reads each head in place with
 * strides, so no per-head tensors (or their gradients) are materialized.
 * @example packedSelfAttention(c_attn(x), nHead) // (B, T, 3C) -> (B, T, C)
 */
export function packedSelfAttention(qkv: Tensor, nHead: number): Tensor {
  if (qkv.ndim !== 3 || qkv.shape[2] % (3 * nHead) !== 0) {
    throw new ShapeError(`attention: packed qkv ${shapeStr(qkv.shape)} must be (B, T, 3 * C) with C divisible by ${nHead} heads`);
  }
  const [B, T, C3] = qkv.shape;
  const D = C3 / 3 / nHead;
  const src = requireFloat('attention', qkv);
  const out = allocOutput(qkv.dtype, B * T * nHead * D);
  const att = allocOutput(qkv.dtype, B * nHead * T * T); // zeros above the diagonal are written too
  const scale = 1 / Math.sqrt(D);
  runKernel('packedAttention', src, out, att, B, T, nHead, D, scale);
  return result(out, [B, T, C3 / 3], 'attention', [qkv], (g) => {
    const dqkv = allocOutput(qkv.dtype, qkv.size);
    runKernel('packedAttentionBackward', src, att, g.data as FloatArray, dqkv, B, T, nHead, D, scale);
    return [new Tensor(dqkv, qkv.shape)];
  });
}
