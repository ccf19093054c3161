// Matrix product over the last two axes, batched with NumPy broadcasting of the leading axes.

import { Tensor } from '../tensor/tensor.js';
import type { MatmulParams } from '../backends/backend.js';
import { ShapeError, broadcastShapes, sameShape, shapeStr, sizeOf } from '../tensor/shape.js';
import type { Storage } from '../tensor/device.js';
import { getPrecision } from './precision.js';
import { allocOutput, broadcastStorage, commonDtype, kernels, make, requireFloat, result, sumToShape } from './util.js';

interface Operand {
  data: Storage;
  batchStride: number;
}

/** Lays an operand out for a batch of `batchShape`: shared (stride 0), as is, or expanded by copy. */
function operand(x: Tensor, batchShape: number[], rows: number, cols: number): Operand {
  const own = x.shape.slice(0, -2);
  const data = x.storage;
  const mat = rows * cols;
  if (sizeOf(own) === 1) return { data, batchStride: 0 };
  const padded = [...new Array<number>(batchShape.length - own.length).fill(1), ...own];
  if (sameShape(padded, batchShape)) return { data, batchStride: mat };
  return { data: broadcastStorage(x, [...batchShape, rows, cols]), batchStride: mat };
}

function params(batch: number, m: number, n: number, k: number, over: Partial<MatmulParams>): MatmulParams {
  return { batch, m, n, k, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false, precision: getPrecision(), ...over };
}

/**
 * a @ b for a (..., m, k) and b (..., k, n) -> (..., m, n).
 * @example matmul(x, w) // (B, T, C) @ (C, D) -> (B, T, D)
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(`matmul: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}: both operands need at least 2 dimensions`);
  }
  const dtype = commonDtype('matmul', a, b);
  requireFloat('matmul', a);
  const m = a.shape[a.ndim - 2];
  const k = a.shape[a.ndim - 1];
  const k2 = b.shape[b.ndim - 2];
  const n = b.shape[b.ndim - 1];
  if (k !== k2) {
    throw new ShapeError(`matmul: ${shapeStr(a.shape)} x ${shapeStr(b.shape)}: inner dimensions ${k} != ${k2}`);
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  const batch = sizeOf(batchShape);
  const A = operand(a, batchShape, m, k);
  const B = operand(b, batchShape, k, n);
  const device = a.dev;
  const k_ = kernels(a);
  const out = allocOutput(device, dtype, batch * m * n);
  k_.matmul(A.data, B.data, out, params(batch, m, n, k, { aBatchStride: A.batchStride, bBatchStride: B.batchStride }));
  const outShape = [...batchShape, m, n];
  return result(out, outShape, 'matmul', [a, b], (g) => {
    const gd = g.storage;
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (a.requiresGrad) {
      // dA[b] = g[b] @ B[b]^T  (m, n) x (n, k)
      const full = allocOutput(device, dtype, batch * m * k);
      k_.matmul(gd, B.data, full, params(batch, m, k, n, { transB: true, aBatchStride: m * n, bBatchStride: B.batchStride }));
      da = sumToShape(make(device, full, [...batchShape, m, k]), a.shape);
    }
    if (b.requiresGrad) {
      if (B.batchStride === 0 && A.batchStride !== 0) {
        // A shared weight: sum_b A[b]^T g[b] is one GEMM over the stacked rows, (batch*m, k)^T x (batch*m, n).
        const dw = allocOutput(device, dtype, k * n);
        k_.matmul(A.data, gd, dw, params(1, k, n, batch * m, { transA: true }));
        db = sumToShape(make(device, dw, [k, n]), b.shape);
      } else {
        // dB[b] = A[b]^T @ g[b]  (k, m) x (m, n)
        const full = allocOutput(device, dtype, batch * k * n);
        k_.matmul(A.data, gd, full, params(batch, k, n, m, { transA: true, aBatchStride: A.batchStride, bBatchStride: m * n }));
        db = sumToShape(make(device, full, [...batchShape, k, n]), b.shape);
      }
    }
    return [da, db];
  });
}
