// The process's memory and runtime figures for /metrics, in Prometheus' conventions: prom-client's
// default metrics (resident memory, V8 heap, external memory, event-loop lag, GC, handles) plus the
// few it lacks: array buffers and the wasm heap where tensors live.

import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** What /metrics reads from the wasm heap (src/backends/wasm/heap.ts): a WasmHeap fits. */
export interface WasmHeapSource {
  readonly memory: { readonly buffer: { readonly byteLength: number } };
  stats(): { liveBytes: number; freeBytes: number; topBytes: number };
}

// One registry per process: the figures are the process's, and each collectDefaultMetrics call
// starts its own event-loop-delay monitor, so apps built in the same process (tests) share it.
let shared: Registry | null = null;
let heapSource: WasmHeapSource | null = null;

function processRegistry(): Registry {
  if (shared) return shared;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  new Gauge({
    name: 'nodejs_array_buffers_bytes',
    help: 'Memory of ArrayBuffers and SharedArrayBuffers (Node.js Buffers included), in bytes; part of nodejs_external_memory_bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().arrayBuffers);
    },
  });
  const wasm = (name: string, help: string, read: (h: WasmHeapSource) => number) => new Gauge({
    name, help, registers: [registry],
    collect() {
      this.set(heapSource ? read(heapSource) : 0);
    },
  });
  wasm('moxing_wasm_heap_reserved_bytes', 'Size of the wasm memory holding tensors (it grows, never shrinks), in bytes; 0 without the wasm backend.', (h) => h.memory.buffer.byteLength);
  wasm('moxing_wasm_heap_top_bytes', 'Highest address handed out in the wasm memory: the part ever touched, in bytes.', (h) => h.stats().topBytes);
  wasm('moxing_wasm_heap_live_bytes', 'Bytes of wasm memory held by tensors not yet collected, in bytes.', (h) => h.stats().liveBytes);
  wasm('moxing_wasm_heap_free_bytes', 'Bytes of wasm memory on the free lists, ready for reuse, in bytes.', (h) => h.stats().freeBytes);
  shared = registry;
  return registry;
}

/**
 * Names the wasm heap whose figures /metrics reports (the server passes the wasm backend's).
 * @example useWasmHeap(initBackends().wasm?.runtime.heap ?? null);
 */
export function useWasmHeap(source: WasmHeapSource | null): void {
  heapSource = source;
}

/**
 * The process figures as Prometheus text.
 * @example await processMetrics(); // '# HELP process_resident_memory_bytes ...'
 */
export function processMetrics(): Promise<string> {
  return processRegistry().metrics();
}
