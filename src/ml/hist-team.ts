// Histogram boosting on several threads: with more than two classes, an iteration's trees (one per
// class) are independent, so each thread takes whole trees from a shared counter and grows them alone
// (src/ml/hist-tree.ts); the helpers post theirs back. One handoff per iteration. The threads share
// the binned data and each tree's gradients and rows; a helper spins (then sleeps) on a control word
// between iterations for as long as the grower lives (until close()). The trees equal one thread's
// to the bit: each is grown by the same code from the same inputs, whichever thread grows it.
//
// A softmax stage (src/ml/gbm.ts, src/ml/hist-gbm.ts) also shares its other work: the rows'
// probabilities and gradients are a rows call (blocks of rows taken from the counter), and each
// thread adds the trees it grew (gbm: with Newton leaf values) to the shared scores
// (src/ml/hist-softmax.ts): two handoffs per iteration. The binning before the first iteration is
// shared too (src/ml/hist-bin-team.ts), with the helper the fit has just woken.
//
// One tree per iteration (regression, two classes) grows on two threads in lockstep, each thread
// owning a feature part of every node (src/ml/hist-best-first.ts): one CMD_LOCKSTEP call per tree.

import { receiveMessageOnPort } from 'node:worker_threads';
import type { HistLayout } from './hist-layout.js';
import type { LockstepBuffers } from './hist-best-first.js';
import type { StageBuffers } from './hist-stage.js';
import type { HistLeaf, HistTree } from './hist-tree.js';
import { spawnWorker, type PoolWorker } from './worker-spawn.js';

// ctrl words: the call number, the command, an error flag, the next tree to take, the trees finished.
// The word helpers spin on, the counter every thread takes trees from and the one the fitting thread
// spins on sit on separate 64-byte cache lines: a spinning reader of a line slows every write to it.
export const C_SEQ = 0;
export const C_CMD = 1;
export const C_ERROR = 2;
export const C_READY = 3; // helpers that have their setup and are ready for calls
export const C_STARTED = 4; // helpers that have their setup (and are building what it asks, or ready)
export const C_NEXT = 16;
export const C_FINISHED = 32;
const C_WORDS = 48;
export const CMD_EXIT = 2;
export const CMD_TREES = 3;
export const CMD_ROWS = 4;
export const CMD_LOCKSTEP = 5;
// The arguments of a call (in args): the number of trees (or row blocks), whether hessians are all 1,
// the growth options; which softmax stage the call is part of (0: none; SOFTMAX_GBM, SOFTMAX_HGB in
// src/ml/hist-softmax.ts), the number of classes and gbm's learning rate; the rows of a block.
export const T_TASKS = 0;
export const T_HCONST = 1;
export const T_OPTS = 2; // maxLeafNodes, maxDepth, minSamplesLeaf, l2, learningRate
export const T_SOFTMAX = 7;
export const T_K = 8;
export const T_LR = 9;
export const T_BLOCK = 10;
const ARGS = 12;
/**
 * Spins on a control word before sleeping on it: a helper about 1 ms (longer than the pause between
 * two iterations: a sleeping helper wakes 50-100 µs late), the fitting thread about 0.1 ms.
 */
export const SPIN = 1 << 20;
const SPIN_MAIN = 1 << 17;

/**
 * Takes the next task of call `seq` from the shared counter, or returns -1 when the counter has moved
 * on to a later call. The counter holds the call (15 bits) above the next task (16 bits): a helper
 * still in the loop of a call that has ended (its last take not yet made) cannot take, and so steal,
 * a task of the next call, which started its count from 0 again.
 * @example for (let i = takeTask(ctrl, seq); i >= 0 && i < n; i = takeTask(ctrl, seq)) run(i);
 */
export function takeTask(ctrl: Int32Array, seq: number): number {
  const tag = (seq & 0x7fff) << 16;
  for (;;) {
    const v = Atomics.load(ctrl, C_NEXT);
    if ((v & 0x7fff0000) !== tag) return -1;
    if (Atomics.compareExchange(ctrl, C_NEXT, v, v + 1) === v) return v & 0xffff;
  }
}

/** What a helper gets once per grower. */
export interface TeamSetup {
  type: 'setup';
  L: HistLayout;
  /** Gradients, hessians and rows of tree t at [t * n, (t + 1) * n). */
  g: Float64Array;
  h: Float64Array;
  rows: Int32Array;
  /** Softmax stages: the scores (n x maxTrees, row-major) and the class of each row. */
  F: Float64Array;
  y: Int32Array;
  ctrl: Int32Array;
  args: Float64Array;
  /** Rows used by each tree. */
  treeRows: Float64Array;
  /** The order trees are taken in: the i-th taken is tree order[i]. */
  order: Float64Array;
  seq: number;
  /** One tree per iteration: what the helper shares with the grower's lockstep trees. */
  pair: PairBuffers | null;
}

