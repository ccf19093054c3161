// The wasm heap's reclaim tools in a browser page, swapped in for src/backends/wasm/reclaim.ts by
// the browser build. A page can neither force a GC nor run finalizers synchronously, and V8 does
// not count wasm memory as memory pressure (a tensor is a small object holding megabytes), so
// dead tensors' blocks pile up between V8's own major collections (to ~1.5 GB in a 200-step
// fine-tune of moxing-base). `gc` here allocates a throwaway ArrayBuffer instead: V8 does count
// that as external memory and collects soon after, and the blocks come back when the page's loop
// yields (measured: the same run stays under ~370 MB; src/browser/model.ts asks after each
// fine-tune step once more than 256 MiB are live).

import type { Reclaim } from '../backends/wasm/reclaim.js';

const NUDGE_BYTES = 64 * 2 ** 20;
// Counted (and exported) so the bundler cannot drop the allocation as unused.
let nudged = 0;

/** The page's FinalizationRegistry, and a nudge for V8's collector in place of a forced GC. */
export function reclaimTools(): Reclaim {
  return {
    Registry: FinalizationRegistry,
    gc: () => {
      nudged += new ArrayBuffer(NUDGE_BYTES).byteLength;
    },
  };
}

/**
 * Bytes allocated so far to nudge the collector (0 before any): for tests and diagnostics.
 * @example wasmHeapNudgedBytes() // 67108864 after one nudge
 */
export function wasmHeapNudgedBytes(): number {
  return nudged;
}
