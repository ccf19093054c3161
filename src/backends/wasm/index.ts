// The wasm backend: SIMD kernels (relaxed-SIMD FMA when available) on worker threads over one shared memory.

import type { Backend } from '../backend.js';
import { WasmRuntime } from './runtime.js';
import { wasmKernels } from './kernels.js';

/** The wasm backend plus its runtime (heap, threads, which build is loaded). */
export interface WasmBackend extends Backend {
  readonly runtime: WasmRuntime;
}

let instance: WasmBackend | null = null;

/**
 * Creates the wasm backend once per process (one shared memory, one worker pool).
 * Throws if the kernels were not built (`npm run build`).
 * @example
 * const wasm = createWasmBackend();
 * wasm.runtime.relaxed; // true under --experimental-wasm-relaxed-simd on Node 20
 */
export function createWasmBackend(): WasmBackend {
  if (instance) return instance;
  const runtime = new WasmRuntime();
  instance = {
    name: 'wasm',
    runtime,
    alloc: (dtype, size, uninitialized) => runtime.heap.alloc(dtype, size, uninitialized),
    kernels: wasmKernels(runtime),
  };
  return instance;
}