/** What a helper shares with a grower whose trees it grows in lockstep (src/ml/hist-best-first.ts). */
export interface PairBuffers {
  g: Float64Array;
  h: Float64Array;
  /** The grower's rows: each tree's on entry, and the rows of nodes at even depths. */
  rows: Int32Array;
  lockstep: LockstepBuffers;
  /** The row lists of the helper's part, which it builds here before it reports ready (src/ml/hist-layout.ts withRowLists). */
  lists: { rowStart: Int32Array; rowSlots: Int32Array };
  /** The scores, targets and leaves of the stage's row work before each tree (src/ml/hist-stage.ts). */
  stage: StageBuffers;
}

/** A tree grown by a helper; its leaves as (node, start, end, value) quadruples (one typed array clones faster than objects). */
export interface GrownMessage { t: number; tree: HistTree; leaves: Float64Array; nodeRows: Int32Array; ms: number }

/**
 * Leaves to and from their message form.
 * @example unpackLeaves(packLeaves(leaves)); // the same leaves
 */
export function packLeaves(leaves: readonly HistLeaf[]): Float64Array {
  const out = new Float64Array(4 * leaves.length);
  leaves.forEach((l, i) => { out[4 * i] = l.node; out[4 * i + 1] = l.start; out[4 * i + 2] = l.end; out[4 * i + 3] = l.value; });
  return out;
}

export function unpackLeaves(packed: Float64Array): HistLeaf[] {
  const out: HistLeaf[] = [];
  for (let i = 0; i < packed.length; i += 4) out.push({ node: packed[i]!, start: packed[i + 1]!, end: packed[i + 2]!, value: packed[i + 3]! });
  return out;
}

const idle: PoolWorker[] = [];

/**
 * Wakes up to n idle helpers ahead of a grower (a fit calls it before binning): each then polls for
 * its setup instead of sleeping (src/ml/hist-worker.ts), as a sleeping thread took 1-6 ms to wake here
 * and a grower grows alone until its helper is ready. A no-op without idle helpers (the first fit
 * starts its threads then).
 */
export function wakeHistHelpers(n: number): void {
  for (let k = 0; k < Math.min(n, idle.length); k++) idle[idle.length - 1 - k]!.port.postMessage({ type: 'wake' });
}

/**
 * Posts a message to the idle helper the next grower will lease (the one wakeHistHelpers woke last),
 * as binning shares its columns with it (src/ml/hist-bin-team.ts); false when none is idle.
 */
export function postToIdleHelper(message: unknown): boolean {
  const pw = idle[idle.length - 1];
  if (!pw) return false;
  pw.port.postMessage(message);
  return true;
}

function f64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/**
 * The fitting thread's side: shared buffers for up to maxTrees trees per call, and leased helpers.
 * @example const team = new HistTeam(L, n, 1, 10); team.trees(10, grow); team.close();
 */
export class HistTeam {
  readonly g: Float64Array;
  readonly h: Float64Array;
  readonly rows: Int32Array;
  readonly F: Float64Array;
  readonly y: Int32Array;
  readonly args: Float64Array;
  readonly treeRows: Float64Array;
  readonly order: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly helpers: PoolWorker[] = [];
  private seq = 0;
  private closed = false;

