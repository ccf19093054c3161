// GPU tensor storage: buffers from a caching allocator (size classes, reuse), returned to the cache
// by a FinalizationRegistry when their tensors are collected, trimmed when the cache grows too big.

import type { DType } from '../../tensor/dtype.js';
import type { DeviceBuffer } from '../../tensor/device.js';
import type { Runtime } from './runtime.js';
import { envVar } from '../env.js';
import { reclaimTools } from '../wasm/reclaim.js';
import { DeviceFaultError, allocationSite } from '../fault.js';

const USAGE_STORAGE = 0x80;
const USAGE_COPY_SRC = 0x04;
const USAGE_COPY_DST = 0x08;
const MIB = 2 ** 20;
// Bytes handed out between forced collections at least (a full V8 GC costs ~10 ms).
const GC_FLOOR_BYTES = 256 * MIB;

/**
 * Storage of one tensor on the GPU: `length` elements of `dtype` at byte `offset` of `buffer`. A
 * pooled block starts at 0 and is bound whole (`span` 0; the buffer may be larger: its size class).
 * A view lives in a pack shared with other tensors (the optimizer's parameters, see
 * kernels/adamw-multi.ts): its `offset` and `span` (bytes bound for kernels) place it there, and it
 * keeps the pack alive. A storage may move into a pack once its values are copied there (`relocate`).
 */
export class GpuStorage implements DeviceBuffer {
  offset = 0;
  span = 0;
  pack: object | null = null;
  constructor(readonly length: number, readonly dtype: DType, public buffer: GPUBuffer) {}
}

/** Int8 weights (linearInt8), packed four to a 32-bit word. */
export class GpuInt8 {
  readonly dtype = 'int8';
  readonly offset = 0;
  readonly span = 0;
  constructor(readonly length: number, readonly buffer: GPUBuffer) {}
}

/**
 * Rounds a byte count up to its size class: 256-byte steps to 64 KiB, then 8 classes per power of two
 * (at most 12.5% unused).
 * @example sizeClass(70000) // 73728
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 65536) return Math.max(256, Math.ceil(bytes / 256) * 256);
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 3);
  return Math.ceil(bytes / step) * step;
}

type Registry = FinalizationRegistry<GPUBuffer> & { cleanupSome?: () => void };

// Finalizers run only when the event loop turns, never inside a synchronous training step, and V8 does
// not count GPU memory as pressure; so after enough bytes the pool forces a GC and runs cleanupSome
// (the wasm heap's reclaim tools: Node's V8 flags, or a page's nudge in the browser build).

/** Bytes held by a pool, for tests and diagnostics. */
export interface PoolStats {
  liveBytes: number;
  freeBytes: number;
  created: number;
  reused: number;
  destroyed: number;
}

/** The caching allocator of one device. */
export class BufferPool {
  /** Free bytes kept for reuse at most; more are destroyed (MOXING_WEBGPU_CACHE_MB overrides). */
  cacheBudget: number;
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly registry: Registry;
  private live = 0;
  private freeBytes = 0;
  private sinceGc = 0;
  private retained = 0;
  private created = 0;
  private reused = 0;
  private destroyed = 0;
  /** The largest buffer a kernel can bind (the adapter's buffer and binding limits). */
  readonly maxBytes: number;

  constructor(private readonly runtime: Runtime) {
    const limits = runtime.device.limits;
    this.maxBytes = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    const env = Number(envVar('MOXING_WEBGPU_CACHE_MB'));
    this.cacheBudget = Number.isFinite(env) && env > 0 ? env * MIB : 4096 * MIB;
    this.registry = new (reclaimTools().Registry)<GPUBuffer>((buffer) => this.release(buffer)) as Registry;
  }

  /**
   * Storage for `length` elements; `fresh` says whether the buffer is new (zeroed by WebGPU) or reused
   * (holding old values). Throws a clear error past the adapter's buffer limit.
   */
  take(dtype: DType, length: number, bytesPerElement: number): { storage: GpuStorage; fresh: boolean } {
    const bytes = length * bytesPerElement;
    const cls = sizeClass(bytes);
    if (cls > this.maxBytes) throw this.tooLarge(bytes, `${length} ${dtype} elements`, captureSite());
    this.sinceGc += cls;
    if (this.sinceGc > Math.max(GC_FLOOR_BYTES, this.retained)) this.collect();
    else if (this.freeBytes > this.cacheBudget) this.trim(this.cacheBudget / 2);
    const list = this.free.get(cls);
    let buffer = list?.pop();
    let fresh = false;
    if (buffer) {
      this.freeBytes -= cls;
      this.reused++;
    } else {
      buffer = this.create(cls, `${length} ${dtype} elements`);
      fresh = true;
    }
    this.live += cls;
    const storage = new GpuStorage(length, dtype, buffer);
    this.registry.register(storage, buffer, storage);
    return { storage, fresh };
  }

