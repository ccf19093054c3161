// Fused scaled dot-product attention softmax(q k^T * scale [+ causal mask]) v over (B, H, T, D).

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import { alloc, allocOutput, kernels, make, requireFloat, result, sameDevice } from './util.js';
import type { Device } from '../tensor/device.js';
import { deviceBackendOf } from '../backends/registry.js';

/** Floats kept for backward: the T x T probabilities on the cpu, less where a device recomputes them. */
function attentionState(device: Device, bh: number, t: number): number {
  return deviceBackendOf(device)?.attentionStateLength?.(bh, t) ?? bh * t * t;
}

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
  const device = sameDevice('attention', q, k, v);
  const qd = requireFloat('attention', q);
  const kd = k.storage;
  const vd = v.storage;
  const out = alloc(device, q.dtype, q.size);
  const att = alloc(device, q.dtype, attentionState(device, bh, t));
  kernels(q).attention(qd, kd, vd, out, att, bh, t, d, scale, causal);
  return result(out, q.shape, 'attention', [q, k, v], (g) => {
    const dq = alloc(device, q.dtype, q.size);
    const dk = alloc(device, q.dtype, q.size);
    const dv = alloc(device, q.dtype, q.size);
    kernels(g).attentionBackward(qd, kd, vd, att, g.storage, dq, dk, dv, bh, t, d, scale, causal);
    return [make(device, dq, q.shape), make(device, dk, q.shape), make(device, dv, q.shape)];
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
  const out = allocOutput(qkv.dev, qkv.dtype, B * T * nHead * D);
  const att = allocOutput(qkv.dev, qkv.dtype, attentionState(qkv.dev, B * nHead, T)); // zeros above the diagonal are written too
  const scale = 1 / Math.sqrt(D);
  kernels(qkv).packedAttention(src, out, att, B, T, nHead, D, scale);
  return result(out, [B, T, C3 / 3], 'attention', [qkv], (g) => {
    const dqkv = allocOutput(qkv.dev, qkv.dtype, qkv.size);
    kernels(g).packedAttentionBackward(src, att, g.storage, dqkv, B, T, nHead, D, scale);
    return [make(qkv.dev, dqkv, qkv.shape)];
  });
}
