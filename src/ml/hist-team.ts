// Histogram boosting on several threads: with more than two classes, an iteration's trees (one per
// class) are independent, so each thread takes whole trees from a shared counter and grows them alone
// (src/ml/hist-tree.ts); the helpers post theirs back. One handoff per iteration. The threads share
// the binned data and each tree's gradients and rows; a helper spins (then sleeps) on a control word
// between iterations for as long as the grower lives (until close()). The trees equal one thread's
// to the bit: each is grown by the same code from the same inputs, whichever thread grows it.
//
// One tree per iteration (regression, two classes) stays on one thread. Sharing each node between
// threads (each building and searching its part of the features, merged in feature order) was built
// and measured: 0.55x (credit) to 1.3x (Ames) with two threads on a 2-core machine, since a node is
// 20-50 µs of work and every node needs a handoff. It is not used.

import { receiveMessageOnPort } from 'node:worker_threads';
import type { HistLayout } from './hist-layout.js';
import type { HistLeaf, HistTree } from './hist-tree.js';
import { spawnWorker, type PoolWorker } from './worker-spawn.js';

// ctrl words: the call number, the command, an error flag, the next tree to take, the trees finished.
// The word helpers spin on, the counter every thread takes trees from and the one the fitting thread
// spins on sit on separate 64-byte cache lines: a spinning reader of a line slows every write to it.
export const C_SEQ = 0;
export const C_CMD = 1;
export const C_ERROR = 2;
export const C_NEXT = 16;
export const C_FINISHED = 32;
const C_WORDS = 48;
export const CMD_EXIT = 2;
export const CMD_TREES = 3;
// The arguments of a call (in args): the number of trees, whether hessians are all 1, the growth options.
export const T_TASKS = 0;
export const T_HCONST = 1;
export const T_OPTS = 2; // maxLeafNodes, maxDepth, minSamplesLeaf, l2, learningRate
const ARGS = 8;
/**
 * Spins on a control word before sleeping on it: a helper about 1 ms (longer than the pause between
 * two iterations: a sleeping helper wakes 50-100 µs late), the fitting thread about 0.1 ms.
 */
export const SPIN = 1 << 20;
const SPIN_MAIN = 1 << 17;

/** What a helper gets once per grower. */
export interface TeamSetup {
  type: 'setup';
  L: HistLayout;
  /** Gradients, hessians and rows of tree t at [t * n, (t + 1) * n). */
  g: Float64Array;
  h: Float64Array;
  rows: Int32Array;
  ctrl: Int32Array;
  args: Float64Array;
  /** Rows used by each tree. */
  treeRows: Float64Array;
  /** The order trees are taken in: the i-th taken is tree order[i]. */
  order: Float64Array;
  seq: number;
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
  readonly args: Float64Array;
  readonly treeRows: Float64Array;
  readonly order: Float64Array;
  private readonly ctrl: Int32Array;
  private readonly helpers: PoolWorker[] = [];
  private seq = 0;
  private closed = false;

  constructor(L: HistLayout, n: number, nHelpers: number, maxTrees: number) {
    const size = n * maxTrees;
    this.g = f64(size);
    this.h = f64(size);
    this.rows = new Int32Array(new SharedArrayBuffer(4 * size));
    this.treeRows = f64(maxTrees);
    this.order = f64(maxTrees);
    this.args = f64(ARGS);
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * C_WORDS));
    Atomics.store(this.ctrl, C_NEXT, maxTrees); // nothing to take before the first call
    for (let w = 0; w < nHelpers; w++) {
      const pw = idle.pop() ?? spawnWorker('hist-worker');
      this.helpers.push(pw);
      const setup: TeamSetup = { type: 'setup', L, g: this.g, h: this.h, rows: this.rows, ctrl: this.ctrl, args: this.args, treeRows: this.treeRows, order: this.order, seq: 0 };
      pw.port.postMessage(setup);
    }
  }

  /**
   * Trees [0, nTrees) (arguments already in args, g, h, rows, treeRows and order) taken from the
   * counter in `order`, here by `grow` and on the helpers, whose trees are returned (in any order).
   */
  trees(nTrees: number, grow: (t: number) => void): GrownMessage[] {
    const { ctrl } = this;
    Atomics.store(ctrl, C_FINISHED, 0);
    Atomics.store(ctrl, C_NEXT, 0);
    this.post(CMD_TREES);
    for (let i = Atomics.add(ctrl, C_NEXT, 1); i < nTrees; i = Atomics.add(ctrl, C_NEXT, 1)) {
      grow(this.order[i]!);
      Atomics.add(ctrl, C_FINISHED, 1);
    }
    // Only trees a helper has already taken are waited for.
    let spins = 0;
    while (Atomics.load(ctrl, C_FINISHED) < nTrees) {
      if (++spins < SPIN_MAIN) continue;
      Atomics.wait(ctrl, C_FINISHED, Atomics.load(ctrl, C_FINISHED), 1);
    }
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

  private fail(msg: string): never {
    // The helpers' state is unknown: they are dropped, not returned to the pool.
    this.closed = true;
    for (const pw of this.helpers.splice(0)) void pw.worker.terminate();
    throw new Error(`histogram thread: ${msg}`);
  }
}
