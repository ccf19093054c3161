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
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { wasmApi, type WasmMemory } from './wasm-api.js';

const PAGE = 65536;
/** First bytes belong to the module's static data (math tables, < 8 KiB); allocations start above. */
export const HEAP_BASE = PAGE;
const ALIGN = 64;
const MAX_PAGES = 65536;

/** Rounds a byte count up to its size class: 64-byte steps to 4 KiB, then 4 classes per power of two. */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const e = Math.floor(Math.log2(bytes));
  const step = 2 ** (e - 2);
  return Math.ceil(bytes / step) * step;
}

let gcFn: (() => void) | null | undefined;
// The GC does not see wasm memory as pressure (a tensor is a ~100-byte object holding megabytes),
// so after enough bytes are allocated we ask for a full collection; finalizers then free the
// blocks at the next turn of the event loop. Without --expose-gc this borrows the flag once.
function requestGc(): void {
  if (gcFn === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  gcFn?.();
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
  private fallbacks = 0;
  private registry = new FinalizationRegistry<[number, number]>(([addr, cls]) => this.release(addr, cls));

  /** `maxPages` below 65536 (4 GiB) only for tests of a full heap. */
  constructor(initialPages = 256, private readonly maxPages = MAX_PAGES) {
    this.memory = new wasmApi.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
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
   */
  alloc(dtype: DType, size: number): TypedArray {
    if (dtype === 'float64') return new Float64Array(size);
    if (size === 0) return dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
    const cls = sizeClass(size * 4);
    const addr = this.take(cls);
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
   * Returns a view's block now instead of waiting for the GC (optional, for hot loops that never
   * yield to the event loop). The view must not be used afterwards.
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

  /** Byte address of a view inside this memory, or -1 if it lives elsewhere. */
  addressOf(a: ArrayBufferView): number {
    return this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  stats(): HeapStats {
    return { liveBytes: this.live, freeBytes: this.freeBytes, topBytes: this.top, fallbacks: this.fallbacks };
  }

  private take(cls: number): number {
    const list = this.free.get(cls);
    let addr: number;
    if (list && list.length > 0) {
      addr = list.pop()!;
      this.freeBytes -= cls;
      // Reused blocks hold old data; fresh pages from grow are already zero.
      new Uint8Array(this.buffer(), addr, cls).fill(0);
    } else {
      if (!this.ensure(this.top + cls)) return -1;
      addr = this.top;
      this.top += cls;
    }
    this.live += cls;
    this.sinceGc += cls;
    if (this.sinceGc > Math.max(256 * 2 ** 20, this.live)) {
      this.sinceGc = 0;
      requestGc();
    }
    return addr;
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
