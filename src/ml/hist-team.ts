// Histogram boosting on several threads, in one of two modes.
// Tree mode (more than two classes): an iteration's trees, one per class, are independent; each
// thread takes whole trees from a shared counter and grows them alone (src/ml/hist-tree.ts), and the
// helpers post theirs back. One handoff per iteration.
// Node mode (one tree per iteration, on large data only): the features are cut into one part per
// thread (src/ml/hist-layout.ts), and at every node each thread takes parts from a shared counter,
// building its part of the node's histogram, subtracting its part of the sibling's and finding the
// part's best split (src/ml/hist-split.ts); the fitting thread merges the parts' splits in feature
// order. The fitting thread never waits for a helper that has not taken a part.
// Steps are too short for messages: the threads share the data, the histograms and a few control
// words, and a helper spins (then sleeps) on them for as long as the grower lives (until close()).
// Results equal one thread's to the bit either way: every histogram slot sums the same rows in the
// same order, and ties go to the lower feature.

import { receiveMessageOnPort } from 'node:worker_threads';
import { ARGS, SPLIT_WORDS, runStep, type StepState } from './hist-split.js';
import type { HistLayout } from './hist-layout.js';
import type { HistLeaf, HistTree } from './hist-tree.js';
import { spawnWorker, type PoolWorker } from './worker-spawn.js';

// ctrl words: the step number, the command, an error flag, the next part to take, the parts finished.
// The word helpers spin on, the counter every thread takes parts from and the one the fitting thread
// spins on sit on separate 64-byte cache lines: a spinning reader of a line slows every write to it.
export const C_SEQ = 0;
export const C_CMD = 1;
export const C_ERROR = 2;
export const C_NEXT = 16;
export const C_FINISHED = 32;
const C_WORDS = 48;
export const CMD_STEP = 1;
export const CMD_EXIT = 2;
export const CMD_TREES = 3;
// Tree mode's arguments (in args): the number of trees, whether hessians are all 1, the growth options.
export const T_TASKS = 0;
export const T_HCONST = 1;
export const T_OPTS = 2; // maxLeafNodes, maxDepth, minSamplesLeaf, l2, learningRate
/**
 * Spins on a control word before sleeping on it: a helper about 1 ms (far longer than the pauses
 * between steps and trees: a sleeping helper wakes 50-100 µs after the step it was needed for), the
 * fitting thread about 0.1 ms for parts a helper has taken.
 */
export const SPIN = 1 << 20;
export const SPIN_MAIN = 1 << 17;

/** What a helper gets once per grower. */
export interface TeamSetup {
  type: 'setup';
  L: HistLayout;
  g: Float64Array;
  h: Float64Array;
  rows: Int32Array;
  ctrl: Int32Array;
  args: Float64Array;
  res: Float64Array;
  /** Rows used per tree in tree mode (trees of one call read g, h and rows at t * n). */
  treeRows: Float64Array;
  seq: number;
}

/** A tree grown by a helper in tree mode. */
export interface GrownMessage { t: number; tree: HistTree; leaves: HistLeaf[]; nodeRows: Int32Array }

const idle: PoolWorker[] = [];

function f64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/**
 * Takes parts from the counter and runs the step on each until none are left (`ready` first, once a
 * part is taken: the step's arguments are then this step's); returns how many it ran.
 * @example runParts(st, ctrl, args, res);
 */
export function runParts(st: StepState, ctrl: Int32Array, args: Float64Array, res: Float64Array, ready?: () => void): number {
  const nParts = st.L.parts.length;
  let ran = 0;
  for (let q = Atomics.add(ctrl, C_NEXT, 1); q < nParts; q = Atomics.add(ctrl, C_NEXT, 1)) {
    ready?.();
    runStep(st, q, args, res);
    ran++;
    Atomics.add(ctrl, C_FINISHED, 1);
    Atomics.notify(ctrl, C_FINISHED); // the fitting thread may have stopped spinning (no waiter: cheap)
  }
  return ran;
}

/**
 * The fitting thread's side: shared buffers, leased helpers, and the step that runs every part. In
 * tree mode (maxTrees > 1) the unit is instead a whole tree: trees of one boosting iteration (one per
 * class) grow on separate threads, each on its own slice of g, h and rows.
 * @example const team = new HistTeam(L, n, 1, 1); team.step(); team.close();
 */
