// Fused affine map x @ W^T + b with W stored (out, in) as in PyTorch's nn.Linear.

import { Tensor } from '../tensor/tensor.js';
import type { MatmulParams } from '../backends/backend.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import type { Storage } from '../tensor/device.js';
import { getPrecision } from './precision.js';
import { allocOutput, commonDtype, kernels, make, requireFloat, result, sameDevice } from './util.js';

/** Up to this many rows (decoding) the bias is copied into the output rather than multiplied in. */
const FEW_ROWS = 8;

function gemm(m: number, n: number, k: number, transA: boolean, transB: boolean): MatmulParams {
  return { batch: 1, m, n, k, transA, transB, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false, precision: getPrecision() };
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
  const device = sameDevice('linear', x, weight, bias);
  const k = kernels(x);
  const rows = nIn === 0 ? 0 : x.size / nIn;
  const wd = weight.storage;
  // Outputs below are written in full by a GEMM without accumulate (the bias product, if any, first).
  const out = allocOutput(device, dtype, rows * nOut);
  // One column of ones serves the bias broadcast forward and the bias gradient backward (made
  // lazily: decoding a few rows copies the bias instead and never needs it).
  let ones: Storage | null = null;
  const onesColumn = (): Storage => {
    if (!ones) {
      ones = allocOutput(device, dtype, rows);
      k.fill(ones, 1);
    }
    return ones;
  };
  if (bias && rows <= FEW_ROWS) {
    k.copyStrided(bias.storage, out, { shape: [rows, nOut], xOffset: 0, xStrides: [0, 1], outOffset: 0, outStrides: [nOut, 1], accumulate: false });
  } else if (bias) {
    // Start from the bias in every row, as a (rows, 1) x (1, out) product (one kernel call, not a
    // JS loop over rows), then accumulate x W^T into it.
    k.matmul(onesColumn(), bias.storage, out, gemm(rows, nOut, 1, false, false));
  }
  k.matmul(xd, wd, out, { ...gemm(rows, nOut, nIn, false, true), accumulate: bias !== null });
  const outShape = [...x.shape.slice(0, -1), nOut];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result(out, outShape, 'linear', inputs, (g) => {
    const gd = g.storage;
    const grads: Array<Tensor | null> = [null, null];
    if (x.requiresGrad) {
      const dx = allocOutput(device, dtype, x.size); // (rows, out) @ (out, in)
      k.matmul(gd, wd, dx, gemm(rows, nIn, nOut, false, false));
      grads[0] = make(device, dx, x.shape);
    }
    if (weight.requiresGrad) {
      const dw = allocOutput(device, dtype, weight.size); // (rows, out)^T @ (rows, in)
      k.matmul(gd, xd, dw, gemm(nOut, nIn, rows, true, false));
      grads[1] = make(device, dw, weight.shape);
    }
    if (bias) {
      // Column sums of g as a (1, rows) x (rows, out) product, so a fast backend does it.
      const db = allocOutput(device, dtype, nOut);
      k.matmul(onesColumn(), gd, db, gemm(1, nOut, rows, false, false));
      grads.push(make(device, db, bias.shape));
    }
    return grads;
  });
}
