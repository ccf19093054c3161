// Best-first (leaf-wise) growth of one histogram tree (src/ml/hist-tree.ts), alone or by two threads
// in lockstep. In lockstep both threads run this same loop on the same inputs, so they make the same
// decisions (which node to split, where its rows go) without telling each other. Each owns one of two
// feature parts (src/ml/hist-layout.ts splitLayout): it builds, subtracts and scans only its part's
// slots of each histogram (from its own pool), and the two parts' best splits meet in a shared result
// array at a barrier. Each thread partitions half of a node's rows (src/ml/hist-partition.ts
// splitRows) from one of two row buffers into the other (a node's rows sit in the buffer of its
// depth's parity), and meets the other thread before either builds a child's histogram from them. The
// helper thread runs the loop as part 1 (src/ml/hist-worker.ts) and throws its tree away.
//
// The tree equals one thread's to the bit: each slot sums the node's rows in the same order, and the
// parts' splits are merged in feature order (readSplit), as one scan over every feature would pick.
//
// Three designs before this one were measured and dropped. A helper expanding the next-best nodes
// ahead from a queue, committed in best-first order by the fitting thread: 1.0-1.4x on one-tree-per-
// iteration boosters, as best-first order leaves one node (or none) to run ahead most of the time.
// Each node's step split by feature parts, the helper's part posted to it as a task: 0.55-1.3x, a
// handoff of 20-50 µs in every node (here both threads are always in the loop, and a barrier is one
// spin on a word, 0.15-0.3 µs). Sharing each tree's rows (each thread owning half, histograms
// summed): 1.1-1.3x, and the summed histograms differ from one thread's in the last bits.

import type { HistBinned } from './hist-binning.js';
import type { HistLayout } from './hist-layout.js';
import { partition, splitRows } from './hist-partition.js';
import { A_DO_LARGE, A_DO_SMALL, A_END, A_G, A_HCONST, A_L2, A_MSL, A_PARENT, A_SMALL, A_START, ARGS, MIN_HESSIAN, SPLIT_WORDS, readSplit, runStep, type Split, type StepState } from './hist-split.js';
import type { GrowResult, HistGrowOptions, HistLeaf, HistTree } from './hist-tree.js';

// Sync words: each thread's count of barriers passed, on a cache line of its own (a spinning reader
// of a line slows every write to it), and the helper's count of trees finished.
const W_STEP = [0, 16] as const;
const W_TREES = 32;
/** Shared words of a lockstep pair. */
export const LOCKSTEP_WORDS = 48;
/** Doubles of the shared split results: two feature parts, two children, two alternating steps. */
export const LOCKSTEP_RES = 2 * 4 * SPLIT_WORDS;
// Tree arguments (shared, written by the fitting thread before it starts the helper on a tree).
export const LS_M = 0;
export const LS_HCONST = 1;
export const LS_OPTS = 2; // maxLeafNodes, maxDepth, minSamplesLeaf, l2, learningRate
/** The iteration's row work before the tree (src/ml/hist-stage.ts; 0: none) and the last tree's leaves. */
export const LS_STAGE = 7;
export const LS_LEAVES = 8;
/** 1 when the helper's copy of the scores is current but for the last tree's leaves (it grew the last tree too). */
export const LS_SYNCED = 9;
export const LOCKSTEP_ARGS = 10;

/** What both threads of a pair share besides the grower's rows, gradients and hessians. */
export interface LockstepBuffers {
  sync: Int32Array;
  res: Float64Array;
  args: Float64Array;
  /** The second row buffer: the rows of nodes at odd depths. */
  rowsB: Int32Array;
  /** Each half's sums of the root's gradients and hessians (rootSums): [G0, H0, G1, H1]. */
  sums: Float64Array;
}

