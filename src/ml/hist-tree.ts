// One tree of the histogram gradient booster (LightGBM, Ke et al. 2017; scikit-learn's
// HistGradientBoosting): best-first growth on binned features, gradient/hessian histograms with the
// larger child's histogram as parent minus smaller, missing values sent the way that gains most, and
// categorical splits by categories sorted on gradient / hessian.

import type { HistBinned } from './hist-binning.js';
import { histLayout, partEntries, splitLayout, withRowLists, type HistLayout } from './hist-layout.js';
import type { StepState } from './hist-split.js';
import { HistTeam, T_BLOCK, T_HCONST, T_K, T_LR, T_OPTS, T_SOFTMAX, T_TASKS, unpackLeaves } from './hist-team.js';
import { SOFTMAX_GBM, SOFTMAX_HGB, addLeafValues, newtonFinish, softmaxGradHess, softmaxGradients } from './hist-softmax.js';
import { BestFirst, lockstepBuffers, writeLockstepArgs, type HistPool, type LockstepBuffers, type StageFinish, type StagePrepare } from './hist-best-first.js';
import { HelperPace } from './hist-pace.js';
import { STAGE_RESIDUAL, isStageKind, newtonSums, newtonValue, resetRows, stageAlone, stageBuffers, stageGradients, stageHessianConst, stageScores, type StageBuffers } from './hist-stage.js';

function f64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

function i32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/** A fitted tree as flat arrays; `feature[i] = -1` marks a leaf. */
export interface HistTree {
  feature: Int32Array;
  /** Numeric split: left when x <= threshold. */
  threshold: Float64Array;
  /** Where missing values (NaN) go: 1 left, 0 right. */
  missingLeft: Uint8Array;
  /** Categorical split: offset of its 8-word bitset in `bits` (category c goes left if bit c is set), else -1. */
  catOffset: Int32Array;
  bits: Int32Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf values, learning rate included. */
  value: Float64Array;
}

/** How a tree grows. */
export interface HistGrowOptions {
  maxLeafNodes: number;
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** A grown tree, its leaves, and each node's row count. */
export interface GrowResult { tree: HistTree; leaves: HistLeaf[]; nodeRows: Int32Array }

/** A leaf: its node and the positions [start, end) of its rows in the permuted row array. */
export interface HistLeaf { node: number; start: number; end: number; value: number }

/**
 * Reusable state for growing many trees on the same binned data: histogram layout and buffers, and
 * with threads > 1 and several trees per call the helper threads, which stay attached until close().
 * @example const grower = new HistGrower(B, 2, K); try { grower.growMany(tasks, opts); } finally { grower.close(); }
 */
export class HistGrower {
  private readonly L: HistLayout;
  /** Helpers growing whole trees of one growMany call, or null. */
  private readonly treeTeam: HistTeam | null;
  /** One tree per call on two threads: the helper growing each tree in lockstep, or null. */
  private readonly pairTeam: HistTeam | null;
  private readonly pairBuf: LockstepBuffers | null;
  /** The row lists of the pair's second part, which the helper builds (into these shared arrays) before it is ready. */
  private readonly helperLists: { rowStart: Int32Array; rowSlots: Int32Array } | null;
  /** Whether the steps alone have every part's row lists (a pair's second part: at the first tree grown alone). */
  private aloneLists: boolean;
  /** How long this thread's part's row lists took (ms): about how long the helper's take. */
  private readonly ownListsMs: number;
  /** Whether the first tree has started (before it, a helper busy with its setup is waited for). */
  private begun = false;
  private readonly B: HistBinned;
  private readonly st: StepState;
  private readonly growth: BestFirst;
  /** When to use the helper. */
  private readonly pace: HelperPace;
  private free: number[] = [];
  /** Each growMany task's last time (ms), to take the longest first. */
  private readonly treeCost: number[] = [];
  /** One tree per call: the scores, targets and leaves of the per-row work before each stageTree (src/ml/hist-stage.ts). */
  private readonly stageBuf: StageBuffers | null;
  /** The stage kind startStage set (0: none yet), and the leaves stageLeaves gave for the next tree. */
  private stageKind = 0;
  private nLeaves = 0;
  /** Whether the helper's copy of the scores missed no tree before the last (it grew the last tree too). */
  private helperSynced = false;
  /**
   * The stage's row work before a tree (src/ml/hist-stage.ts). In lockstep each thread adds the last
   * tree's leaf values to its own copy of the scores (this thread's is the stage's), so each then
   * reads only its own copy for its half of the gradients: with one copy written here and read there,
   * a row's score crossed between the cores (the helper's half then took 5 µs longer per credit
   * tree). The row order is reset only after both have read it.
   */
  private readonly prepare: StagePrepare = (together, _q, meet, sums) => {
    const S = this.stageBuf!;
    const n = this.B.rows;
    if (!together) { stageAlone(this.stageKind, S, this.st, this.nLeaves, n, sums); return; }
    const mid = n >>> 1;
    stageScores(S.F, this.st.rows, S.leaves, this.nLeaves, 0, n);
    meet(); // both have read the row order (and the helper may copy the scores)
    resetRows(this.st.rows, 0, mid);
    stageGradients(this.stageKind, S.F, S, this.st, 0, mid, sums, 0);
    meet();
  };

