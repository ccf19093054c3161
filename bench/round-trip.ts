// How long a write on one thread takes to be seen on another and answered: a round trip between two
// cores through shared memory. Two-thread speedups of work that meets at every step (the boosters'
// lockstep trees, src/ml/hist-best-first.ts) depend on it, and on this virtual machine it moved
// between 0.11 and 0.6 µs from one hour to the next (the host placing its two cores nearer or
// farther apart), so the bench reports it beside those speedups.

import { Worker } from 'node:worker_threads';

const ECHO = `const { workerData } = require('node:worker_threads');
const a = new Int32Array(workerData);
Atomics.store(a, 32, 1);
for (;;) { const v = Atomics.load(a, 0); if (v < 0) break; if (v !== Atomics.load(a, 16)) Atomics.store(a, 16, v); }`;

/**
 * The mean round trip in µs over `trips` exchanges with a fresh worker thread (NaN if it does not
 * start within 10 s). Each side writes its own cache line and spins on the other's.
 * @example process.stderr.write(`round trip ${crossThreadRoundTripUs().toFixed(2)} µs\n`);
 */
export function crossThreadRoundTripUs(trips = 100_000): number {
  const a = new Int32Array(new SharedArrayBuffer(256));
  const worker = new Worker(ECHO, { eval: true, workerData: a.buffer });
  worker.unref();
  const until = Date.now() + 10_000;
  while (Atomics.load(a, 32) === 0) {
    if (Date.now() > until) { void worker.terminate(); return NaN; }
    Atomics.wait(a, 32, 0, 10);
  }
  const t0 = performance.now();
  for (let i = 1; i <= trips; i++) {
    Atomics.store(a, 0, i);
    while (Atomics.load(a, 16) !== i);
  }
  const us = ((performance.now() - t0) * 1000) / trips;
  Atomics.store(a, 0, -1);
  return us;
}