export function lockstepBuffers(n: number): LockstepBuffers {
  return {
    sync: new Int32Array(new SharedArrayBuffer(4 * LOCKSTEP_WORDS)),
    res: new Float64Array(new SharedArrayBuffer(8 * LOCKSTEP_RES)),
    args: new Float64Array(new SharedArrayBuffer(8 * LOCKSTEP_ARGS)),
    rowsB: new Int32Array(new SharedArrayBuffer(4 * n)),
    sums: new Float64Array(new SharedArrayBuffer(8 * 4)),
  };
}

/** The tree options (and the row work before it: stage kind and leaves) as lockstep arguments, and back. */
export function writeLockstepArgs(args: Float64Array, m: number, hConst: boolean, o: HistGrowOptions, stage = 0, nLeaves = 0, synced = false): void {
  args[LS_M] = m;
  args[LS_HCONST] = hConst ? 1 : 0;
  args[LS_OPTS] = o.maxLeafNodes; args[LS_OPTS + 1] = o.maxDepth; args[LS_OPTS + 2] = o.minSamplesLeaf; args[LS_OPTS + 3] = o.l2; args[LS_OPTS + 4] = o.learningRate;
  args[LS_STAGE] = stage;
  args[LS_LEAVES] = nLeaves;
  args[LS_SYNCED] = synced ? 1 : 0;
}

export function readLockstepArgs(args: Float64Array): { m: number; hConst: boolean; o: HistGrowOptions; stage: number; nLeaves: number; synced: boolean } {
  return {
    m: args[LS_M]!, hConst: args[LS_HCONST] === 1,
    o: { maxLeafNodes: args[LS_OPTS]!, maxDepth: args[LS_OPTS + 1]!, minSamplesLeaf: args[LS_OPTS + 2]!, l2: args[LS_OPTS + 3]!, learningRate: args[LS_OPTS + 4]! },
    stage: args[LS_STAGE]!, nLeaves: args[LS_LEAVES]!, synced: args[LS_SYNCED] === 1,
  };
}

/**
 * The row work before a lockstep (together) or lone tree, on this thread's side q; meet() is the
 * pair's barrier. It leaves the sums of its half of the rows (both halves, alone) in sums, as
 * rootSums would, by the time it returns from its last meeting.
 */
export type StagePrepare = (together: boolean, q: number, meet: () => void, sums: Float64Array) => void;

/**
 * The gradients' and hessians' sums over positions [from, to) of rows, in order, to sums[at] and
 * sums[at + 1] (the count, hConst). A root's totals are the sums of its two halves' (src/ml/hist-stage.ts
 * computes the same in its gradient pass): two threads then take a half each.
 * @example rootSums(g, h, rows, 0, m >>> 1, false, sums, 0);
 */
export function rootSums(g: Float64Array, h: Float64Array, rows: Int32Array, from: number, to: number, hConst: boolean, sums: Float64Array, at: number): void {
  let G = 0;
  let H = 0;
  for (let t = from; t < to; t++) { const i = rows[t]!; G += g[i]!; if (!hConst) H += h[i]!; }
  sums[at] = G;
  sums[at + 1] = hConst ? to - from : H;
}

/**
 * The row work after a lockstep (together) or lone tree: on this thread's half of the positions of the
 * tree's leaves (the first on the fitting thread, the second on the helper; both, alone), once every
 * row is in its leaf's place.
 */
export type StageFinish = (leaves: readonly { start: number; end: number }[], together: boolean) => void;

/** A thread's pool of histograms, by number. */
export interface HistPool {
  /** Every histogram is free again (at the start of a tree). */
  startTree(): void;
  alloc(): number;
  release(k: number): void;
}

/** A thread's side of a lockstep pair: its part and the shared buffers (the two-part layout comes by setPairLayout). */
export interface PairSide {
  q: 0 | 1;
  buf: LockstepBuffers;
  /** Called now and then while waiting for the other thread: throws if it has failed. */
  check(): void;
}

/** What grow() returns on the helper's side of a lockstep tree. */
const HELPER_RESULT: GrowResult = {
  tree: { feature: new Int32Array(0), threshold: new Float64Array(0), missingLeft: new Uint8Array(0), catOffset: new Int32Array(0), bits: new Int32Array(0), left: new Int32Array(0), right: new Int32Array(0), value: new Float64Array(0) },
  leaves: [], nodeRows: new Int32Array(0),
};

