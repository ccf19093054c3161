// Tensor storage inside one shared WebAssembly.Memory: size-class free lists, freed by the GC.
//
// Design: every float32/int32 tensor allocated while a fast backend is active is a typed-array view
// into one shared memory, so wasm kernels (and BLAS, through the same pointer) work on it in place.
// Users never dispose: a FinalizationRegistry returns a block to its size-class free list once the
// view is garbage. Shared memory matters twice: workers see the same bytes, and growing it never
// detaches existing views (a non-shared ArrayBuffer would be detached by memory.grow).
//
// Limits and the road past them: wasm32 addresses 4 GiB. The heap hands out (memory, address)
// pairs through `addressOf`, so a later version can keep several memories (one kernel instance per
// memory, each kernel call requiring its operands in one memory, copying otherwise) or move to
// memory64 once Node ships it, without changing Tensor. When this memory is full, `alloc` falls
// back to the JS heap; kernels then hand such arrays to the js backend (matmul copies them in).

import type { DType, TypedArray } from '../../tensor/dtype.js';
import { reclaimTools } from './reclaim.js';
import { wasmApi, type WasmMemory } from './wasm-api.js';

const PAGE = 65536;
/**
 * First bytes belong to the module's static data (math tables, < 8 KiB); allocations start above.
 * @example heap.addressOf(x) >= HEAP_BASE // for any x allocated by a WasmHeap
 */
export const HEAP_BASE = PAGE;
const ALIGN = 64;
const MAX_PAGES = 65536;
// Bytes allocated between collections at least: a forced full V8 GC costs ~10 ms, about one per
// 4-layer GPT training step at 256 MiB; 512 MiB halves that for 256 MiB more memory held.
const GC_FLOOR_BYTES = 512 * 2 ** 20;

/**
 * Rounds a byte count up to its size class: 64-byte steps to 4 KiB, then 4 classes per power of two.
 * @example sizeClass(5000) // 5120
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const e = Math.floor(Math.log2(bytes));
  const step = 2 ** (e - 2);
  return Math.ceil(bytes / step) * step;
}

// Views are plain Float32Array / Int32Array objects. A subarray shares the block but not the view the
// registry watches, so storage that must outlive its parent view is taken with `retainingSubarray`
// (src/backends/registry.ts), which keeps the parent alive. (Subclassed views did that for every
// subarray, but V8 then kept discarding the optimized code of every function that allocated one:
// decoding after training ran at a fifth of its speed in some processes.)

type Registry = FinalizationRegistry<[number, number]> & { cleanupSome?: () => void };

/** Options of a heap; the defaults suit everything but tests of a full heap. */
export interface HeapOptions {
  /** Pages (64 KiB) at start. */
  initialPages?: number;
  /** Pages at most (65536 = 4 GiB, the wasm32 limit); past it alloc falls back to the JS heap. */
  maxPages?: number;
  /** Bytes allocated between forced collections (default: max(512 MiB, bytes live after the last one)). */
  gcEveryBytes?: number;
}

/** Live and free bytes of a heap, for tests and diagnostics. */
export interface HeapStats {
  liveBytes: number;
  freeBytes: number;
  topBytes: number;
  fallbacks: number;
}

/**
 * A growable shared wasm memory carved into typed-array views.
 * @example
 * const heap = new WasmHeap();
 * const x = heap.alloc('float32', 1024); // zeroed Float32Array inside heap.memory
 * heap.addressOf(x); // byte address for a kernel call
 */
export class WasmHeap {
  readonly memory: WasmMemory;
  private buffers = new WeakSet<ArrayBufferLike>();
  private top = HEAP_BASE;
  private free = new Map<number, number[]>();
  private live = 0;
  private freeBytes = 0;
  private sinceGc = 0;
  /** Live bytes right after the last collection: what the program really holds. */
  private retained = 0;
  private fallbacks = 0;
  private registry: Registry;
  private readonly maxPages: number;
  private readonly gcEveryBytes: number | undefined;

  constructor(options: HeapOptions = {}) {
    this.maxPages = Math.min(MAX_PAGES, options.maxPages ?? MAX_PAGES);
    this.gcEveryBytes = options.gcEveryBytes;
    this.memory = new wasmApi.Memory({ initial: options.initialPages ?? 256, maximum: MAX_PAGES, shared: true });
    this.registry = new (reclaimTools().Registry)(([addr, cls]) => this.release(addr, cls));
    this.buffers.add(this.memory.buffer);
  }

  /** The current buffer (a new object after each grow; earlier views stay valid). */
  buffer(): SharedArrayBuffer {
    const b = this.memory.buffer as SharedArrayBuffer;
    this.buffers.add(b);
    return b;
  }

