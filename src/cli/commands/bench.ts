// `moxing bench`: the parent of the benchmark subcommands; `bench matmul` times GEMM on every backend.

import type { Command } from 'commander';
import type { Backend, MatmulParams } from '../../backends/backend.js';
import { initBackends, setThreads } from '../../backends/index.js';
import { processIo, type Io } from '../io.js';
import { jsBackend } from '../../backends/js/index.js';
import { UserError } from '../errors.js';
import { nonNegativeNumber } from '../options.js';

/** One measurement, printed as one JSON line by `moxing bench matmul --json`. */
export interface MatmulResult {
  bench: 'matmul';
  backend: string;
  n: number;
  threads: number;
  gflops: number;
}

/** What to measure: sizes, thread counts, backends, and the time spent per measurement. */
export interface MatmulBenchOptions {
  sizes: number[];
  threads: number[];
  backends?: string[];
  /** Seconds of repetitions per measurement (at least one call; the best call counts). */
  minSeconds: number;
}

/**
 * The backends a benchmark can run: the fast ones found on this machine, then js.
 * @example benchBackends(['wasm']) // [the wasm backend], or throws if it is not available
 */
export function benchBackends(names?: string[]): Backend[] {
  const { blas, wasm } = initBackends(); // idempotent: the handles of the kernels main() registered
  const all = [blas, wasm, jsBackend].filter((b): b is Backend => b !== null);
  if (!names) return all;
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`bench: backend ${unknown.join(', ')} not available (have ${all.map((b) => b.name).join(', ')})`);
  return all.filter((b) => names.includes(b.name));
}

/**
 * Times C = A B for square float32 matrices on each backend's matmul kernel directly (no autograd),
 * storage allocated by that backend (so in place), best of the repetitions.
 * @example for (const r of matmulBench({ sizes: [256], threads: [1], minSeconds: 0.2 })) console.log(r.gflops);
 */
export function* matmulBench(options: MatmulBenchOptions): Generator<MatmulResult> {
  const backends = benchBackends(options.backends);
  for (const backend of backends) {
    for (const n of options.sizes) {
      const a = backend.alloc('float32', n * n) as Float32Array;
      const b = backend.alloc('float32', n * n) as Float32Array;
      const out = backend.alloc('float32', n * n) as Float32Array;
      // Deterministic values in [-1, 1): timing does not depend on them, but NaNs would hide bugs.
      for (let i = 0; i < n * n; i++) {
        a[i] = ((i * 7919) % 2000) / 1000 - 1;
        b[i] = ((i * 104729) % 2000) / 1000 - 1;
      }
      const p: MatmulParams = {
        batch: 1, m: n, n, k: n, transA: false, transB: false, aOffset: 0, bOffset: 0,
        aBatchStride: 0, bBatchStride: 0, accumulate: false,
      };
      const kernel = backend.kernels.matmul!;
      for (const threads of options.threads) {
        setThreads(threads);
        if (!kernel(a, b, out, p)) throw new Error(`bench: ${backend.name} did not handle a ${n}x${n} matmul`);
        let best = Infinity;
        const start = performance.now();
        do {
          const t0 = performance.now();
          kernel(a, b, out, p);
          best = Math.min(best, performance.now() - t0);
        } while (performance.now() - start < options.minSeconds * 1000);
        yield { bench: 'matmul', backend: backend.name, n, threads, gflops: Math.round((2 * n ** 3) / best / 1e5) / 10 };
      }
    }
  }
}

/**
 * GFLOP per CPU-second of all the process's threads for an n x n matmul: what the threads get done
 * while they run, so the 2-thread figure over the 1-thread one is the parallel efficiency even on a
 * machine busy with other work (where wall-clock figures mostly measure that work).
 * @example gflopsPerCpuSecond(benchBackends(['wasm'])[0], 1024, 2)
 */
export function gflopsPerCpuSecond(backend: Backend, n: number, threads: number, reps = 10): number {
  const a = backend.alloc('float32', n * n) as Float32Array, b = backend.alloc('float32', n * n) as Float32Array;
  const out = backend.alloc('float32', n * n) as Float32Array;
  a.fill(0.5);
  b.fill(0.25);
  const p: MatmulParams = {
    batch: 1, m: n, n, k: n, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false,
  };
  setThreads(threads);
  backend.kernels.matmul!(a, b, out, p);
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < reps; r++) backend.kernels.matmul!(a, b, out, p);
  const cpu = process.cpuUsage(cpu0);
  return (2 * n ** 3 * reps) / 1e9 / ((cpu.user + cpu.system) / 1e6);
}

function numberList(flag: string, value: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.some((x) => !Number.isInteger(x) || x <= 0)) throw new UserError(`${flag} expects a comma-separated list of positive integers, got '${value}'`);
  return list;
}

/**
 * The `moxing bench` parent command, created on first use: other benchmarks add subcommands to it.
 * @example benchCommand(program).command('train').action(...)
 */
export function benchCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'bench');
  return existing ?? program.command('bench').description('Benchmarks (throughput figures, not tests)');
}

/**
 * Registers `moxing bench matmul` under `moxing bench`.
 * @example registerBench(program) // then: moxing bench matmul --json
 */
export function registerBench(program: Command, io: Io = processIo): Command {
  const bench = benchCommand(program);
  bench
    .command('matmul')
    .description('GFLOP/s of a square float32 matmul on every available backend, 1 and 2 threads')
    .option('--json', 'one JSON object per line')
    .option('--sizes <list>', 'matrix sizes n', '256,512,1024,2048')
    .option('--threads <list>', 'thread counts', '1,2')
    .option('--backends <list>', 'backends to run (default: every available one)')
    .option('--min-seconds <s>', 'time spent per measurement (0: one run)', nonNegativeNumber, 0.5)
    .action((opts: { json?: boolean; sizes: string; threads: string; backends?: string; minSeconds: number }) => {
      const results = matmulBench({
        sizes: numberList('--sizes', opts.sizes),
        threads: numberList('--threads', opts.threads),
        backends: opts.backends?.split(',').map((s) => s.trim()),
        minSeconds: opts.minSeconds,
      });
      if (!opts.json) io.write(`${'backend'.padEnd(8)} ${'n'.padStart(5)} ${'threads'.padStart(7)} ${'GFLOP/s'.padStart(8)}\n`);
      for (const r of results) {
        io.write(opts.json
          ? `${JSON.stringify(r)}\n`
          : `${r.backend.padEnd(8)} ${String(r.n).padStart(5)} ${String(r.threads).padStart(7)} ${r.gflops.toFixed(1).padStart(8)}\n`);
      }
    });
  return bench;
}