interface Node {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  hist: number;
  split: Split | null;
}

/**
 * Grows trees one at a time on the rows, gradients and hessians of st (rows[0, m) on entry, permuted
 * so that each leaf's rows are contiguous), alone or with its pair; a grower keeps one for its life.
 * @example const { tree, leaves } = new BestFirst(B, st, pool, null).grow(true, n, opts, false);
 */
export class BestFirst {
  private readonly args = new Float64Array(ARGS);
  /** Results of a step alone: one split per part and child (one part, or a pair's two). */
  private readonly local = new Float64Array(4 * SPLIT_WORDS);
  /** The root's two halves' sums, alone. */
  private readonly localSums = new Float64Array(4);
  /** The two halves of the pair's shared results (views made once: a view is an allocation). */
  private readonly resHalves: [Float64Array, Float64Array] | null;
  /** The pair's step states on the rows of even and odd depths, once it has a layout. */
  private stPair: [StepState, StepState] | null = null;
  private readonly scratch: Int32Array;
  private readonly scratch2: Int32Array;
  /** Lockstep trees grown (the fitting thread waits at each tree's end until the helper has counted as many). */
  private pairTrees = 0;
  private together = false;
  private steps = 0;
  private lastRes: Float64Array = this.local;
  private open: Node[] = [];
  private done: Node[] = [];
  // The tree as it grows.
  private feature: number[] = [];
  private threshold: number[] = [];
  private missingLeft: number[] = [];
  private catOffset: number[] = [];
  private bits: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private nodeRows: number[] = [];

  /**
   * st: steps alone run every part of st.L in turn (its one part, or a pair's two when the fitting
   * thread has no one-part layout); the pair's steps run on its two-part layout with the same rows
   * and histograms.
   */
  constructor(private readonly B: HistBinned, private readonly st: StepState, private readonly pool: HistPool, private readonly pair: PairSide | null) {
    // Shared memory, as the rows: partition() then always sees one kind of typed array.
    this.scratch = new Int32Array(new SharedArrayBuffer(4 * B.rows));
    this.scratch2 = new Int32Array(new SharedArrayBuffer(4 * (pair ? B.rows : 0)));
    if (pair) this.steps = Atomics.load(pair.buf.sync, W_STEP[pair.q]);
    const half = 4 * SPLIT_WORDS;
    this.resHalves = pair ? [pair.buf.res.subarray(0, half), pair.buf.res.subarray(half, 2 * half)] : null;
  }

  /** Lockstep trees run on this two-part layout (src/ml/hist-layout.ts splitLayout; this thread's part built). */
  setPairLayout(L2: HistLayout): void {
    this.stPair = [{ ...this.st, L: L2 }, { ...this.st, L: L2, rows: this.pair!.buf.rowsB }];
  }

