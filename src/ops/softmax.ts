// Softmax and log-softmax along an axis: fused rows kernel, analytic backward.

import { Tensor } from '../tensor/tensor.js';
import { normAxis } from '../tensor/shape.js';
import { allocOutput, kernels, make, requireFloat, result } from './util.js';
import { permute } from './layout.js';

function rowsOp(x: Tensor, axis: number, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  const ax = normAxis(axis, x.ndim, op);
  if (ax !== x.ndim - 1) {
    // Move the axis last, apply, move it back (composite: gradients come from permute).
    const axes = x.shape.map((_, i) => i);
    axes.splice(ax, 1);
    axes.push(ax);
    const inverse = new Array<number>(axes.length);
    axes.forEach((a, i) => { inverse[a] = i; });
    return permute(rowsOp(permute(x, axes), -1, log), inverse);
  }
  const xd = requireFloat(op, x);
  const cols = x.shape[x.ndim - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const out = allocOutput(x.dev, x.dtype, x.size);
  kernels(x).softmax(xd, out, rows, cols, log);
  return result(out, x.shape, op, [x], (g) => {
    const dx = allocOutput(x.dev, x.dtype, x.size);
    kernels(g).softmaxBackward(out, g.storage, dx, rows, cols, log);
    return [make(x.dev, dx, x.shape)];
  });
}

/** Softmax along `axis` (last by default); rows sum to 1. */
export function softmax(x: Tensor, axis = -1): Tensor {
  return rowsOp(x, axis, false);
}

/** log(softmax(x)) computed stably along `axis`. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return rowsOp(x, axis, true);
}
