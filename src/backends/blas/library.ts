// Finds a system BLAS at run time and binds cblas_sgemm/cblas_dgemm (and the GEMVs, where present)
// through koffi (no native build).

import { createRequire } from 'node:module';
import { platform } from 'node:os';

type Koffi = typeof import('koffi');
type Gemm = (
  order: number, transA: number, transB: number, m: number, n: number, k: number, alpha: number,
  a: ArrayBufferView, lda: number, b: ArrayBufferView, ldb: number, beta: number, c: ArrayBufferView, ldc: number,
) => void;
type Gemv = (
  order: number, trans: number, m: number, n: number, alpha: number, a: ArrayBufferView, lda: number,
  x: ArrayBufferView, incx: number, beta: number, y: ArrayBufferView, incy: number,
) => void;

/** A loaded BLAS: the GEMMs, the GEMVs and the thread setter where the library has them. */
export interface BlasLibrary {
  path: string;
  sgemm: Gemm;
  dgemm: Gemm;
  /** Matrix times vector (null if the library lacks it): a GEMM with one column took 3.5x as long. */
  sgemv: Gemv | null;
  dgemv: Gemv | null;
  setThreads: ((n: number) => void) | null;
  /** The library's thread count, where it says (OpenBLAS). */
  getThreads: (() => number) | null;
  /** e.g. "OpenBLAS 0.3.21 ... Cooperlake" when the library says. */
  config: string;
}

/**
 * MOXING_BLAS, then the library names tried on this platform, in order.
 * @example candidateLibraries()[0] // 'libopenblas.so.0' on Linux without MOXING_BLAS
 */
export function candidateLibraries(): string[] {
  const fromEnv = process.env.MOXING_BLAS ? [process.env.MOXING_BLAS] : [];
  switch (platform()) {
    case 'darwin':
      return [...fromEnv, '/System/Library/Frameworks/Accelerate.framework/Accelerate', 'libopenblas.dylib'];
    case 'win32':
      return [...fromEnv, 'libopenblas.dll', 'openblas.dll'];
    default:
      return [...fromEnv, 'libopenblas.so.0', 'libopenblas.so', 'libblas.so.3', 'libcblas.so.3', 'libmkl_rt.so'];
  }
}

/** log2 of the cycles an idle OpenBLAS thread spins before it sleeps (OpenBLAS clamps it to 4..30). */
const OPENBLAS_SPIN_LOG2_CYCLES = 16;

const SIG = '(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)';
const GEMV_SIG = '(int order, int trans, int m, int n, float alpha, const float *a, int lda, const float *x, int incx, float beta, float *y, int incy)';

/**
 * Loads the first library that has cblas_sgemm, or returns the reasons none did.
 * @example const blas = loadBlas(); if ('sgemm' in blas) blas.setThreads?.(1);
 */
export function loadBlas(candidates = candidateLibraries()): BlasLibrary | { errors: string[] } {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (err) {
    return { errors: [`koffi: ${err instanceof Error ? err.message : String(err)}`] };
  }
  // OpenBLAS's idle threads spin for 2^OPENBLAS_THREAD_TIMEOUT cycles after each call (default 2^28,
  // about 0.1 s) before they sleep. Between two GEMMs of a training step the wasm kernels run on the
  // same cores, and the spinning threads took those cores from them. The library reads the variable
  // as it loads; a value the user set wins, and child processes do not inherit ours.
  const userTimeout = process.env.OPENBLAS_THREAD_TIMEOUT;
  process.env.OPENBLAS_THREAD_TIMEOUT = userTimeout ?? String(OPENBLAS_SPIN_LOG2_CYCLES);
  try {
    return loadFirst(koffi, candidates);
  } finally {
    if (userTimeout === undefined) delete process.env.OPENBLAS_THREAD_TIMEOUT;
  }
}

function loadFirst(koffi: Koffi, candidates: string[]): BlasLibrary | { errors: string[] } {
  const errors: string[] = [];
  for (const path of candidates) {
    try {
      const lib = koffi.load(path);
      const sgemm = lib.func(`void cblas_sgemm${SIG}`) as Gemm;
      const dgemm = lib.func(`void cblas_dgemm${SIG.replace(/float/g, 'double')}`) as Gemm;
      const optional = (decl: string): ((...args: never[]) => unknown) | null => {
        try {
          return lib.func(decl) as (...args: never[]) => unknown;
        } catch {
          return null;
        }
      };
      const openblasThreads = optional('void openblas_set_num_threads(int n)') as ((n: number) => void) | null;
      const mklThreads = openblasThreads ? null : (optional('void MKL_Set_Num_Threads(int n)') as ((n: number) => void) | null);
      const openblasGetThreads = optional('int openblas_get_num_threads()') as (() => number) | null;
      const getConfig = optional('const char *openblas_get_config()') as (() => string) | null;
      const sgemv = optional(`void cblas_sgemv${GEMV_SIG}`) as Gemv | null;
      const dgemv = optional(`void cblas_dgemv${GEMV_SIG.replace(/float/g, 'double')}`) as Gemv | null;
      return { path, sgemm, dgemm, sgemv, dgemv, setThreads: openblasThreads ?? mklThreads, getThreads: openblasGetThreads, config: getConfig?.() ?? '' };
    } catch (err) {
      errors.push(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { errors };
}