  /**
   * Grows one tree on rows[0, m) (hConst: every hessian 1); together: in lockstep with the pair.
   * prepare, when given, first readies the rows (src/ml/hist-stage.ts): told whether the tree grows
   * in lockstep and this thread's part, it may meet the other thread (the same number of times on
   * both) and returns when the rows, gradients and hessians are ready, and their sums. finish, when
   * given, runs on the grown tree's leaves before grow returns (on both threads, in lockstep).
   */
  grow(hConst: boolean, m: number, o: HistGrowOptions, together: boolean, prepare?: StagePrepare, finish?: StageFinish): GrowResult {
    const { pool, args } = this;
    const { g, h, rows } = this.st;
    this.together = together && this.stPair !== null;
    const q = this.pair?.q ?? 0;
    const sums = this.together ? this.pair!.buf.sums : this.localSums;
    const mid = m >>> 1;
    if (prepare) prepare(this.together, q, this.meet, sums);
    else if (this.together) {
      rootSums(g, h, rows, q === 0 ? 0 : mid, q === 0 ? mid : m, hConst, sums, 2 * q);
      this.barrier();
    } else {
      rootSums(g, h, rows, 0, mid, hConst, sums, 0);
      rootSums(g, h, rows, mid, m, hConst, sums, 2);
    }
    // Read before the first step's barrier: the other thread writes these again only in its next tree.
    const G = sums[0]! + sums[2]!;
    const H = hConst ? m : sums[1]! + sums[3]!;
    pool.startTree();
    this.open = [];
    this.done = [];
    this.feature = []; this.threshold = []; this.missingLeft = []; this.catOffset = []; this.bits = []; this.left = []; this.right = []; this.nodeRows = [];
    const { open, done } = this;
    const root = this.newNode(0, m, 0, G, H, m);
    if (root.depth < o.maxDepth && root.c >= 2 * o.minSamplesLeaf && root.h >= 2 * MIN_HESSIAN) {
      root.hist = pool.alloc();
      args[A_SMALL] = root.hist; args[A_PARENT] = -1; args[A_START] = 0; args[A_END] = m;
      args[A_G] = G; args[A_G + 1] = H; args[A_G + 2] = m;
      args[A_DO_SMALL] = 1; args[A_DO_LARGE] = 0; args[A_HCONST] = hConst ? 1 : 0; args[A_MSL] = o.minSamplesLeaf; args[A_L2] = o.l2;
      root.split = this.step(0, 0);
    }
    this.place(root);
    while (open.length > 0 && open.length + done.length < o.maxLeafNodes) {
      // Best first: the open leaf whose split gains most (the first of equal gains).
      let bi = 0;
      for (let k = 1; k < open.length; k++) if (open[k]!.split!.gain > open[bi]!.split!.gain) bi = k;
      const nd = open[bi]!;
      open.splice(bi, 1);
      this.expand(nd, open.length + done.length + 2 >= o.maxLeafNodes, o, hConst);
    }
    const leafNodes = [...open, ...done];
    if (this.together) {
      this.endPair(leafNodes, m, finish);
      // The helper's copy of the tree is thrown away: not built, so its thread makes less garbage (a
      // collection pause on either thread stalls the other at the next barrier).
      if (this.pair!.q === 1) return HELPER_RESULT;
    }
    if (!this.together) finish?.(leafNodes, false);
    const { tree, nodeRows } = this.treeArrays();
    const leaves: HistLeaf[] = [];
    for (const nd of leafNodes) {
      const v = (-nd.g / (nd.h + o.l2)) * o.learningRate;
      tree.value[nd.id] = v;
      leaves.push({ node: nd.id, start: nd.start, end: nd.end, value: v });
    }
    return { tree, leaves, nodeRows };
  }

  /**
   * The grown tree's arrays (values 0) and each node's row count, as views of one buffer: a typed
   * array over 64 bytes gets a backing store of its own (and each is swept at collections). Nine per
   * tree made the end of a credit tree 1.5 µs (median; hgb's 3.0), one makes it 1.1 (1.9), time the
   * helper waits for the next tree.
   */
  private treeArrays(): { tree: HistTree; nodeRows: Int32Array } {
    const n = this.feature.length;
    const nBits = this.bits.length;
    const buf = new ArrayBuffer(16 * n + 4 * (5 * n + nBits) + n);
    const int = (k: number, len: number): Int32Array => new Int32Array(buf, 16 * n + 4 * k * n, len);
    const threshold = new Float64Array(buf, 0, n);
    const value = new Float64Array(buf, 8 * n, n);
    const feature = int(0, n);
    const catOffset = int(1, n);
    const left = int(2, n);
    const right = int(3, n);
    const nodeRows = int(4, n);
    const bits = int(5, nBits);
    const missingLeft = new Uint8Array(buf, 16 * n + 4 * (5 * n + nBits), n);
    threshold.set(this.threshold);
    feature.set(this.feature);
    catOffset.set(this.catOffset);
    left.set(this.left);
    right.set(this.right);
    nodeRows.set(this.nodeRows);
    bits.set(this.bits);
    missingLeft.set(this.missingLeft);
    return { tree: { feature, threshold, missingLeft, catOffset, bits, left, right, value }, nodeRows };
  }