export class HistTeam {
  readonly st: StepState;
  readonly args: Float64Array;
  readonly res: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly helpers: PoolWorker[] = [];
  private seq = 0;
  private closed = false;

  readonly treeRows: Float64Array;

  constructor(L: HistLayout, n: number, nHelpers: number, maxTrees: number) {
    const size = n * maxTrees;
    this.st = { L, g: f64(size), h: f64(size), rows: new Int32Array(new SharedArrayBuffer(4 * size)), hists: [] };
    this.treeRows = f64(maxTrees);
    this.args = f64(ARGS);
    this.res = f64(2 * L.parts.length * SPLIT_WORDS);
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * C_WORDS));
    Atomics.store(this.ctrl, C_NEXT, L.parts.length); // nothing to take before the first step
    for (let w = 0; w < nHelpers; w++) {
      const pw = idle.pop() ?? spawnWorker('hist-worker');
      this.helpers.push(pw);
      const setup: TeamSetup = { type: 'setup', L, g: this.st.g, h: this.st.h, rows: this.st.rows, ctrl: this.ctrl, args: this.args, res: this.res, treeRows: this.treeRows, seq: 0 };
      pw.port.postMessage(setup);
    }
  }

  /** A new shared histogram, known to every helper before the step that first uses it. */
  addHist(size: number): number {
    const hist = f64(size);
    for (const pw of this.helpers) pw.port.postMessage({ type: 'hist', hist });
    this.st.hists.push(hist);
    return this.st.hists.length - 1;
  }

  /** Runs the step in `args` on every part, here and on whichever helpers are awake. */
  step(): void {
    const { ctrl } = this;
    const nParts = this.st.L.parts.length;
    Atomics.store(ctrl, C_FINISHED, 0);
    Atomics.store(ctrl, C_NEXT, 0);
    this.post(CMD_STEP);
    runParts(this.st, ctrl, this.args, this.res);
    // Only parts a helper has already taken are waited for.
    this.waitFinished(nParts);
  }

  /**
   * Tree mode: trees [0, nTrees) (arguments already in args and treeRows) taken from the counter, here
   * by `grow` and on the helpers, whose trees are returned (in any order).
   */
  trees(nTrees: number, grow: (t: number) => void): GrownMessage[] {
    const { ctrl } = this;
    Atomics.store(ctrl, C_FINISHED, 0);
    Atomics.store(ctrl, C_NEXT, 0);
    this.post(CMD_TREES);
    for (let t = Atomics.add(ctrl, C_NEXT, 1); t < nTrees; t = Atomics.add(ctrl, C_NEXT, 1)) {
      grow(t);
      Atomics.add(ctrl, C_FINISHED, 1);
    }
    this.waitFinished(nTrees);
    // A helper posts each tree before counting it finished.
    const out: GrownMessage[] = [];
    for (const pw of this.helpers) {
      for (let m = receiveMessageOnPort(pw.port); m; m = receiveMessageOnPort(pw.port)) out.push(m.message as GrownMessage);
    }
    return out;
  }

  private waitFinished(total: number): void {
    const { ctrl } = this;
    let spins = 0;
    while (Atomics.load(ctrl, C_FINISHED) < total) {
      if (++spins < SPIN_MAIN) continue;
      Atomics.wait(ctrl, C_FINISHED, Atomics.load(ctrl, C_FINISHED), 1);
    }
    if (Atomics.load(ctrl, C_ERROR) !== 0) {
      let msg = 'a histogram thread failed';
      for (const pw of this.helpers) {
        for (let m = receiveMessageOnPort(pw.port); m; m = receiveMessageOnPort(pw.port)) {
          const e = (m.message as { error?: string }).error;
          if (e !== undefined) msg = e;
        }
      }
      this.fail(msg);
    }
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

  private fail(msg: string): never {
    // The helpers' state is unknown: they are dropped, not returned to the pool.
    this.closed = true;
    for (const pw of this.helpers.splice(0)) void pw.worker.terminate();
    throw new Error(`histogram thread: ${msg}`);
  }
}
