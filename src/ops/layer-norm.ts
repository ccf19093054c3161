// Layer normalization over the last axis (fused kernel; Ba, Kiros & Hinton 2016).

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import { alloc, allocOutput, kernels, make, requireFloat, result, sameDevice } from './util.js';

/**
 * (x - mean) / sqrt(var + eps) * weight + bias over the last axis; weight and bias are (C) or null.
 * @example layerNorm(x, ln.weight, ln.bias) // (B, T, C)
 */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  const xd = requireFloat('layerNorm', x);
  const cols = x.shape[x.ndim - 1];
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== cols)) {
      throw new ShapeError(`layerNorm: ${name} ${shapeStr(p.shape)} does not match the last axis of ${shapeStr(x.shape)}`);
    }
    if (p && p.dtype !== x.dtype) throw new TypeError(`layerNorm: ${name} is ${p.dtype}, input is ${x.dtype}`);
  }
  const device = sameDevice('layerNorm', x, weight, bias);
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = allocOutput(device, x.dtype, x.size);
  const mean = allocOutput(device, x.dtype, rows);
  const rstd = allocOutput(device, x.dtype, rows);
  const wd = weight ? weight.storage : null;
  const bd = bias ? bias.storage : null;
  kernels(x).layerNorm(xd, wd, bd, out, mean, rstd, rows, cols, eps);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return result(out, x.shape, 'layerNorm', inputs, (g) => {
    const dx = allocOutput(device, x.dtype, x.size);
    const dw = weight ? alloc(device, x.dtype, cols) : null;
    const db = bias ? alloc(device, x.dtype, cols) : null;
    kernels(g).layerNormBackward(xd, wd, mean, rstd, g.storage, dx, dw, db, rows, cols);
    const grads: Tensor[] = [make(device, dx, x.shape)];
    if (dw) grads.push(make(device, dw, [cols]));
    if (db) grads.push(make(device, db, [cols]));
    return grads;
  });
}