  /**
   * Runs the step in this.args (in lockstep: this thread's part, then meets the other thread) and
   * returns the best split of child c (0: built, 1: sibling); both children's are in lastRes.
   */
  private step(c: number, depth: number): Split | null {
    if (!this.together) {
      const nParts = this.st.L.parts.length;
      for (let q = 0; q < nParts; q++) runStep(this.st, q, this.args, this.local);
      this.lastRes = this.local;
      return readSplit(this.local, nParts, c, this.B.categorical);
    }
    const pair = this.pair!;
    // Results alternate between two halves, and steps are barriers apart: a thread that runs ahead to
    // a later step cannot overwrite these results before the other has read them (it would first have
    // to pass a barrier the other reaches only after reading).
    const res = this.resHalves![this.steps & 1]!;
    runStep(this.stPair![depth & 1]!, pair.q, this.args, res);
    this.barrier();
    this.lastRes = res;
    return readSplit(res, 2, c, this.B.categorical);
  }

  /** The barrier, for a stage's row work before the tree. */
  private readonly meet = (): void => this.barrier();

  private barrier(): void {
    const pair = this.pair!;
    const { sync } = pair.buf;
    const s = ++this.steps;
    Atomics.store(sync, W_STEP[pair.q], s);
    const other = W_STEP[1 - pair.q]!;
    let spins = 0;
    while (Atomics.load(sync, other) < s) if ((++spins & 0xffff) === 0) pair.check();
  }

  /** Splits nd: partitions its rows and, unless its children stay leaves, searches their splits. */
  private expand(nd: Node, last: boolean, o: HistGrowOptions, hConst: boolean): void {
    const { pool, args, B, st } = this;
    const s = nd.split!;
    const j = s.feature;
    this.feature[nd.id] = j;
    this.missingLeft[nd.id] = s.missingLeft ? 1 : 0;
    if (s.bits) { this.catOffset[nd.id] = this.bits.length; this.bits.push(...s.bits); this.threshold[nd.id] = 0; }
    else this.threshold[nd.id] = s.bin < B.nBins[j]! - 1 ? B.cuts[j]![s.bin]! : Infinity;
    const a = this.together ? this.partitionPair(nd, s) : partition(B.codes, j * B.rows, st.rows, nd.start, nd.end, s.bin, s.missingLeft ? 1 : 0, s.bits, this.scratch);
    const L = this.newNode(nd.start, a, nd.depth + 1, s.gL, s.hL, s.cL);
    const R = this.newNode(a, nd.end, nd.depth + 1, nd.g - s.gL, nd.h - s.hL, nd.c - s.cL);
    this.left[nd.id] = L.id;
    this.right[nd.id] = R.id;
    const smallLeft = a - nd.start <= nd.end - a;
    const small = smallLeft ? L : R;
    const large = smallLeft ? R : L;
    const msl = o.minSamplesLeaf;
    // Each child can split: below the depth limit, with rows for two leaves and enough hessian; the
    // children of the split that fills the tree stay leaves.
    const deep = !last && nd.depth + 1 < o.maxDepth;
    const doSmall = deep && small.c >= 2 * msl && small.h >= 2 * MIN_HESSIAN;
    const doLarge = deep && large.c >= 2 * msl && large.h >= 2 * MIN_HESSIAN;
    if (doSmall || doLarge) {
      small.hist = pool.alloc();
      args[A_SMALL] = small.hist; args[A_PARENT] = nd.hist;
      args[A_START] = small.start; args[A_END] = small.end;
      args[A_G] = small.g; args[A_G + 1] = small.h; args[A_G + 2] = small.c;
      args[A_G + 3] = large.g; args[A_G + 4] = large.h; args[A_G + 5] = large.c;
      args[A_DO_SMALL] = doSmall ? 1 : 0; args[A_DO_LARGE] = doLarge ? 1 : 0;
      args[A_HCONST] = hConst ? 1 : 0; args[A_MSL] = msl; args[A_L2] = o.l2;
      if (this.together) this.barrier(); // both halves of the children's rows are in place
      if (doSmall) small.split = this.step(0, small.depth);
      else this.step(0, small.depth);
      if (doLarge) { large.hist = nd.hist; large.split = readSplit(this.lastRes, this.together ? 2 : st.L.parts.length, 1, B.categorical); } else pool.release(nd.hist);
      if (!doSmall) { pool.release(small.hist); small.hist = -1; }
    } else pool.release(nd.hist);
    nd.hist = -1;
    this.place(L);
    this.place(R);
  }

