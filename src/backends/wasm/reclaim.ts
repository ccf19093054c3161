// Node's way to reclaim wasm blocks inside a synchronous loop: a forced GC and the registry's
// cleanupSome. The browser build swaps this file for src/browser/wasm-reclaim.ts (neither exists
// in a page: blocks come back when the event loop turns).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A FinalizationRegistry constructor (cleanupSome where the runtime has it) and a full GC, if any. */
export interface Reclaim {
  Registry: typeof FinalizationRegistry;
  gc: (() => void) | null;
}
let reclaim: Reclaim | undefined;

// The GC does not see wasm memory as pressure (a tensor is a ~100-byte object holding megabytes),
// and finalizers only run when the event loop turns, never inside a synchronous training loop.
// So after enough bytes are allocated the heap runs a full GC and then the registry's cleanupSome,
// which frees the blocks of dead views synchronously. Both are behind V8 flags, set here once;
// a new vm context picks them up (gc() and cleanupSome exist only in contexts made after that).
// Where that fails, blocks still come back when the event loop turns.
/**
 * The reclaim tools of this process, made once.
 * @example new (reclaimTools().Registry)((held) => release(held))
 */
export function reclaimTools(): Reclaim {
  if (reclaim) return reclaim;
  try {
    setFlagsFromString('--expose-gc');
    setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    reclaim = runInNewContext('({ Registry: FinalizationRegistry, gc: typeof gc === "function" ? gc : null })') as Reclaim;
  } catch {
    reclaim = { Registry: FinalizationRegistry, gc: null };
  }
  return reclaim;
}