  /**
   * A zeroed view of `size` elements, freed when the view is garbage. float64 stays on the JS heap
   * (no kernel here computes in float64). Falls back to the JS heap when the memory is full.
   * `uninitialized` skips zeroing a reused block (it holds old values): for kernel outputs that are
   * overwritten in full, where zeroing was about 5% of a GPT training step.
   */
  alloc(dtype: DType, size: number, uninitialized = false): TypedArray {
    if (dtype === 'float64') return new Float64Array(size);
    if (size === 0) return dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
    const cls = sizeClass(size * 4);
    const addr = this.take(cls, true, !uninitialized);
    if (addr < 0) {
      this.fallbacks++;
      return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    }
    const buf = this.buffer();
    const view = dtype === 'int32' ? new Int32Array(buf, addr, size) : new Float32Array(buf, addr, size);
    this.registry.register(view, [addr, cls], view);
    return view;
  }

  /**
   * Returns a view's block now instead of at the next collection (optional: a hot loop may free
   * big temporaries early). The view must not be used afterwards.
   * @example heap.dispose(tmp)
   */
  dispose(view: TypedArray): void {
    const addr = this.addressOf(view);
    if (addr < 0 || !this.registry.unregister(view)) return;
    this.release(addr, sizeClass(view.length * 4));
  }

  /** A block that is never garbage-collected (scratch buffers, kernel temporaries kept across calls). */
  raw(bytes: number): number {
    const addr = this.take(sizeClass(bytes));
    if (addr < 0) throw new Error(`wasm heap: cannot reserve ${bytes} bytes of scratch`);
    return addr;
  }

  /** Gives back a block from `raw`. */
  releaseRaw(addr: number, bytes: number): void {
    this.release(addr, sizeClass(bytes));
  }

  /**
   * Zeroes reused blocks with `fill` (the kernel module's bulk-memory memset) from now on.
   * Without it blocks are zeroed from JS, through 8-byte elements: a JS fill of shared memory
   * is several times slower than memset, and a byte-wise one about 20 times.
   */
  useZero(fill: (addr: number, bytes: number) => void): void {
    this.zero = fill;
  }

  private zero = (addr: number, bytes: number): void => {
    // Blocks are 64-byte multiples at 64-byte aligned addresses.
    new Float64Array(this.buffer(), addr, bytes / 8).fill(0);
  };

  /** Byte address of a view inside this memory, or -1 if it lives elsewhere. */
  addressOf(a: ArrayBufferView): number {
    return this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  stats(): HeapStats {
    return { liveBytes: this.live, freeBytes: this.freeBytes, topBytes: this.top, fallbacks: this.fallbacks };
  }

  private take(cls: number, retry = true, zeroed = true): number {
    const list = this.free.get(cls);
    let addr: number;
    if (list && list.length > 0) {
      addr = list.pop()!;
      this.freeBytes -= cls;
      // Reused blocks hold old data; fresh pages from grow are already zero.
      if (zeroed) this.zero(addr, cls);
    } else if (this.ensure(this.top + cls)) {
      addr = this.top;
      this.top += cls;
    } else {
      // Full: reclaim the garbage once, then retry the free list before falling back.
      if (!retry) return -1;
      this.sinceGc = 0;
      this.collect();
      return this.take(cls, false, zeroed);
    }
    this.live += cls;
    this.sinceGc += cls;
    // Collect once the bytes allocated since the last collection pass what survived it (or a floor):
    // amortized like a generational GC. Counting all live bytes instead would count the garbage
    // not yet reclaimed, so the interval would double each time and the memory grow without bound,
    // with every new page faulted in on first touch.
    if (this.sinceGc > (this.gcEveryBytes ?? Math.max(GC_FLOOR_BYTES, this.retained))) {
      this.sinceGc = 0;
      this.collect();
    }
    return addr;
  }

  /** Frees the blocks of views that are garbage now, synchronously where the runtime allows. */
  collect(): void {
    const tools = reclaimTools();
    tools.gc?.();
    this.registry.cleanupSome?.();
    this.retained = this.live;
  }

  private ensure(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    // Grow by at least half the current size so growth stays amortized.
    const want = Math.min(this.maxPages, Math.max(Math.ceil(end / PAGE), Math.ceil((have * 1.5) / PAGE)));
    const need = Math.ceil(end / PAGE);
    if (need > this.maxPages) return false;
    try {
      this.memory.grow(want - have / PAGE);
    } catch {
      try {
        this.memory.grow(need - have / PAGE);
      } catch {
        return false;
      }
    }
    this.buffer();
    return true;
  }

  private release(addr: number, cls: number): void {
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(addr);
    this.live -= cls;
    this.freeBytes += cls;
  }
}