  /**
   * This thread's half of nd's rows partitioned from the buffer of nd's depth into the other: each
   * side's rows in their former order, the first half's before the second's, as partition() leaves
   * them. The split's left count places both halves. Returns where the right child's rows start.
   */
  private partitionPair(nd: Node, s: Split): number {
    const pair = this.pair!;
    const src = this.stPair![nd.depth & 1]!.rows;
    const dst = this.stPair![(nd.depth + 1) & 1]!.rows;
    const { start, end } = nd;
    const mid = (start + end) >>> 1;
    const first = pair.q === 0;
    const left = this.scratch;
    const right = this.scratch2;
    const B = this.B;
    const a = splitRows(B.codes, s.feature * B.rows, src, first ? start : mid, first ? mid : end, s.bin, s.missingLeft ? 1 : 0, s.bits, left, right, 0);
    const r = (first ? mid - start : end - mid) - a;
    const nLeft = s.cL | 0; // an int32: the children's row ranges bound later loops
    const l0 = first ? start : start + nLeft - a;
    const r0 = first ? start + nLeft : end - r;
    for (let k = 0; k < a; k++) dst[l0 + k] = left[k]!;
    for (let k = 0; k < r; k++) dst[r0 + k] = right[k]!;
    return start + nLeft;
  }

  /**
   * The end of a lockstep tree on rows[0, m): once both have placed the rows of their last partitions,
   * each thread moves its half of the positions of leaves at odd depths back into the grower's rows
   * (on one thread, the copy was 4 µs of a 100 µs credit tree while the helper waited) and runs
   * finish on them; the helper then counts the tree, and the fitting thread waits for that count.
   */
  private endPair(leaves: Node[], m: number, finish: StageFinish | undefined): void {
    const pair = this.pair!;
    const { sync } = pair.buf;
    const [even, odd] = this.stPair!;
    // finish reads positions the other thread's last partitions may have written.
    if (finish || leaves.some((nd) => (nd.depth & 1) === 1)) {
      this.barrier();
      const mid = m >>> 1;
      const lo = pair.q === 0 ? 0 : mid;
      const hi = pair.q === 0 ? mid : m;
      for (const nd of leaves) {
        if ((nd.depth & 1) === 0) continue;
        const b = Math.min(nd.end, hi);
        for (let t = Math.max(nd.start, lo); t < b; t++) even.rows[t] = odd.rows[t]!;
      }
    }
    finish?.(leaves, true);
    if (pair.q === 1) { Atomics.add(sync, W_TREES, 1); return; }
    const want = ++this.pairTrees;
    let spins = 0;
    while (Atomics.load(sync, W_TREES) < want) if ((++spins & 0xffff) === 0) pair.check();
  }

  private newNode(start: number, end: number, depth: number, g: number, h: number, c: number): Node {
    const id = this.feature.length;
    this.nodeRows.push(end - start);
    this.feature.push(-1); this.threshold.push(0); this.missingLeft.push(0); this.catOffset.push(-1); this.left.push(-1); this.right.push(-1);
    return { id, start, end, depth, g, h, c, hist: -1, split: null };
  }

  /** A new child: open when it has a split, else a leaf (its histogram given back). */
  private place(c: Node): void {
    if (c.split) this.open.push(c);
    else { this.done.push(c); if (c.hist >= 0) { this.pool.release(c.hist); c.hist = -1; } }
  }
}
