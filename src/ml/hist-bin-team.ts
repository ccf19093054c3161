// Binning (src/ml/hist-binning.ts) on the fitting thread and an idle histogram helper side by side,
// for a booster with threads: binning is a fit's largest step before its first tree (Ames: 2.5 ms of
// a 20 ms two-thread gbm fit), and the helper a fit has just woken (src/ml/hist-team.ts) waits for
// its setup meanwhile. Both take blocks of columns from a shared counter, so a helper that starts
// late takes fewer (none, if the fitting thread has taken them all). The matrix is copied once into
// shared memory that is kept for the next fit (a fresh 4 MB buffer's first touches cost as much as
// binning half of it). The codes and cuts are binForHist's, column for column.

import { BIN_BLOCK, binBlock, binForHist, binnedOutputs, binScratch, checkMaxBins, type BinScratch, type HistBinned } from './hist-binning.js';
import { postToIdleHelper } from './hist-team.js';
import type { Matrix } from './matrix.js';

/** Cuts a column may have (maxBins - 1, maxBins at most 255). */
const MAX_CUTS = 254;
/** The largest shared copy kept between fits (doubles): larger matrices are binned on one thread. */
const MAX_SHARED = 8 << 20;
// ctrl words: the next block to take, the blocks finished, an error flag.
const B_NEXT = 0;
const B_DONE = 1;
const B_ERROR = 2;
/** The next block once the fitting thread has stopped the job: past every block. */
const CLOSED = 1 << 30;

/** What the helper gets: the shared copy of X, the outputs, and the counters. */
export interface BinJob {
  type: 'bin';
  data: Float64Array;
  rows: number;
  cols: number;
  maxBins: number;
  out: HistBinned;
  /** Each column's cuts at [j * MAX_CUTS, ...) (nBins[j] - 1 of them), for the columns the helper bins. */
  cuts: Float64Array;
  ctrl: Int32Array;
}

let kept: Float64Array | null = null;

/**
 * A shared buffer of at least n doubles, kept for the next fit (grown when needed). It stays for the
 * thread's life, up to MAX_SHARED doubles (64 MB): a booster refitted on data of one size (a search,
 * cross-validation) then copies into warm memory instead of a fresh buffer.
 */
function sharedScratch(n: number): Float64Array {
  if (!kept || kept.length < n) kept = new Float64Array(new SharedArrayBuffer(8 * n));
  return kept;
}

/**
 * binForHist(X, maxBins, categorical), shared with an idle helper when threads > 1 and one is idle
 * (else on this thread alone); stats, when given, gets the blocks of columns binned here.
 * @example const B = binForHistShared(X, 255, new Set(), 2);
 */
export function binForHistShared(X: Matrix, maxBins: number, categorical: ReadonlySet<number>, threads: number, stats?: { blocksHere: number }): HistBinned {
  const { rows: n, cols: p } = X;
  const nBlocks = Math.ceil(p / BIN_BLOCK);
  const size = n * p + p * MAX_CUTS;
  if (threads < 2 || nBlocks < 2 || size > MAX_SHARED) return binForHist(X, maxBins, categorical);
  checkMaxBins(maxBins);
  const out = binnedOutputs(n, p, categorical, true);
  const scratch = sharedScratch(size);
  const data = scratch.subarray(0, n * p);
  data.set(X.data.subarray(0, n * p));
  const cuts = scratch.subarray(n * p, size);
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const job: BinJob = { type: 'bin', data, rows: n, cols: p, maxBins, out, cuts, ctrl };
  if (!postToIdleHelper(job)) return binForHist(X, maxBins, categorical);
  const mine = new Uint8Array(p);
  let failed = false;
  try {
    const here = takeBlocks(job, binScratch(n), mine);
    if (stats) stats.blocksHere = here;
  } catch {
    failed = true;
  }
  // No block is taken from here on (after a failed block some may be left), and the ones the helper
  // took are finished before the outputs are read.
  const taken = Math.min(Atomics.exchange(ctrl, B_NEXT, CLOSED), nBlocks);
  let spins = 0;
  while (Atomics.load(ctrl, B_DONE) < taken) if ((++spins & 0xfff) === 0) Atomics.wait(ctrl, B_DONE, Atomics.load(ctrl, B_DONE), 1);
  // A bad categorical value: binned again on this thread, which throws the error for the first one.
  if (failed || Atomics.load(ctrl, B_ERROR) !== 0) return binForHist(X, maxBins, categorical);
  for (let j = 0; j < p; j++) if (!mine[j] && !out.categorical[j]) out.cuts[j] = cuts.slice(j * MAX_CUTS, j * MAX_CUTS + out.nBins[j]! - 1);
  return out;
}

/**
 * Takes blocks of the job's columns until none are left, binning each; every block taken is counted
 * finished, a failed one too (and the job flagged). Returns the blocks it binned. Each numeric
 * column's cuts go to the outputs, and the column is marked in `mine`, on the fitting thread (mine
 * given); on a helper (mine null), to the job's shared cuts. No callback: a helper's would be a new
 * closure for each fit (see binBlock).
 */
function takeBlocks(job: BinJob, scratch: BinScratch, mine: Uint8Array | null): number {
  let taken = 0;
  const { ctrl, cols: p } = job;
  const X: Matrix = { data: job.data, rows: job.rows, cols: p };
  const nBlocks = Math.ceil(p / BIN_BLOCK);
  for (let b = Atomics.add(ctrl, B_NEXT, 1); b < nBlocks; b = Atomics.add(ctrl, B_NEXT, 1)) {
    try {
      const j0 = b * BIN_BLOCK;
      binBlock(X, job.maxBins, job.out, j0, scratch);
      for (let k = 0; k < BIN_BLOCK && j0 + k < p; k++) {
        const c = scratch.cuts[k];
        if (!c) continue;
        if (mine) { job.out.cuts[j0 + k] = c; mine[j0 + k] = 1; } else job.cuts.set(c, (j0 + k) * MAX_CUTS);
      }
      taken++;
    } catch (err) {
      Atomics.store(ctrl, B_ERROR, 1);
      throw err;
    } finally {
      Atomics.add(ctrl, B_DONE, 1);
      Atomics.notify(ctrl, B_DONE);
    }
  }
  return taken;
}

let helperScratch: BinScratch | null = null;

/**
 * The helper's side of a job: its blocks' cuts into the shared cuts. A bad value flags the job (the
 * fitting thread then bins again alone and throws).
 */
export function helpBin(job: BinJob): void {
  if (!helperScratch || helperScratch.block.length < BIN_BLOCK * job.rows) helperScratch = binScratch(job.rows);
  try {
    takeBlocks(job, helperScratch, null);
  } catch {
    // flagged in takeBlocks
  }
}

/** Whether a message is a binning job (the helper's port also carries setups and wake-ups). */
export function isBinJob(m: unknown): m is BinJob {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'bin';
}