  /**
   * gbm's two-class stage after a tree: its leaves' Newton sums (src/ml/hist-stage.ts newtonSums), on
   * the first half of the positions here and the second on the helper, in lockstep (on one thread,
   * they were 3 µs of a 100 µs credit tree while the helper waited); stageTree then sets the values.
   */
  private readonly finish: StageFinish = (leaves, together) => {
    const S = this.stageBuf!;
    const n = this.B.rows;
    newtonSums(S.r, this.st.rows, leaves, 0, n >>> 1, S.newton, 0);
    if (!together) newtonSums(S.r, this.st.rows, leaves, n >>> 1, n, S.newton, 1);
  };

  /**
   * B: the binned data, or its layout (a helper thread's grower). threads: with treesPerCall > 1 (one
   * tree per class and iteration), threads grow separate trees of one growMany call, each whole on one
   * thread; with one tree per call, two threads grow each tree in lockstep (src/ml/hist-best-first.ts),
   * on the trees where that is faster (helperAlways: on every tree).
   */
  constructor(B: HistBinned | HistLayout, threads = 1, treesPerCall = 1, helperAlways = false) {
    const given = 'parts' in B ? B : null;
    const binned = given ? given.B : (B as HistBinned);
    const n = binned.rows;
    const T = given ? 1 : Math.max(1, Math.min(threads, Math.max(2, treesPerCall)));
    // A single feature cannot be shared out.
    const paired = T > 1 && treesPerCall < 2 && binned.cols >= 2;
    // Every buffer is on shared memory, with threads or not: the same functions then always see the
    // same kind of typed array (one that saw both ran at half speed). A pair has no one-part layout:
    // its parts are cut (no row lists yet), the helper is given its setup, and each thread then builds
    // its own part's row lists, side by side (on Ames, the one-part lists and this thread's part cut
    // from them were 2.3 ms of a 22 ms fit on two threads; its part alone is 1.2). Trees grown alone
    // step through both parts in turn.
    const cut = paired ? splitLayout(histLayout(binned, 1, true, false), true, undefined, () => false) : null;
    this.helperLists = cut ? { rowStart: i32(n + 1), rowSlots: i32(partEntries(cut, 1)) } : null;
    const L = given ?? cut ?? histLayout(binned, 1, true);
    this.aloneLists = !paired;
    this.B = L.B;
    this.st = { L, g: f64(n), h: f64(n), rows: i32(n), hists: [] };
    this.stageBuf = treesPerCall < 2 && !given ? stageBuffers(n) : null;
    this.treeTeam = T > 1 && !paired ? new HistTeam(L, n, T - 1, treesPerCall) : null;
    this.pairBuf = paired ? lockstepBuffers(n) : null;
    this.pairTeam = this.pairBuf ? new HistTeam(L, n, 1, 1, { g: this.st.g, h: this.st.h, rows: this.st.rows, lockstep: this.pairBuf, lists: this.helperLists!, stage: this.stageBuf! }) : null;
    const t0 = performance.now();
    this.L = cut ? { ...cut, parts: [withRowLists(cut, 0, true), cut.parts[1]!] } : L;
    this.ownListsMs = performance.now() - t0;
    this.st.L = this.L;
    const pool: HistPool = {
      // Every histogram is free at the start of a tree (the open leaves of the last kept theirs).
      startTree: () => { this.free = Array.from(this.st.hists, (_, k) => k); },
      alloc: () => this.alloc(),
      release: (k) => { this.free.push(k); },
    };
    const team = this.pairTeam;
    this.growth = new BestFirst(this.B, this.st, pool, team && this.pairBuf ? { q: 0, buf: this.pairBuf, check: () => team.check() } : null);
    if (paired) this.growth.setPairLayout(this.L);
    this.pace = new HelperPace(helperAlways);
  }

