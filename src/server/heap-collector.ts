// Keeps the wasm heap's garbage small while the server runs.
//
// Tensors live in one wasm memory whose blocks come back only once their JS views are garbage
// collected (src/backends/wasm/heap.ts). A served request's tensors (its KV cache: 0.8 MB for
// moxing-base; prefill activations) outlive a young-generation GC, so they die in V8's old
// generation, which a server with a small JS heap collects rarely; meanwhile the heap forces a full
// GC only after 512 MiB were allocated since the last one. Garbage of hundreds of MB therefore
// sat in the wasm memory, spread over many block sizes, and every new peak of one size class
// grew the memory (it never shrinks): resident memory crept up for as long as the load lasted.
// The server collects itself once the live bytes pass what survived the last collection by a
// slack, so the memory settles near what requests really hold.

/** What the collector needs of a heap: a WasmHeap fits. */
export interface CollectableHeap {
  stats(): { liveBytes: number };
  collect(): void;
}

export interface HeapCollectorOptions {
  /** Collect once live bytes exceed those after the last collection by this much. Default 64 MiB. */
  slackBytes?: number;
  /** How often the live bytes are checked. Default 250 ms. */
  intervalMs?: number;
}

/** A running collector. */
export interface HeapCollector {
  /** Collections it forced so far. */
  readonly collections: number;
  /** Checks once now (the timer calls this); returns whether it collected. */
  check(): boolean;
  stop(): void;
}

/**
 * Watches a heap on a timer (unref'd: it never keeps the process alive) and collects when garbage
 * piles up. A forced collection is a full V8 GC (~10-20 ms with the server's small JS heap).
 * @example const c = startHeapCollector(initBackends().wasm!.runtime.heap); ...; c.stop();
 */
export function startHeapCollector(heap: CollectableHeap, options: HeapCollectorOptions = {}): HeapCollector {
  const slack = options.slackBytes ?? 64 * 2 ** 20;
  let retained = heap.stats().liveBytes;
  let collections = 0;
  const check = (): boolean => {
    const live = heap.stats().liveBytes;
    // Where the runtime cannot free blocks inside collect(), they come back a little later.
    if (live < retained) retained = live;
    if (live - retained <= slack) return false;
    heap.collect();
    retained = heap.stats().liveBytes;
    collections++;
    return true;
  };
  const timer = setInterval(check, options.intervalMs ?? 250);
  timer.unref();
  return {
    get collections() {
      return collections;
    },
    check,
    stop: () => clearInterval(timer),
  };
}
