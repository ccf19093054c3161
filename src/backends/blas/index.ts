// The blas backend: matmul through a system BLAS (cblas_sgemm via koffi), synchronous on the calling thread.
//
// koffi calls stay on the main thread (koffi has known problems with worker threads); OpenBLAS
// runs its own threads inside the call. Typed arrays are passed as pointers, without copies, so
// tensors in the wasm heap work in place too.

import type { Backend, MatmulParams } from '../backend.js';
import type { DType, FloatArray, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';
import { loadBlas, type BlasLibrary } from './library.js';

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
// Below this a BLAS call's fixed cost (~0.5 us through FFI) beats its speed: leave it to the next backend.
const MIN_FLOPS = 1 << 13;
// As wasm's MAX_GEMV_ROWS (kernels.ts), which takes these products.
const MAX_GEMV_ROWS = 4;

/** The blas backend plus the library it loaded. */
export interface BlasBackend extends Backend {
  readonly library: BlasLibrary;
}

function debug(message: string): void {
  if (process.env.MOXING_DEBUG) process.stderr.write(`moxing: ${message}\n`);
}

/**
 * Loads a BLAS and builds the backend, or returns null (said once at debug level: MOXING_DEBUG=1).
 * `alloc` is the storage to hand out, normally the wasm heap so every kernel works in place.
 * @example const blas = createBlasBackend(); // null when no BLAS library is installed
 */
export function createBlasBackend(alloc: (dtype: DType, size: number, uninitialized?: boolean) => TypedArray = allocArray): BlasBackend | null {
  const lib = loadBlas();
  if (!('sgemm' in lib)) {
    debug(`no BLAS library found (set MOXING_BLAS=/path/to/libopenblas.so); tried ${lib.errors.join('; ')}`);
    return null;
  }
  debug(`blas: ${lib.path} ${lib.config}`.trim());
  return { name: 'blas', library: lib, alloc, kernels: { matmul: (a, b, out, p) => blasMatmul(lib, a, b, out, p) } };
}

/**
 * Batched matmul over cblas_?gemm (cblas_?gemv for one column or one row); false for tiny products
 * and mixed or int arrays.
 * @example blasMatmul(lib, a, b, out, { batch: 1, m, n, k, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false })
 */
export function blasMatmul(lib: BlasLibrary, a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): boolean {
  const { batch, m, n, k, transA, transB, aOffset, bOffset, aBatchStride, bBatchStride, accumulate } = p;
  if (batch <= 0 || m <= 0 || n <= 0) return true;
  const f32 = a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array;
  const f64 = a instanceof Float64Array && b instanceof Float64Array && out instanceof Float64Array;
  if (!f32 && !f64) return false;
  if (2 * batch * m * n * k < MIN_FLOPS || k <= 0) return false;
  // A matrix-vector product with a Linear weight (decoding one token) is memory-bound: the wasm
  // kernel reads each weight row once on the calling thread, without BLAS's FFI and thread hand-off.
  if (batch === 1 && m <= MAX_GEMV_ROWS && transB && !transA) return false;
  if (a.length < aOffset + (batch - 1) * aBatchStride + m * k) return false;
  if (b.length < bOffset + (batch - 1) * bBatchStride + k * n || out.length < batch * m * n) return false;
  const gemv = f32 ? lib.sgemv : lib.dgemv;
  if (gemv && (n === 1 || m === 1)) {
    blasGemv(gemv, a, b, out, p);
    return true;
  }
  const gemm = f32 ? lib.sgemm : lib.dgemm;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  const beta = accumulate ? 1 : 0;
  const ta = transA ? TRANS : NO_TRANS, tb = transB ? TRANS : NO_TRANS;
  // A stack of A matrices times one shared B (a Linear layer on (B, T, C)) is one tall GEMM.
  if (batch > 1 && bBatchStride === 0 && !transA && aBatchStride === m * k) {
    gemm(ROW_MAJOR, ta, tb, batch * m, n, k, 1, a.subarray(aOffset), lda, b.subarray(bOffset), ldb, beta, out, n);
    return true;
  }
  for (let bi = 0; bi < batch; bi++) {
    const av = a.subarray(aOffset + bi * aBatchStride);
    const bv = b.subarray(bOffset + bi * bBatchStride);
    const ov = out.subarray(bi * m * n);
    gemm(ROW_MAJOR, ta, tb, m, n, k, 1, av, lda, bv, ldb, beta, ov, n);
  }
  return true;
}

type Gemv = NonNullable<BlasLibrary['dgemv']>;

/**
 * A product with one column (n = 1: out = op(A) b) or one row (m = 1: out = a op(B)) as a GEMV: the
 * vector is contiguous either way, and the matrix is read row-major, transposed or not. For a
 * logistic regression's Xw and Xᵀr on credit (2,672 x 29) a GEMM took 25-28 µs, a GEMV 7-8.5.
 */
function blasGemv(gemv: Gemv, a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, aOffset, bOffset, aBatchStride, bBatchStride, accumulate } = p;
  const beta = accumulate ? 1 : 0;
  for (let bi = 0; bi < batch; bi++) {
    const av = a.subarray(aOffset + bi * aBatchStride);
    const bv = b.subarray(bOffset + bi * bBatchStride);
    const ov = out.subarray(bi * m * n);
    if (n === 1) {
      // op(A) is (m x k): A is stored (m x k), or (k x m) when transposed.
      if (transA) gemv(ROW_MAJOR, TRANS, k, m, 1, av, m, bv, 1, beta, ov, 1);
      else gemv(ROW_MAJOR, NO_TRANS, m, k, 1, av, k, bv, 1, beta, ov, 1);
    } else {
      // out (1 x n) = a op(B), i.e. outᵀ = op(B)ᵀ aᵀ: B is stored (k x n), or (n x k) when transposed.
      if (transB) gemv(ROW_MAJOR, NO_TRANS, n, k, 1, bv, k, av, 1, beta, ov, 1);
      else gemv(ROW_MAJOR, TRANS, k, n, 1, bv, n, av, 1, beta, ov, 1);
    }
  }
}