  constructor(L: HistLayout, n: number, nHelpers: number, maxTrees: number, pair: PairBuffers | null = null) {
    const size = n * maxTrees;
    this.g = f64(size);
    this.h = f64(size);
    this.rows = new Int32Array(new SharedArrayBuffer(4 * size));
    this.F = f64(size);
    this.y = new Int32Array(new SharedArrayBuffer(4 * n));
    this.treeRows = f64(maxTrees);
    this.order = f64(maxTrees);
    this.args = f64(ARGS);
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * C_WORDS));
    Atomics.store(this.ctrl, C_NEXT, 0xffff); // nothing to take before the first call
    for (let w = 0; w < nHelpers; w++) {
      const pw = idle.pop() ?? spawnWorker('hist-worker');
      this.helpers.push(pw);
      const setup: TeamSetup = { type: 'setup', L, g: this.g, h: this.h, rows: this.rows, F: this.F, y: this.y, ctrl: this.ctrl, args: this.args, treeRows: this.treeRows, order: this.order, seq: 0, pair };
      pw.port.postMessage(setup);
    }
  }

  /**
   * Trees [0, nTrees) (arguments already in args, g, h, rows, treeRows and order) taken from the
   * counter in `order`, here by `grow` and on the helpers, whose trees are returned (in any order).
   */
  trees(nTrees: number, grow: (t: number) => void): GrownMessage[] {
    this.share(CMD_TREES, nTrees, (i) => grow(this.order[i]!));
    return this.collect();
  }

  /**
   * Row blocks [0, nBlocks) (arguments in args and the shared buffers), taken from the counter here
   * by `run` and on the helpers, which run the softmax stage's rows (src/ml/hist-softmax.ts).
   */
  rowBlocks(nBlocks: number, run: (b: number) => void): void {
    this.share(CMD_ROWS, nBlocks, run);
    // Nothing is posted but errors.
    if (this.collect().length > 0) this.fail('a histogram thread posted a tree in a rows call');
  }

  /** Starts the helper on a lockstep tree (its arguments already in the lockstep buffers). */
  beginLockstep(): void {
    this.post(CMD_LOCKSTEP);
  }

  /** True once every helper has its setup and waits for calls (a fresh thread takes a while to load). */
  ready(): boolean {
    return !this.closed && Atomics.load(this.ctrl, C_READY) >= this.helpers.length;
  }

  /**
   * Waits up to ms for every helper to be ready, while each that has its setup works on it (a helper
   * not yet started, still loading, is not waited for); whether they are.
   */
  awaitReady(ms: number): boolean {
    const until = performance.now() + ms;
    while (!this.ready()) {
      if (this.closed || Atomics.load(this.ctrl, C_STARTED) < this.helpers.length || performance.now() > until) return false;
    }
    return true;
  }

  /** Throws a helper's error, if one has failed (a fitting thread waiting on a record checks it). */
  check(): void {
    if (Atomics.load(this.ctrl, C_ERROR) !== 0) this.collect();
  }

  /** Tasks [0, nTasks) of a call, taken from the shared counter by this thread and the helpers; returns when all are finished. */
  private share(cmd: number, nTasks: number, run: (i: number) => void): void {
    const { ctrl } = this;
    if (nTasks > 0xfff0) throw new Error(`histogram team: ${nTasks} tasks in one call`);
    const seq = this.seq + 1;
    Atomics.store(ctrl, C_FINISHED, 0);
    Atomics.store(ctrl, C_NEXT, (seq & 0x7fff) << 16);
    this.post(cmd);
    for (let i = takeTask(ctrl, seq); i >= 0 && i < nTasks; i = takeTask(ctrl, seq)) {
      run(i);
      Atomics.add(ctrl, C_FINISHED, 1);
    }
    // Only tasks a helper has already taken are waited for.
    let spins = 0;
    while (Atomics.load(ctrl, C_FINISHED) < nTasks) {
      if (++spins < SPIN_MAIN) continue;
      Atomics.wait(ctrl, C_FINISHED, Atomics.load(ctrl, C_FINISHED), 1);
    }
  }

  /** The helpers' posted trees (throws on a posted error). */
  private collect(): GrownMessage[] {
    const { ctrl } = this;
    // A helper posts each tree (or its error) before counting it finished.
    const out: GrownMessage[] = [];
    let error: string | null = null;
    for (const pw of this.helpers) {
      for (let m = receiveMessageOnPort(pw.port); m; m = receiveMessageOnPort(pw.port)) {
        const e = (m.message as { error?: string }).error;
        if (e !== undefined) error = e;
        else out.push(m.message as GrownMessage);
      }
    }
    if (error !== null || Atomics.load(ctrl, C_ERROR) !== 0) this.fail(error ?? 'a histogram thread failed');
    return out;
  }

  /** Sends the helpers back to their event loops (and to the idle pool). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post(CMD_EXIT);
    // A helper that failed to start posted its error: it is dropped, not reused.
    for (const pw of this.helpers.splice(0)) {
      const m = receiveMessageOnPort(pw.port)?.message as { error?: string } | undefined;
      if (m?.error !== undefined) void pw.worker.terminate();
      else idle.push(pw);
    }
  }

  private post(cmd: number): void {
    Atomics.store(this.ctrl, C_CMD, cmd);
    Atomics.store(this.ctrl, C_SEQ, ++this.seq);
    Atomics.notify(this.ctrl, C_SEQ);
  }

  /** Drops the helpers (their state unknown: a lockstep tree given up midway), for close() to find none. */
  abandon(): void {
    this.closed = true;
    for (const pw of this.helpers.splice(0)) void pw.worker.terminate();
  }

  private fail(msg: string): never {
    // The helpers' state is unknown: they are dropped, not returned to the pool.
    this.abandon();
    throw new Error(`histogram thread: ${msg}`);
  }
}
