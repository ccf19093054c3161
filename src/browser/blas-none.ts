// No BLAS in a browser page (it is a native library loaded through koffi): swapped in for
// src/backends/blas/library.ts by the browser build, so the wasm kernels take every matmul.

import type { BlasLibrary } from '../backends/blas/library.js';

/** No candidates in a page. */
export function candidateLibraries(): string[] {
  return [];
}

/** Always "not found". */
export function loadBlas(): BlasLibrary | { errors: string[] } {
  return { errors: ['no BLAS in a browser'] };
}
