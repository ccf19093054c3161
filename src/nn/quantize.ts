// Int8 weight quantization for decoding: symmetric, one scale per output channel (LLM.int8-style
// per-row absmax, Dettmers et al. 2022, without outlier handling). Weights shrink 4x; activations stay float.

import { Tensor } from '../tensor/tensor.js';
import { runKernel, allocStorage } from '../backends/registry.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';

/** A (nOut, nIn) weight as int8 values and per-row scales: w ~ q * scale. */
export interface QuantizedWeight {
  q: Int8Array;
  scale: Float32Array;
  nOut: number;
  nIn: number;
  /** The backend storage q is a byte view of: holding it keeps q's memory alive. */
  storage: ArrayBufferView;
}

/**
 * Per-channel symmetric int8 quantization: scale = max|w_row| / 127, q = round(w / scale).
 * @example const qw = quantizeInt8(linear.weight)
 */
export function quantizeInt8(weight: Tensor): QuantizedWeight {
  if (weight.ndim !== 2 || weight.dtype === 'int32') throw new ShapeError(`quantizeInt8: expected a 2-D float weight, got ${weight.dtype} ${shapeStr(weight.shape)}`);
  const [nOut, nIn] = weight.shape;
  const w = weight.data;
  // Int8 lives in the backend's storage (as bytes of an int32 block) so fast kernels read it in place.
  const storage = allocStorage('int32', Math.ceil((nOut * nIn) / 4));
  const q = new Int8Array(storage.buffer, storage.byteOffset, nOut * nIn);
  const scale = allocStorage('float32', nOut) as Float32Array;
  for (let j = 0; j < nOut; j++) {
    let max = 0;
    for (let i = 0; i < nIn; i++) max = Math.max(max, Math.abs(w[j * nIn + i]));
    const s = max > 0 ? max / 127 : 1;
    scale[j] = s;
    for (let i = 0; i < nIn; i++) q[j * nIn + i] = Math.round(w[j * nIn + i] / s);
  }
  return { q, scale, nOut, nIn, storage };
}

/** The float weight an int8 one stands for (to measure the quantization error). */
export function dequantize(qw: QuantizedWeight): Tensor {
  const out = new Float32Array(qw.nOut * qw.nIn);
  for (let j = 0; j < qw.nOut; j++) for (let i = 0; i < qw.nIn; i++) out[j * qw.nIn + i] = qw.q[j * qw.nIn + i] * qw.scale[j];
  return new Tensor(out, [qw.nOut, qw.nIn]);
}

/**
 * x (..., nIn) float32 -> (..., nOut) with an int8 weight (no autograd: for inference).
 * @example linearInt8(x, quantizeInt8(fc.weight), fc.bias)
 */
export function linearInt8(x: Tensor, qw: QuantizedWeight, bias: Tensor | null): Tensor {
  if (x.dtype !== 'float32' || x.shape[x.ndim - 1] !== qw.nIn) {
    throw new ShapeError(`linearInt8: input ${x.dtype} ${shapeStr(x.shape)} does not fit a (${qw.nOut}, ${qw.nIn}) weight`);
  }
  const rows = x.size / qw.nIn;
  const out = allocStorage('float32', rows * qw.nOut) as Float32Array;
  runKernel('linearInt8', x.data as Float32Array, qw.q, qw.scale, bias ? (bias.data as Float32Array) : null, out, rows, qw.nIn, qw.nOut);
  return new Tensor(out, [...x.shape.slice(0, -1), qw.nOut]);
}
