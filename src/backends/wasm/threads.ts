// Node's side of the kernel worker pool: worker_threads started from source text, and the core count.
// The browser build swaps this file for src/browser/wasm-threads.ts (Web Workers); both give the
// same exports, checked against `ThreadsPlatform`.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KernelWorker, KernelWorkerData, ThreadsPlatform } from './threads-api.js';

/**
 * Starts a worker that runs `body` with module, memory, ctrl, id and names in scope.
 * @example spawnKernelWorker(WORKER_BODY, { module, memory, ctrl, id: 0, names }, () => {})
 */
function spawnKernelWorker(body: string, data: KernelWorkerData, onError: () => void): KernelWorker {
  // Plain CommonJS run with eval, so workers need neither tsx nor a file next to the compiled code.
  const source = `const { module, memory, ctrl, id, names } = require('node:worker_threads').workerData;\n${body}`;
  // The parent's --import tsx is not needed; V8 flags (relaxed SIMD) are process-wide anyway.
  const w = new Worker(source, { eval: true, execArgv: [], workerData: data });
  w.unref();
  w.on('error', onError);
  return { terminate: () => void w.terminate() };
}

export const threads: ThreadsPlatform = {
  spawnKernelWorker,
  // Node lets the main thread Atomics.wait (and worker startup runs on its own thread).
  canBlock: true,
  cores: () => Math.max(1, availableParallelism()),
  canShareMemory: () => true,
};
