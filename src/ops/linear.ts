// Fused affine map x @ W^T + b with W stored (out, in) as in PyTorch's nn.Linear.

import { Tensor } from '../tensor/tensor.js';
import type { MatmulParams } from '../backends/backend.js';
import { runKernel } from '../backends/registry.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { allocFloat, allocOutput, commonDtype, requireFloat, result } from './util.js';

function gemm(m: number, n: number, k: number, transA: boolean, transB: boolean): MatmulParams {
  return { batch: 1, m, n, k, transA, transB, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false };
}

/**
 * y = x @ weight^T + bias for x (..., in), weight (out, in), bias (out) or null -> (..., out).
 * One GEMM forward and two backward, with no transposed copies.
 * @example linear(x, fc.weight, fc.bias)
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const dtype = commonDtype('linear', x, weight);
  const xd = requireFloat('linear', x);
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D (out, in), got ${shapeStr(weight.shape)}`);
  const [nOut, nIn] = weight.shape;
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== nIn) {
    throw new ShapeError(`linear: input ${shapeStr(x.shape)} x weight ${shapeStr(weight.shape)}: last axis ${x.shape[x.ndim - 1]} != in features ${nIn}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== nOut)) {
    throw new ShapeError(`linear: bias ${shapeStr(bias.shape)} does not match ${nOut} out features`);
  }
  const rows = nIn === 0 ? 0 : x.size / nIn;
  const wd = weight.data as FloatArray;
  // Outputs below are written in full by a GEMM without accumulate (the bias product, if any, first).
  const out = allocOutput(dtype, rows * nOut);
  // One column of ones serves the bias broadcast forward and the bias gradient backward.
  const ones = bias ? allocFloat(dtype, rows).fill(1) : null;
  if (bias && ones) {
    // Start from the bias in every row, as a (rows, 1) x (1, out) product (one kernel call, not a
    // JS loop over rows), then accumulate x W^T into it.
    runKernel('matmul', ones, bias.data as FloatArray, out, gemm(rows, nOut, 1, false, false));
  }
  runKernel('matmul', xd, wd, out, { ...gemm(rows, nOut, nIn, false, true), accumulate: bias !== null });
  const outShape = [...x.shape.slice(0, -1), nOut];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result(out, outShape, 'linear', inputs, (g) => {
    const gd = g.data as FloatArray;
    const grads: Array<Tensor | null> = [null, null];
    if (x.requiresGrad) {
      const dx = allocOutput(dtype, x.size); // (rows, out) @ (out, in)
      runKernel('matmul', gd, wd, dx, gemm(rows, nIn, nOut, false, false));
      grads[0] = new Tensor(dx, x.shape);
    }
    if (weight.requiresGrad) {
      const dw = allocOutput(dtype, weight.size); // (rows, out)^T @ (rows, in)
      runKernel('matmul', gd, xd, dw, gemm(nOut, nIn, rows, true, false));
      grads[1] = new Tensor(dw, weight.shape);
    }
    if (bias && ones) {
      // Column sums of g as a (1, rows) x (rows, out) product, so a fast backend does it.
      const db = allocOutput(dtype, nOut);
      runKernel('matmul', ones, gd, db, gemm(1, nOut, rows, false, false));
      grads.push(new Tensor(db, bias.shape));
    }
    return grads;
  });
}
