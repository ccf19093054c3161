// The fast backends, registered from one explicit list: blas (system BLAS) first, then wasm, then js.

import { registerBackend, registerDeviceBackend, applyBackendFromEnv } from './registry.js';
import { strictBackend } from './strict/index.js';
import { createWasmBackend, type WasmBackend } from './wasm/index.js';
import { defaultThreads, threadsFromEnv } from './wasm/runtime.js';
import { createBlasBackend, type BlasBackend } from './blas/index.js';
import { allocArray } from '../tensor/dtype.js';
import { envVar } from './env.js';

/** What initBackends found. */
export interface FastBackends {
  wasm: WasmBackend | null;
  blas: BlasBackend | null;
}

let fast: FastBackends | null = null;

function debug(message: string): void {
  if (envVar('MOXING_DEBUG')) process.stderr.write(`moxing: ${message}\n`);
}

/**
 * Registers every fast backend this machine can run (idempotent), then applies MOXING_BACKEND.
 * Ranks: blas 10 (matmul only), wasm 20 (every kernel), js 100 (the reference), so by default
 * each kernel runs on the fastest backend that has it. Tensor storage comes from the wasm heap
 * whenever wasm loaded, so wasm kernels and BLAS both work on it in place.
 * @example
 * initBackends();
 * setBackend('wasm'); // or MOXING_BACKEND=wasm
 */
export function initBackends(): FastBackends {
  if (fast) return fast;
  let wasm: WasmBackend | null = null;
  try {
    wasm = createWasmBackend();
  } catch (err) {
    debug(`wasm backend unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
  const blas = createBlasBackend(wasm ? wasm.alloc : allocArray);
  if (blas) registerBackend(blas, 10);
  if (wasm) registerBackend(wasm, 20);
  // The test device that forbids host reads (MOXING_BACKEND=cpu-strict runs anything on it).
  registerDeviceBackend(strictBackend);
  fast = { wasm, blas };
  // MOXING_THREADS sets BLAS's threads too, as setThreads does. Without it BLAS keeps its own count
  // (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, or its default): a user who limited it that way keeps
  // the limit, and the sums, which depend on how a product is split between threads.
  if (threadsFromEnv() !== null) blas?.library.setThreads?.(defaultThreads());
  applyBackendFromEnv();
  return fast;
}

/**
 * Threads for kernels: the wasm worker pool and the BLAS library's own threads.
 * @example setThreads(1) // single-threaded, e.g. for a benchmark
 */
export function setThreads(n: number): void {
  const { wasm, blas } = initBackends();
  wasm?.runtime.setThreads(n);
  blas?.library.setThreads?.(n);
  threads = n;
}
let threads: number | null = null;

/**
 * The thread count set with setThreads, else the wasm default (MOXING_THREADS or the core count).
 * @example getThreads() // 2 on a 2-core machine
 */
export function getThreads(): number {
  return threads ?? initBackends().wasm?.runtime.getThreads() ?? 1;
}
