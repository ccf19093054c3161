// Forest trees on several threads: worker_threads kept for the process (started on first use, unref'd),
// each with a MessageChannel the fitting thread reads synchronously (receiveMessageOnPort), so fit()
// stays synchronous. Threads take trees from a shared counter; tree e always grows from seed e, so the
// forest is the same for any thread count and whichever thread grows which tree.

import { receiveMessageOnPort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { growForestTree, type ForestJob, type ForestTree } from './forest-job.js';
import { spawnWorker, type PoolWorker } from './worker-spawn.js';

const pool: PoolWorker[] = [];
const spawn = (): PoolWorker => spawnWorker('forest-worker');

/**
 * The number of threads `nJobs` asks for: -1 is every core, otherwise at least 1.
 * @example resolveJobs(-1); // 2 on a 2-core machine
 */
export function resolveJobs(nJobs: number): number {
  if (nJobs === -1) return Math.max(1, availableParallelism());
  if (!(Number.isInteger(nJobs) && nJobs >= 1)) throw new Error(`nJobs must be a positive integer or -1, got ${nJobs}`);
  return nJobs;
}

/**
 * Grows trees[e] from seeds[e] for every e, on `threads` threads (this one included).
 * @example const trees = growTrees(job, seeds, 2);
 */
export function growTrees(job: ForestJob, seeds: number[], threads: number): ForestTree[] {
  const out: ForestTree[] = new Array(seeds.length);
  const helpers = Math.min(threads, seeds.length) - 1;
  if (helpers <= 0) {
    for (let e = 0; e < seeds.length; e++) out[e] = growForestTree(job, seeds[e]!);
    return out;
  }
  while (pool.length < helpers) pool.push(spawn());
  // Trees are taken from a shared counter, by this thread and the helpers alike: a helper that starts
  // late (or runs slower) takes fewer. ctrl: [next tree, trees finished by helpers].
  const ctrl = new Int32Array(new SharedArrayBuffer(8));
  for (let w = 0; w < helpers; w++) pool[w]!.port.postMessage({ job, seeds, ctrl });
  let mine = 0;
  for (let e = Atomics.add(ctrl, 0, 1); e < seeds.length; e = Atomics.add(ctrl, 0, 1)) {
    out[e] = growForestTree(job, seeds[e]!);
    mine++;
  }
  const expected = seeds.length - mine;
  let received = 0;
  while (received < expected) {
    // The count is read before the ports: a tree posted after this read changes it, so the wait
    // below returns at once instead of sleeping its full timeout on a count that already moved.
    const seen = Atomics.load(ctrl, 1);
    let got = false;
    for (let w = 0; w < helpers; w++) {
      for (let m = receiveMessageOnPort(pool[w]!.port); m; m = receiveMessageOnPort(pool[w]!.port)) {
        const r = m.message as ForestTree & { e: number; error?: string };
        if (r.error !== undefined) {
          // Drop the pool (its state is unknown) and report the error.
          for (const p of pool.splice(0)) void p.worker.terminate();
          throw new Error(`forest thread: ${r.error}`);
        }
        out[r.e] = { tree: r.tree, importances: r.importances };
        received++;
        got = true;
      }
    }
    if (!got) Atomics.wait(ctrl, 1, seen, 20);
  }
  return out;
}
