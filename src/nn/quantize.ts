// Int8 weight quantization for decoding: symmetric, one scale per output channel (LLM.int8-style
// per-row absmax, Dettmers et al. 2022, without outlier handling). Weights shrink 4x; activations stay float.

import { Tensor } from '../tensor/tensor.js';
import { type Device, type Storage, cpu } from '../tensor/device.js';
import { allocStorage, deviceBackendOf, kernelsFor } from '../backends/registry.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';

/** A (nOut, nIn) weight as int8 values and per-row scales: w ~ q * scale. */
export interface QuantizedWeight {
  /** Host copy of the int8 values (on cpu, a view of the kernel storage). */
  q: Int8Array;
  /** Host copy of the per-row scales. */
  scale: Float32Array;
  nOut: number;
  nIn: number;
  /** Where the kernels read them: `device`'s storage of q (int8) and of scale. */
  device: Device;
  qStorage: unknown;
  scaleStorage: Storage;
  /** The cpu storage q is a byte view of: holding it keeps q's memory alive. */
  storage: ArrayBufferView;
}

/**
 * Per-channel symmetric int8 quantization: scale = max|w_row| / 127, q = round(w / scale).
 * @example const qw = quantizeInt8(linear.weight)
 */
export function quantizeInt8(weight: Tensor): QuantizedWeight {
  if (weight.ndim !== 2 || weight.dtype === 'int32') throw new ShapeError(`quantizeInt8: expected a 2-D float weight, got ${weight.dtype} ${shapeStr(weight.shape)}`);
  const [nOut, nIn] = weight.shape as [number, number];
  // Quantizing is a one-time conversion on the host, from host-readable weights.
  const w = weight.dev.hostView(weight.storage);
  if (!w) throw new Error(`quantizeInt8: the weight is on '${weight.device}'; quantize on cpu, then move the model`);
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
  const device = weight.dev;
  if (device === cpu) return { q, scale, nOut, nIn, device, qStorage: q, scaleStorage: scale, storage };
  const backend = deviceBackendOf(device);
  if (!backend) throw new Error(`quantizeInt8: no int8 storage on '${device.name}'`);
  return { q, scale, nOut, nIn, device, qStorage: backend.uploadInt8(q), scaleStorage: device.upload(scale), storage };
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
  if (x.dev !== qw.device) throw new Error(`linearInt8: input on '${x.device}', weight on '${qw.device.name}'`);
  const rows = x.size / qw.nIn;
  const out = x.dev.alloc('float32', rows * qw.nOut, true);
  kernelsFor(x.dev).linearInt8(x.storage, qw.qStorage, qw.scaleStorage, bias ? bias.storage : null, out, rows, qw.nIn, qw.nOut);
  return new Tensor(out, [...x.shape.slice(0, -1), qw.nOut], {}, x.dev);
}