  /** True when the helper that shares each tree's nodes has loaded (false without one). */
  helperReady(): boolean {
    return this.pairTeam?.ready() ?? false;
  }

  /** Releases the helper threads (a no-op with one thread); the grower cannot grow after it. */
  close(): void {
    this.treeTeam?.close();
    this.pairTeam?.close();
  }

  /**
   * Grows the independent trees of `tasks` (same options, hessians all given or all null), on
   * separate threads in tree mode; each task's rows are permuted as grow() does.
   * @example const grown = grower.growMany(classes.map((k) => ({ g: gs[k], h: hs[k], rows: rs[k], m: n })), opts);
   */
  growMany(tasks: { g: Float64Array; h: Float64Array | null; rows: Int32Array; m: number }[], o: HistGrowOptions): GrowResult[] {
    const team = this.treeTeam;
    if (!team || tasks.length < 2) return tasks.map((t) => this.grow(t.g, t.h, t.rows, t.m, o));
    if (tasks.length > team.treeRows.length) throw new Error(`growMany: ${tasks.length} trees, this grower takes ${team.treeRows.length}`);
    const n = this.B.rows;
    const { g, h, rows } = team;
    const hConst = tasks[0]!.h === null;
    tasks.forEach((t, k) => {
      g.set(t.g.subarray(0, n), k * n);
      if (!hConst) h.set(t.h!.subarray(0, n), k * n);
      rows.set(t.rows.subarray(0, t.m), k * n);
      team.treeRows[k] = t.m;
    });
    const out = this.teamTrees(team, tasks.length, hConst, o, null);
    tasks.forEach((t, k) => t.rows.set(rows.subarray(k * n, k * n + t.m)));
    return out;
  }

  /**
   * The scores (n x K, row-major) and row classes of softmaxStage, on shared memory; null without
   * helper threads (then a stage is grown as growMany's tasks).
   */
  softmaxBuffers(): { F: Float64Array; y: Int32Array } | null {
    return this.treeTeam ? { F: this.treeTeam.F, y: this.treeTeam.y } : null;
  }

  /**
   * One softmax boosting stage on every row (K > 2 classes) on the helper threads: probabilities and
   * gradients of the scores in softmaxBuffers() by blocks of rows, then the K trees, each added to the
   * scores (in place) by the thread that grew it. kind SOFTMAX_GBM (src/ml/gbm.ts): gradients only,
   * each tree given Newton leaf values (its values then) added times lr; SOFTMAX_HGB
   * (src/ml/hist-gbm.ts): gradients and hessians, the grower's leaf values added (lr unused).
   * @example const { F, y } = grower.softmaxBuffers()!; const grown = grower.softmaxStage(K, 0.1, opts, SOFTMAX_GBM);
   */
  softmaxStage(K: number, lr: number, o: HistGrowOptions, kind: number): GrowResult[] {
    const team = this.treeTeam;
    if (!team || K > team.treeRows.length) throw new Error(`softmaxStage: ${K} classes, this grower takes ${team?.treeRows.length ?? 0} trees per call`);
    const n = this.B.rows;
    const { F, y, g, h, rows, args } = team;
    const hgb = kind === SOFTMAX_HGB;
    for (let k = 0; k < K; k++) team.treeRows[k] = n;
    // Blocks of about 16 µs of rows: several per thread, so one that starts late takes fewer.
    const block = Math.max(64, Math.ceil(n / 16));
    const nBlocks = Math.ceil(n / block);
    args[T_TASKS] = nBlocks;
    args[T_BLOCK] = block;
    args[T_K] = K;
    args[T_SOFTMAX] = kind;
    team.rowBlocks(nBlocks, (b) => {
      const end = Math.min(n, (b + 1) * block);
      if (hgb) softmaxGradHess(F, y, g, h, rows, n, K, b * block, end);
      else softmaxGradients(F, y, g, rows, n, K, b * block, end);
    });
    args[T_LR] = lr;
    return this.teamTrees(team, K, !hgb, o, { kind, K, lr });
  }

