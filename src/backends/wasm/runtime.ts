// The wasm runtime: heap, the main-thread kernel instance, per-thread scratch and the worker pool.

import { WasmHeap } from './heap.js';
import { loadKernelModule, type KernelExports } from './module.js';
import { WorkerPool, type Part } from './pool.js';
import { wasmApi, type WasmModule } from './wasm-api.js';
import { threads as platform } from './threads.js';
import { envVar } from '../env.js';

const EXPORT_NAMES = [
  'matmul', 'unary', 'unaryBackward', 'binary', 'addInto', 'adamw', 'softmax', 'layerNorm',
  'layerNormBackward', 'crossEntropy', 'crossEntropyBackward', 'attention', 'attentionBackward', 'embedding', 'embeddingBackward',
  'linearInt8', 'matvecT',
] as const;
/** A kernel export callable on every thread. */
export type ExportName = (typeof EXPORT_NAMES)[number];

/**
 * Default thread count: MOXING_THREADS, else the cores this process may use (one in a browser page
 * that is not cross-origin isolated: its memory cannot be shared with workers).
 * @example MOXING_THREADS=1 node app.js // defaultThreads() === 1
 */
export function defaultThreads(): number {
  return threadsFromEnv() ?? (platform.canShareMemory() ? Math.max(1, platform.cores()) : 1);
}

/** MOXING_THREADS as a positive whole number, or null when it is unset or not one. */
export function threadsFromEnv(): number | null {
  const env = Number(envVar('MOXING_THREADS'));
  return Number.isInteger(env) && env > 0 ? env : null;
}

/**
 * Everything a wasm kernel call needs.
 * @example
 * const rt = new WasmRuntime();
 * const x = rt.heap.alloc('float32', 8) as Float32Array;
 */
export class WasmRuntime {
  readonly heap: WasmHeap;
  readonly exports: KernelExports;
  readonly relaxed: boolean;
  private pool: WorkerPool | null = null;
  private threads = defaultThreads();
  private scratch: number[] = [];
  private readonly scratchBytes: number;
  private readonly module: WasmModule;

  constructor() {
    const { module, relaxed } = loadKernelModule();
    this.module = module;
    this.relaxed = relaxed;
    this.heap = new WasmHeap();
    const instance = new wasmApi.Instance(module, { env: { memory: this.heap.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.heap.useZero(this.exports.zero);
    this.scratchBytes = this.exports.gemmScratchBytes();
  }

  /** Threads a kernel call may use (the caller plus workers). */
  getThreads(): number {
    return this.threads;
  }

  /** Sets the thread count (>= 1); workers start on the next parallel call. */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new Error(`setThreads: expected a positive integer, got ${n}`);
    this.threads = n;
  }

  /**
   * Starts the worker threads now and resolves with the thread count that runs kernels: needed
   * where the caller may not block (a browser page, whose workers start only when it yields);
   * in Node the first parallel call starts them anyway. One thread if they cannot start.
   * @example await runtime.startThreads() // 4 in a cross-origin isolated page on 4 cores
   */
  async startThreads(): Promise<number> {
    if (this.threads <= 1) return 1;
    this.pool ??= new WorkerPool(this.module, this.heap.memory, EXPORT_NAMES);
    if (!(await this.pool.whenReady(this.threads - 1))) this.threads = 1;
    return this.threads;
  }

  /** GEMM packing scratch private to thread `tid` (0 = caller). */
  scratchFor(tid: number): number {
    while (this.scratch.length <= tid) this.scratch.push(this.heap.raw(this.scratchBytes));
    return this.scratch[tid];
  }

  /** How many threads to use for `work` units when one thread should get at least `minPerThread`. */
  threadsFor(work: number, minPerThread: number): number {
    const t = Math.min(this.threads, Math.floor(work / minPerThread));
    if (t <= 1) return 1;
    if (!this.pool) this.pool = new WorkerPool(this.module, this.heap.memory, EXPORT_NAMES);
    if (!this.pool.ensure(t - 1)) return 1;
    return t;
  }

  /**
   * Runs every chunk once over `threads` threads that pull chunks as they finish (see threadsFor).
   * `localAt` lists the argument positions each thread fills with its own `locals(tid)` values.
   */
  runDynamic(name: ExportName, chunks: Part[], threads: number, localAt: number[], locals: (tid: number) => number[]): void {
    const fn = this.exports[name] as (...args: number[]) => void;
    const perThread = Array.from({ length: threads }, (_, t) => locals(t));
    if (threads <= 1 || chunks.length <= 1) {
      for (const c of chunks) {
        const args = c.slice();
        localAt.forEach((pos, j) => { args[pos] = perThread[0][j]; });
        fn(...args);
      }
      return;
    }
    this.pool!.runDynamic(name, chunks, threads, localAt, perThread, fn);
  }

  /** Runs one export per part: part 0 on this thread, the rest on workers (see threadsFor). */
  run(name: ExportName, parts: Part[]): void {
    const fn = this.exports[name] as (...args: number[]) => void;
    if (parts.length === 1) {
      fn(...parts[0]);
      return;
    }
    this.pool!.run(name, parts, fn);
  }
}

/**
 * Splits [0, n) into `parts` ranges whose starts are multiples of `align`, as [start, end) pairs.
 * @example splitRange(10, 2, 4) // [[0, 8], [8, 10]]
 */
export function splitRange(n: number, parts: number, align = 1): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const units = Math.ceil(n / align);
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const endUnit = Math.round(((p + 1) * units) / parts);
    const end = Math.min(n, endUnit * align);
    if (end > start) out.push([start, end]);
    start = Math.max(start, end);
  }
  return out;
}
