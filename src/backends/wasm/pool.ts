// A worker_threads pool running kernel calls on the shared wasm memory, woken and joined with Atomics.
//
// Each worker instantiates the same compiled module on the same shared memory. A call writes one
// task (export index + numeric arguments) per worker into a shared control block, bumps a generation
// counter and notifies; the calling thread runs its own part meanwhile, then waits for a pending
// count to reach zero. A dynamic call instead lists more chunks than threads and every thread
// pulls the next one from an atomic counter, so a core slowed by other work takes fewer chunks. Everything stays synchronous for the caller, so kernels keep their plain
// function signatures. Node lets the main thread Atomics.wait; a browser page's main thread may
// not, so there the caller spins while joining and workers are started ahead (whenReady).
// How workers start is the platform's (./threads.ts, swapped for Web Workers in the browser build).

import type { WasmMemory, WasmModule } from './wasm-api.js';
import type { KernelWorker } from './threads-api.js';
import { threads as platform } from './threads.js';

const GEN = 0, PENDING = 1, READY = 2, ERROR = 3, SHUTDOWN = 4;
// Dynamic calls: next chunk, chunk count, and the argument positions filled per thread (-1: none).
const NEXT = 5, CHUNKS = 6, LOCAL0 = 7, LOCAL1 = 8;
// Then one int per worker: the generation its current task belongs to. A worker runs a task only
// when that equals the generation it woke for, so a late or spurious wake never runs a task twice.
const TASK_GEN = 16;
const MAX_WORKERS = 64;
const HEADER_BYTES = (TASK_GEN + MAX_WORKERS) * 4;
const SLOT = 24; // float64s per worker task: export index, argument count, up to 22 arguments
const MAX_CHUNKS = 256;
// Float64 layout after the header: worker slots, 2 thread-local values per thread, the chunk table.
const LOCALS = MAX_WORKERS * SLOT;
const TABLE = LOCALS + (MAX_WORKERS + 1) * 2;
const FLOATS = TABLE + MAX_CHUNKS * SLOT;

// A worker's code, run with module, memory, ctrl, id and names in scope (see threads.ts).
const WORKER_BODY = `
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => ex[n]);
const hdr = new Int32Array(ctrl, 0, ${HEADER_BYTES / 4});
const slots = new Float64Array(ctrl, ${HEADER_BYTES});
const base = id * ${SLOT};
const args = [];
// Read the generation before saying ready: every task dispatched after READY has a newer one.
let gen = Atomics.load(hdr, ${GEN});
Atomics.add(hdr, ${READY}, 1);
Atomics.notify(hdr, ${READY});
for (;;) {
  Atomics.wait(hdr, ${GEN}, gen);
  const g = Atomics.load(hdr, ${GEN});
  if (g === gen) continue;
  gen = g;
  if (Atomics.load(hdr, ${SHUTDOWN}) === 1) break;
  if (Atomics.load(hdr, ${TASK_GEN} + id) !== g) continue;
  const fi = slots[base];
  if (fi >= 0 && slots[base + 1] >= 0) {
    const n = slots[base + 1];
    args.length = n;
    for (let i = 0; i < n; i++) args[i] = slots[base + 2 + i];
    try { fns[fi](...args); } catch (e) { Atomics.store(hdr, ${ERROR}, 1); }
  } else if (fi >= 0) {
    // Dynamic: pull chunks until none is left; this thread's locals replace two arguments.
    const count = Atomics.load(hdr, ${CHUNKS});
    const p0 = Atomics.load(hdr, ${LOCAL0}), p1 = Atomics.load(hdr, ${LOCAL1});
    for (;;) {
      const c = Atomics.add(hdr, ${NEXT}, 1);
      if (c >= count) break;
      const cb = ${TABLE} + c * ${SLOT};
      const n = slots[cb + 1];
      args.length = n;
      for (let i = 0; i < n; i++) args[i] = slots[cb + 2 + i];
      if (p0 >= 0) args[p0] = slots[${LOCALS} + (id + 1) * 2];
      if (p1 >= 0) args[p1] = slots[${LOCALS} + (id + 1) * 2 + 1];
      try { fns[fi](...args); } catch (e) { Atomics.store(hdr, ${ERROR}, 1); break; }
    }
  }
  if (Atomics.sub(hdr, ${PENDING}, 1) === 1) Atomics.notify(hdr, ${PENDING});
}
`;