  /**
   * Trees [0, nTrees) of the team's buffers, here and on the helpers, longest first; in a softmax
   * stage each is added to the scores (see softmaxStage).
   */
  private teamTrees(team: HistTeam, nTrees: number, hConst: boolean, o: HistGrowOptions, softmax: { kind: number; K: number; lr: number } | null): GrowResult[] {
    const n = this.B.rows;
    const { g, h, rows } = team;
    const a = team.args;
    a[T_TASKS] = nTrees;
    a[T_HCONST] = hConst ? 1 : 0;
    a[T_OPTS] = o.maxLeafNodes; a[T_OPTS + 1] = o.maxDepth; a[T_OPTS + 2] = o.minSamplesLeaf; a[T_OPTS + 3] = o.l2; a[T_OPTS + 4] = o.learningRate;
    a[T_SOFTMAX] = softmax ? softmax.kind : 0;
    // Longest first, by each tree's time in the last call (the same class's tree is about as long
    // from one iteration to the next): the last trees taken are short, so no thread waits long.
    const cost = this.treeCost;
    Array.from({ length: nTrees }, (_, k) => k).sort((x, y) => (cost[y] ?? 0) - (cost[x] ?? 0)).forEach((k, i) => { team.order[i] = k; });
    const out: GrowResult[] = new Array(nTrees);
    const grown = team.trees(nTrees, (k) => {
      const at = k * n;
      const t0 = performance.now();
      const gk = g.subarray(at, at + n);
      const rk = rows.subarray(at, at + n);
      const r = this.grow(gk, hConst ? null : h.subarray(at, at + n), rk, team.treeRows[k]!, o);
      if (softmax?.kind === SOFTMAX_GBM) newtonFinish(r.tree, r.leaves, rk, gk, softmax.K, team.F, k, softmax.lr);
      else if (softmax?.kind === SOFTMAX_HGB) addLeafValues(r.leaves, rk, team.F, softmax.K, k);
      out[k] = r;
      cost[k] = performance.now() - t0;
    });
    for (const m of grown) {
      out[m.t] = { tree: m.tree, leaves: unpackLeaves(m.leaves), nodeRows: m.nodeRows };
      cost[m.t] = m.ms;
    }
    return out;
  }

  private alloc(): number {
    const k = this.free.pop();
    if (k !== undefined) return k;
    const hist = f64(3 * this.L.total);
    this.st.hists.push(hist);
    return this.st.hists.length - 1;
  }

  /**
   * Grows one tree on the gradients g and hessians h (null: all 1, squared error) of rows[0, m),
   * which it permutes so that each leaf's rows are contiguous.
   * @example const { tree, leaves } = grower.grow(g, null, rows, n, opts);
   */
  grow(g: Float64Array, h: Float64Array | null, rows: Int32Array, m: number, o: HistGrowOptions): GrowResult {
    const { st } = this;
    // The grower's own shared copies (the helper reads the gradients and hessians).
    st.g.set(g.subarray(0, this.B.rows));
    if (h) st.h.set(h.subarray(0, this.B.rows));
    st.rows.set(rows.subarray(0, m));
    const out = this.growOwn(h === null, m, o, 0);
    rows.set(st.rows.subarray(0, m));
    return out;
  }

  /**
   * Starts boosting one tree per iteration on the grower's own buffers (src/ml/hist-stage.ts): the
   * stage kind, each row's target, and every row's starting score. Returns the scores, the
   * residuals (STAGE_RESIDUAL) and the row order that stageTree's leaves refer to.
   * @example const { rows, r } = grower.startStage(STAGE_RESIDUAL, y, F0);
   */
  startStage(kind: number, y: ArrayLike<number>, base: number): { F: Float64Array; r: Float64Array; rows: Int32Array } {
    const S = this.stageBuf;
    if (!S) throw new Error('startStage: this grower grows several trees per call');
    if (y.length !== this.B.rows) throw new Error(`startStage: ${y.length} targets for ${this.B.rows} rows`);
    if (!isStageKind(kind)) throw new Error(`startStage: unknown stage kind ${kind}`);
    S.y.set(y);
    S.F.fill(base);
    for (let i = 0; i < this.B.rows; i++) this.st.rows[i] = i;
    this.stageKind = kind;
    this.nLeaves = 0;
    this.helperSynced = false;
    return { F: S.F, r: S.r, rows: this.st.rows };
  }

  /**
   * The next iteration's tree on every row: the values stageLeaves gave the last tree's leaves added
   * to their rows' scores, the gradients of the new scores, then the tree (rows permuted so that each
   * leaf's are contiguous in startStage's row order). A STAGE_RESIDUAL tree's leaf values are its
   * Newton steps (Σ r / Σ |r| (1 - |r|) over the leaf's rows, as scikit-learn's two-class log loss).
   */
  stageTree(o: HistGrowOptions): GrowResult {
    if (this.stageKind === 0) throw new Error('stageTree: startStage first');
    const out = this.growOwn(stageHessianConst(this.stageKind), this.B.rows, o, this.stageKind);
    this.nLeaves = 0;
    if (this.stageKind === STAGE_RESIDUAL) {
      const sums = this.stageBuf!.newton;
      out.leaves.forEach((leaf, k) => { leaf.value = newtonValue(sums, k); out.tree.value[leaf.node] = leaf.value; });
    }
    return out;
  }

