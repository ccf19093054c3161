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