/** One part of a parallel call: the arguments of one export call. */
export type Part = number[];

/**
 * Threads that run parts of a kernel call next to the calling thread.
 * @example
 * const pool = new WorkerPool(module, memory, names);
 * pool.run(1, 'unary', [[0, x, out, half], [0, x + half * 4, out + half * 4, n - half]], mainExports);
 */
export class WorkerPool {
  private workers: KernelWorker[] = [];
  private ctrl: SharedArrayBuffer;
  private hdr: Int32Array;
  private slots: Float64Array;
  private index: Map<string, number>;
  private broken = false;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly names: readonly string[],
    private readonly maxWorkers = MAX_WORKERS,
  ) {
    this.maxWorkers = Math.min(maxWorkers, MAX_WORKERS);
    this.ctrl = new SharedArrayBuffer(HEADER_BYTES + FLOATS * 8);
    this.hdr = new Int32Array(this.ctrl, 0, HEADER_BYTES / 4);
    this.slots = new Float64Array(this.ctrl, HEADER_BYTES);
    this.index = new Map(names.map((n, i) => [n, i]));
  }

  /**
   * Starts workers until `count` exist and waits until they are ready; false if they failed to start.
   * Where the caller may not block (a browser page) it only starts them: false until whenReady says so.
   */
  ensure(count: number): boolean {
    if (this.broken) return false;
    count = Math.min(count, this.maxWorkers);
    while (this.workers.length < count) {
      const data = { module: this.module, memory: this.memory, ctrl: this.ctrl, id: this.workers.length, names: this.names };
      this.workers.push(platform.spawnKernelWorker(WORKER_BODY, data, () => { this.broken = true; }));
    }
    if (!platform.canBlock) return Atomics.load(this.hdr, READY) >= count;
    // Worker startup runs on its own thread, so blocking here does not deadlock (Node allows it).
    const deadline = Date.now() + 20000;
    for (;;) {
      const ready = Atomics.load(this.hdr, READY);
      if (ready >= this.workers.length) return true;
      const left = deadline - Date.now();
      if (left <= 0 || this.broken) {
        this.broken = true;
        return false;
      }
      Atomics.wait(this.hdr, READY, ready, Math.min(left, 50));
    }
  }

  /**
   * Starts `count` workers and resolves once they are ready (true) or failed (false), yielding to
   * the event loop meanwhile: how a browser page starts its threads before the first kernel call.
   * @example await pool.whenReady(3)
   */
  async whenReady(count: number, timeoutMs = 20000): Promise<boolean> {
    count = Math.min(count, this.maxWorkers);
    if (this.ensure(count)) return true;
    const deadline = Date.now() + timeoutMs;
    while (!this.broken && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (Atomics.load(this.hdr, READY) >= count) return true;
    }
    this.broken = true;
    return false;
  }

  /** Number of started workers. */
  size(): number {
    return this.workers.length;
  }

  /**
   * Runs parts[0] on the calling thread (through `local`) and parts[i] on worker i-1, returning when
   * all are done. Needs ensure(parts.length - 1) first.
   */
  run(name: string, parts: Part[], local: (...args: number[]) => void): void {
    const fi = this.index.get(name);
    if (fi === undefined) throw new Error(`worker pool: unknown export ${name}`);
    const nw = parts.length - 1;
    // Generations wrap like int32; only equality matters.
    const gen = (Atomics.load(this.hdr, GEN) + 1) | 0;
    Atomics.store(this.hdr, PENDING, nw);
    Atomics.store(this.hdr, ERROR, 0);
    for (let w = 0; w < nw; w++) {
      const args = parts[w + 1];
      const base = w * SLOT;
      this.slots[base] = fi;
      this.slots[base + 1] = args.length;
      for (let i = 0; i < args.length; i++) this.slots[base + 2 + i] = args[i];
      Atomics.store(this.hdr, TASK_GEN + w, gen);
    }
    Atomics.store(this.hdr, GEN, gen);
    Atomics.notify(this.hdr, GEN);
    try {
      local(...parts[0]);
    } finally {
      this.join(name);
    }
  }

  /**
   * Runs every chunk once on `threads` threads (the caller and threads - 1 workers), each thread
   * pulling the next chunk when done. `locals[t]` holds up to two per-thread values (scratch
   * buffers) written over the chunk arguments at positions `localAt` on thread t.
   */
  runDynamic(
    name: string, chunks: Part[], threads: number, localAt: number[], locals: number[][],
    local: (...args: number[]) => void,
  ): void {
    const fi = this.index.get(name);
    if (fi === undefined) throw new Error(`worker pool: unknown export ${name}`);
    if (chunks.length > MAX_CHUNKS) throw new Error(`worker pool: ${chunks.length} chunks > ${MAX_CHUNKS}`);
    for (let c = 0; c < chunks.length; c++) {
      const cb = TABLE + c * SLOT;
      this.slots[cb + 1] = chunks[c].length;
      for (let i = 0; i < chunks[c].length; i++) this.slots[cb + 2 + i] = chunks[c][i];
    }
    for (let t = 0; t < threads; t++) {
      this.slots[LOCALS + t * 2] = locals[t]?.[0] ?? 0;
      this.slots[LOCALS + t * 2 + 1] = locals[t]?.[1] ?? 0;
    }
    Atomics.store(this.hdr, LOCAL0, localAt[0] ?? -1);
    Atomics.store(this.hdr, LOCAL1, localAt[1] ?? -1);
    Atomics.store(this.hdr, CHUNKS, chunks.length);
    Atomics.store(this.hdr, NEXT, 0);
    const nw = threads - 1;
    const gen = (Atomics.load(this.hdr, GEN) + 1) | 0;
    Atomics.store(this.hdr, PENDING, nw);
    Atomics.store(this.hdr, ERROR, 0);
    for (let w = 0; w < nw; w++) {
      this.slots[w * SLOT] = fi;
      this.slots[w * SLOT + 1] = -1; // dynamic
      Atomics.store(this.hdr, TASK_GEN + w, gen);
    }
    Atomics.store(this.hdr, GEN, gen);
    Atomics.notify(this.hdr, GEN);
    try {
      for (;;) {
        const c = Atomics.add(this.hdr, NEXT, 1);
        if (c >= chunks.length) break;
        const args = chunks[c].slice();
        if (localAt[0] !== undefined) args[localAt[0]] = locals[0][0];
        if (localAt[1] !== undefined) args[localAt[1]] = locals[0][1];
        local(...args);
      }
    } finally {
      // Even when the caller's part traps, the workers must be done before their chunks' memory is reused.
      this.join(name);
    }
  }

  private join(name: string): void {
    // Short spin first: the workers usually finish within microseconds of the caller.
    for (let spin = 0; spin < 2000 && Atomics.load(this.hdr, PENDING) > 0; spin++);
    for (;;) {
      const pending = Atomics.load(this.hdr, PENDING);
      if (pending <= 0) break;
      if (this.broken) throw new Error('worker pool: a worker died');
      if (platform.canBlock) Atomics.wait(this.hdr, PENDING, pending, 1000);
    }
    if (Atomics.load(this.hdr, ERROR) !== 0) throw new Error(`worker pool: kernel ${name} trapped in a worker`);
  }

  /** Stops the workers (they are unref'd, so a process exits without this). */
  close(): void {
    Atomics.store(this.hdr, SHUTDOWN, 1);
    Atomics.add(this.hdr, GEN, 1);
    Atomics.notify(this.hdr, GEN);
    for (const w of this.workers) w.terminate();
    this.workers = [];
  }
}
