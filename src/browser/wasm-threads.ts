// The kernel worker pool's platform in a browser page: Web Workers made from the same worker code
// (a Blob URL), handed the compiled module and the shared memory by postMessage. Swapped in for
// src/backends/wasm/threads.ts by the browser build (scripts/build-browser.ts).

import type { KernelWorker, KernelWorkerData, ThreadsPlatform } from '../backends/wasm/threads-api.js';
import { web } from './web-api.js';

function spawnKernelWorker(body: string, data: KernelWorkerData, onError: () => void): KernelWorker {
  const source = `onmessage = (e) => {\nonmessage = null;\nconst { module, memory, ctrl, id, names } = e.data;\n${body}\n};`;
  const url = web.URL.createObjectURL(new web.Blob([source], { type: 'text/javascript' }));
  const w = new web.Worker(url, { name: `moxing-kernels-${data.id}` });
  w.onerror = onError;
  w.postMessage(data);
  return {
    terminate: () => {
      w.terminate();
      web.URL.revokeObjectURL(url);
    },
  };
}

export const threads: ThreadsPlatform = {
  spawnKernelWorker,
  // A page's main thread may not Atomics.wait: the pool spins while joining, and starts workers
  // ahead of the first kernel call (WasmRuntime.startThreads), since they start only when it yields.
  canBlock: false,
  cores: () => Math.max(1, web.navigator?.hardwareConcurrency ?? 1),
  // Shared memory crosses to workers only in a cross-origin isolated page (COOP + COEP headers).
  canShareMemory: () => web.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function',
};