  /**
   * Moves `storage` into `pack`'s `buffer` at byte `offset` (its values must already be copied there,
   * in recording order): a pooled block goes back to the free list at once, since the storage no
   * longer uses it and commands recorded later run after the copy.
   */
  relocate(storage: GpuStorage, buffer: GPUBuffer, offset: number, span: number, pack: object): void {
    if (!storage.pack) {
      this.registry.unregister(storage);
      this.release(storage.buffer);
    }
    storage.buffer = buffer;
    storage.offset = offset;
    storage.span = span;
    storage.pack = pack;
  }

  /** A buffer outside the cache (int8 weights, scratch); never reused. */
  createRaw(bytes: number, what: string): GPUBuffer {
    const cls = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (cls > this.maxBytes) throw this.tooLarge(bytes, what, captureSite());
    return this.create(cls, what);
  }

  /** Frees the blocks of collected tensors now (forced GC + cleanupSome where the runtime allows). */
  collect(): void {
    this.sinceGc = 0;
    const tools = reclaimTools();
    tools.gc?.();
    this.registry.cleanupSome?.();
    this.retained = this.live;
    if (this.freeBytes > this.cacheBudget) this.trim(this.cacheBudget / 2);
  }

  /** Destroys free blocks until at most `keepBytes` stay cached. */
  trim(keepBytes = 0): void {
    if (this.freeBytes <= keepBytes) return;
    // Recorded commands may still name a free block: submit them before destroying it.
    this.runtime.flush();
    const classes = [...this.free.keys()].sort((a, b) => b - a); // largest first
    for (const cls of classes) {
      const list = this.free.get(cls)!;
      while (list.length > 0 && this.freeBytes > keepBytes) {
        list.pop()!.destroy();
        this.freeBytes -= cls;
        this.destroyed++;
      }
    }
  }

  stats(): PoolStats {
    return { liveBytes: this.live, freeBytes: this.freeBytes, created: this.created, reused: this.reused, destroyed: this.destroyed };
  }

  private tooLarge(bytes: number, what: string, site: Error): DeviceFaultError {
    const where = allocationSite(site.stack);
    return new DeviceFaultError('webgpu', 'out-of-memory', `webgpu: cannot allocate ${mib(bytes)} for ${what}${where ? ` in ${where}` : ''}: the adapter's largest storage buffer is ${(this.maxBytes / MIB).toFixed(0)} MiB`);
  }

  private create(bytes: number, what: string): GPUBuffer {
    const device = this.runtime.device;
    // Where the allocation was asked for, kept until the error scope answers (V8 formats the stack
    // only if it is read, so a buffer that fits costs one capture; fresh buffers are rare in a loop).
    const site = captureSite();
    device.pushErrorScope('out-of-memory');
    const buffer = device.createBuffer({ size: bytes, usage: USAGE_STORAGE | USAGE_COPY_SRC | USAGE_COPY_DST });
    void device.popErrorScope().then((err) => {
      if (!err) return;
      const where = allocationSite(site.stack);
      const kernel = this.runtime.firstUseOf(buffer);
      const context = [where ? `in ${where}` : null, kernel ? `first bound by kernel ${kernel}` : null].filter((c) => c !== null).join(', ');
      this.runtime.report(new DeviceFaultError('webgpu', 'out-of-memory',
        `webgpu: out of GPU memory allocating ${mib(bytes)} for ${what}${context ? ` (${context})` : ''}; ${(Math.max(0, this.live - bytes) / MIB).toFixed(0)} MiB in use besides it, ${(this.freeBytes / MIB).toFixed(0)} MiB cached`));
    }, () => { /* a lost device rejects the scope; the loss itself is reported */ });
    this.created++;
    return buffer;
  }

  private release(buffer: GPUBuffer): void {
    const cls = buffer.size;
    this.live -= cls;
    let list = this.free.get(cls);
    if (!list) {
      list = [];
      this.free.set(cls, list);
    }
    list.push(buffer);
    this.freeBytes += cls;
  }
}

/** A byte count in MiB, one decimal (GiB past 10 GiB, KiB under 1 MiB). */
function mib(bytes: number): string {
  if (bytes >= 10 * 1024 * MIB) return `${(bytes / (1024 * MIB)).toFixed(1)} GiB`;
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The current stack, deep enough to reach the op and the module above the allocator. */
function captureSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 24;
  const site = new Error('allocation');
  Error.stackTraceLimit = limit;
  return site;
}
