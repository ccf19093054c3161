// The wasm heap's reclaim tools in a browser page: no forced GC and no cleanupSome there, so blocks
// of dead tensors come back when the event loop turns (the page's loops yield between steps).
// Swapped in for src/backends/wasm/reclaim.ts by the browser build.

import type { Reclaim } from '../backends/wasm/reclaim.js';

/** The page's FinalizationRegistry, without a GC to force. */
export function reclaimTools(): Reclaim {
  return { Registry: FinalizationRegistry, gc: null };
}