  /** What the leaves of the tree stageTree returned add to their rows' scores (before the next tree). */
  stageLeaves(leaves: readonly HistLeaf[], value: (leaf: HistLeaf) => number): void {
    const buf = this.stageBuf!.leaves;
    leaves.forEach((l, k) => { buf[3 * k] = l.start; buf[3 * k + 1] = l.end; buf[3 * k + 2] = value(l); });
    this.nLeaves = leaves.length;
  }

  /** A tree on the grower's own rows[0, m), gradients and hessians (first readied by the stage's row work, with a stage kind). */
  private growOwn(hConst: boolean, m: number, o: HistGrowOptions, stage: number): GrowResult {
    // Until the helper thread has loaded (a fresh one takes a while), this thread grows alone. One
    // that has its setup and is building its part's row lists is waited for at the first tree, as
    // long as this thread's own part took twice over (at least 5 ms): growing alone meant building
    // that part here too (0.8 ms of a 22 ms Ames fit on two threads) and a slower first tree.
    if (!this.begun) {
      this.begun = true;
      if (this.pairTeam && !this.pairTeam.ready()) this.pairTeam.awaitReady(Math.max(5, 2 * this.ownListsMs));
    }
    const together = this.pairTeam !== null && this.pairTeam.ready() && this.pace.next();
    // Outside the tree's time: one tree that also built row lists looked 5x slower than the helper's
    // others, and kept the helper off for the rest of the fit.
    if (!together && !this.aloneLists) this.completeLayout();
    const t0 = performance.now();
    let out: GrowResult;
    try {
      if (together) this.startPair(hConst, m, o, stage, this.helperSynced);
      out = this.growth.grow(hConst, m, o, together, stage > 0 ? this.prepare : undefined, stage === STAGE_RESIDUAL ? this.finish : undefined);
    } catch (err) {
      // The helper may be waiting at a barrier this thread will not reach.
      if (together) this.pairTeam!.abandon();
      throw err;
    }
    if (this.pairTeam) this.pace.record(together, performance.now() - t0);
    this.helperSynced = together;
    return out;
  }

  /**
   * Gives the steps alone the row lists of the pair's second part: the helper's, once it is ready (it
   * built them before), else this thread's own.
   */
  private completeLayout(): void {
    const L = this.L;
    const second = this.pairTeam!.ready() ? { ...L.parts[1]!, ...this.helperLists! } : withRowLists(L, 1, true);
    this.st.L = { ...L, parts: [L.parts[0]!, second] };
    this.aloneLists = true;
  }

  /** Starts the helper on the tree in st.rows (src/ml/hist-best-first.ts), and its half of the stage's row work. */
  private startPair(hConst: boolean, m: number, o: HistGrowOptions, stage: number, synced: boolean): void {
    // The helper has finished the last tree: this thread waited for it at that tree's end.
    writeLockstepArgs(this.pairBuf!.args, m, hConst, o, stage, this.nLeaves, synced);
    this.pairTeam!.beginLockstep();
  }
}

/**
 * Adds each row's leaf value to out[i * stride + k] for the rows of X (row-major, p columns; NaN allowed).
 * @example addTree(tree, X.data, X.rows, X.cols, F, K, k);
 */
export function addTree(t: HistTree, data: Float64Array, rows: number, cols: number, out: Float64Array, stride: number, k: number): void {
  const { feature, threshold, missingLeft, catOffset, bits, left, right, value } = t;
  for (let i = 0; i < rows; i++) {
    let node = 0;
    const o = i * cols;
    while (feature[node]! >= 0) {
      const x = data[o + feature[node]!]!;
      let goLeft: boolean;
      if (x !== x) goLeft = missingLeft[node] === 1;
      else if (catOffset[node]! >= 0) {
        // Unknown categories (outside the learned codes) go right.
        goLeft = x >= 0 && x < 256 && Number.isInteger(x) && ((bits[catOffset[node]! + (x >> 5)]! >>> (x & 31)) & 1) === 1;
      } else goLeft = x <= threshold[node]!;
      node = goLeft ? left[node]! : right[node]!;
    }
    out[i * stride + k] += value[node]!;
  }
}
