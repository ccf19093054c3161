// Matrix products for the estimators, run on the tensor engine's fastest available matmul kernel.

import { allocStorage, runKernel } from '../backends/registry.js';

/**
 * Storage the engine's kernels can work on in place (a fast backend may need its own heap).
 * @example const buf = kernelArray(n * p); buf.set(X.data);
 */
export function kernelArray(size: number): Float64Array {
  return allocStorage('float64', size) as Float64Array;
}

/**
 * out (m x n) = op(A) op(B), where op(A) is (m x k): A is stored (k x m) when transA, B (n x k) when
 * transB; A and B start at aOffset and bOffset (a block of rows of a larger matrix).
 * @example gemm(X, W, Z, n, K, p, false, true); // Z = X Wᵀ
 */
export function gemm(a: Float64Array, b: Float64Array, out: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean, aOffset = 0, bOffset = 0): void {
  runKernel('matmul', a, b, out, {
    batch: 1, m, n, k, transA, transB, aOffset, bOffset, aBatchStride: 0, bBatchStride: 0, accumulate: false,
  });
}
