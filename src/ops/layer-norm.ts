// Layer normalization over the last axis (fused kernel; Ba, Kiros & Hinton 2016).

import { Tensor } from '../tensor/tensor.js';
import { runKernel } from '../backends/registry.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { allocFloat, requireFloat, result } from './util.js';

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
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = allocFloat(x.dtype, x.size);
  const mean = allocFloat(x.dtype, rows);
  const rstd = allocFloat(x.dtype, rows);
  const wd = weight ? (weight.data as FloatArray) : null;
  const bd = bias ? (bias.data as FloatArray) : null;
  runKernel('layerNorm', xd, wd, bd, out, mean, rstd, rows, cols, eps);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return result(out, x.shape, 'layerNorm', inputs, (g) => {
    const dx = allocFloat(x.dtype, x.size);
    const dw = weight ? allocFloat(x.dtype, cols) : null;
    const db = bias ? allocFloat(x.dtype, cols) : null;
    runKernel('layerNormBackward', xd, wd, mean, rstd, g.data as FloatArray, dx, dw, db, rows, cols);
    const grads: Tensor[] = [new Tensor(dx, x.shape)];
    if (dw) grads.push(new Tensor(dw, [cols]));
    if (db) grads.push(new Tensor(db, [cols]));
    return grads;
  });
}
