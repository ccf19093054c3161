// What the kernel worker pool needs from its platform (Node's worker_threads, a browser's Web Workers).

import type { WasmMemory, WasmModule } from './wasm-api.js';

/** What a kernel worker starts with. */
export interface KernelWorkerData {
  module: WasmModule;
  memory: WasmMemory;
  ctrl: SharedArrayBuffer;
  id: number;
  names: readonly string[];
}

/** A started worker. */
export interface KernelWorker {
  terminate(): void;
}

export interface ThreadsPlatform {
  /** Starts a worker running `body` (source text) with the fields of `data` as local constants. */
  spawnKernelWorker(body: string, data: KernelWorkerData, onError: () => void): KernelWorker;
  /**
   * Whether the calling thread may block in Atomics.wait: Node's main thread may, a browser page's
   * main thread may not (it spins instead, and workers start only once it yields to the event loop).
   */
  readonly canBlock: boolean;
  /** Cores this process may use. */
  cores(): number;
  /** Whether memory can be shared with workers (a browser page must be cross-origin isolated). */
  canShareMemory(): boolean;
}
