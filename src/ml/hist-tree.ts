// One tree of the histogram gradient booster (LightGBM, Ke et al. 2017; scikit-learn's
// HistGradientBoosting): best-first growth on binned features, gradient/hessian histograms with the
// larger child's histogram as parent minus smaller, missing values sent the way that gains most, and
// categorical splits by categories sorted on gradient / hessian.

import { MISSING_BIN, type HistBinned } from './hist-binning.js';
import { histLayout, type HistLayout } from './hist-layout.js';
import { ARGS, A_DO_LARGE, A_DO_SMALL, A_END, A_G, A_HCONST, A_L2, A_MSL, A_PARENT, A_SMALL, A_START, MIN_HESSIAN, SPLIT_WORDS, readSplit, runStep, type Split, type StepState } from './hist-split.js';
import { HistTeam, T_BLOCK, T_HCONST, T_K, T_LR, T_OPTS, T_SOFTMAX, T_TASKS, unpackLeaves } from './hist-team.js';
import { SOFTMAX_GBM, SOFTMAX_HGB, addLeafValues, newtonFinish, softmaxGradHess, softmaxGradients } from './hist-softmax.js';

const MISS = MISSING_BIN; // a module constant: under tsx an imported binding is a getter call per read

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

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  /** Number of its histogram, or -1. */
  hist: number;
  split: Split | null;
}

/**
 * Reusable state for growing many trees on the same binned data: histogram layout and buffers, and
 * with threads > 1 and several trees per call the helper threads, which stay attached until close().
 * @example const grower = new HistGrower(B, 2, K); try { grower.growMany(tasks, opts); } finally { grower.close(); }
 */
export class HistGrower {
  private readonly L: HistLayout;
  /** Helpers growing whole trees of one growMany call, or null. */
  private readonly treeTeam: HistTeam | null;
  private readonly B: HistBinned;
  private readonly st: StepState;
  private readonly args: Float64Array;
  private readonly res: Float64Array;
  private readonly free: number[] = [];
  /** Each growMany task's last time (ms), to take the longest first. */
  private readonly treeCost: number[] = [];
  /** Scratch for partition(): a node's rows going right. */
  private readonly right: Int32Array;

  /**
   * B: the binned data, or its layout (a helper thread's grower). threads: used only with
   * treesPerCall > 1 (one tree per class and iteration), where threads grow separate trees of one
   * growMany call, each whole on one thread (src/ml/hist-team.ts says why not one tree on several).
   */
  constructor(B: HistBinned | HistLayout, threads = 1, treesPerCall = 1) {
    const given = 'parts' in B ? B : null;
    const binned = given ? given.B : (B as HistBinned);
    const n = binned.rows;
    const T = given || treesPerCall < 2 ? 1 : Math.max(1, Math.min(threads, treesPerCall));
    // Every buffer is on shared memory, with threads or not: the same functions then always see the
    // same kind of typed array (one that saw both ran at half speed).
    this.L = given ?? histLayout(binned, 1, true);
    this.B = this.L.B;
    this.right = i32(n);
    this.treeTeam = T > 1 ? new HistTeam(this.L, n, T - 1, treesPerCall) : null;
    this.st = { L: this.L, g: f64(n), h: f64(n), rows: i32(n), hists: [] };
    this.args = f64(ARGS);
    this.res = f64(2 * SPLIT_WORDS);
  }

  /** Releases the helper threads (a no-op with one thread); the grower cannot grow after it. */
  close(): void {
    this.treeTeam?.close();
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
    this.st.hists.push(f64(3 * this.L.total));
    return this.st.hists.length - 1;
  }

  /**
   * Builds histogram `small` of rows[start, end) (sums G, H, C) on every part; with `parent`, the
   * sibling's histogram becomes parent minus it. Searches the splits asked for.
   */
  private step(small: GrowNode, large: GrowNode | null, parent: number, doSmall: boolean, hConst: boolean, o: HistGrowOptions): void {
    const a = this.args;
    a[A_SMALL] = small.hist;
    a[A_PARENT] = parent;
    a[A_START] = small.start;
    a[A_END] = small.end;
    a[A_G] = small.g; a[A_G + 1] = small.h; a[A_G + 2] = small.c;
    if (large) { a[A_G + 3] = large.g; a[A_G + 4] = large.h; a[A_G + 5] = large.c; }
    a[A_DO_SMALL] = doSmall ? 1 : 0;
    a[A_DO_LARGE] = large ? 1 : 0;
    a[A_HCONST] = hConst ? 1 : 0;
    a[A_MSL] = o.minSamplesLeaf;
    a[A_L2] = o.l2;
    runStep(this.st, 0, a, this.res);
    const nParts = this.L.parts.length;
    if (doSmall) small.split = readSplit(this.res, nParts, 0, this.B.categorical);
    if (large) { large.hist = parent; large.split = readSplit(this.res, nParts, 1, this.B.categorical); }
  }

  /**
   * Grows one tree on the gradients g and hessians h (null: all 1, squared error) of rows[0, m),
   * which it permutes so that each leaf's rows are contiguous.
   * @example const { tree, leaves } = grower.grow(g, null, rows, n, opts);
   */
  grow(g: Float64Array, h: Float64Array | null, rows: Int32Array, m: number, o: HistGrowOptions): GrowResult {
    const { st } = this;
    // The grower's own shared copies (helpers read them).
    st.g.set(g.subarray(0, this.B.rows));
    if (h) st.h.set(h.subarray(0, this.B.rows));
    st.rows.set(rows.subarray(0, m));
    const out = this.growOn(h === null, m, o);
    rows.set(st.rows.subarray(0, m));
    return out;
  }

  private growOn(hConst: boolean, m: number, o: HistGrowOptions): GrowResult {
    const { B } = this;
    const { g, h, rows } = this.st;
    const n = B.rows;
    const feature: number[] = [];
    const threshold: number[] = [];
    const missingLeft: number[] = [];
    const catOffset: number[] = [];
    const bits: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const value: number[] = [];
    const nodeRows: number[] = [];
    const newNode = (start: number, end: number, depth: number, gs: number, hs: number, cs: number): GrowNode => {
      const id = feature.length;
      nodeRows.push(end - start);
      feature.push(-1); threshold.push(0); missingLeft.push(0); catOffset.push(-1); left.push(-1); right.push(-1); value.push(0);
      return { id, start, end, depth, g: gs, h: hs, c: cs, hist: -1, split: null };
    };
    let G = 0;
    let H = 0;
    for (let t = 0; t < m; t++) { const i = rows[t]!; G += g[i]!; H += hConst ? 1 : h[i]!; }
    const root = newNode(0, m, 0, G, H, m);
    const canSplit = (nd: GrowNode): boolean => nd.depth < o.maxDepth && nd.c >= 2 * o.minSamplesLeaf && nd.h >= 2 * MIN_HESSIAN;
    const open: GrowNode[] = [];
    const done: GrowNode[] = [];
    if (canSplit(root)) {
      root.hist = this.alloc();
      this.step(root, null, -1, true, hConst, o);
    }
    (root.split ? open : done).push(root);
    if (!root.split && root.hist >= 0) { this.free.push(root.hist); root.hist = -1; }
    while (open.length > 0 && open.length + done.length < o.maxLeafNodes) {
      // Best first: the open leaf whose split gains most.
      let bi = 0;
      for (let k = 1; k < open.length; k++) if (open[k]!.split!.gain > open[bi]!.split!.gain) bi = k;
      const nd = open[bi]!;
      open.splice(bi, 1);
      const s = nd.split!;
      const j = s.feature;
      const cat = B.categorical[j] === 1;
      const a = partition(B.codes, j * n, rows, nd.start, nd.end, s, cat, this.right);
      feature[nd.id] = j;
      missingLeft[nd.id] = s.missingLeft ? 1 : 0;
      if (cat) { catOffset[nd.id] = bits.length; bits.push(...s.bits!); threshold[nd.id] = 0; }
      else threshold[nd.id] = s.bin < B.nBins[j]! - 1 ? B.cuts[j]![s.bin]! : Infinity;
      const L = newNode(nd.start, a, nd.depth + 1, s.gL, s.hL, s.cL);
      const R = newNode(a, nd.end, nd.depth + 1, nd.g - s.gL, nd.h - s.hL, nd.c - s.cL);
      left[nd.id] = L.id;
      right[nd.id] = R.id;
      // The smaller child's histogram is built; the larger's is the parent's minus it.
      const parentHist = nd.hist;
      nd.hist = -1;
      const [small, large] = L.end - L.start <= R.end - R.start ? [L, R] : [R, L];
      // Children of the split that fills the tree stay leaves: no histograms, no split search.
      const last = open.length + done.length + 2 >= o.maxLeafNodes;
      const splitSmall = !last && canSplit(small);
      const splitLarge = !last && canSplit(large);
      if (splitSmall || splitLarge) {
        small.hist = this.alloc();
        this.step(small, splitLarge ? large : null, parentHist, splitSmall, hConst, o);
        if (!splitLarge) this.free.push(parentHist);
        if (!splitSmall) { this.free.push(small.hist); small.hist = -1; }
      } else this.free.push(parentHist);
      for (const c of [L, R]) {
        if (c.split) open.push(c);
        else { done.push(c); if (c.hist >= 0) { this.free.push(c.hist); c.hist = -1; } }
      }
    }
    const leaves: HistLeaf[] = [];
    for (const nd of [...open, ...done]) {
      if (nd.hist >= 0) { this.free.push(nd.hist); nd.hist = -1; }
      const v = (-nd.g / (nd.h + o.l2)) * o.learningRate;
      value[nd.id] = v;
      leaves.push({ node: nd.id, start: nd.start, end: nd.end, value: v });
    }
    const tree: HistTree = {
      feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), missingLeft: Uint8Array.from(missingLeft),
      catOffset: Int32Array.from(catOffset), bits: Int32Array.from(bits), left: Int32Array.from(left), right: Int32Array.from(right),
      value: Float64Array.from(value),
    };
    return { tree, leaves, nodeRows: Int32Array.from(nodeRows) };
  }
}

/**
 * Partitions rows[start, end) so the rows going left come first, each side in its former order;
 * returns where the right ones start. Without branches on the rows (a left/right guess per row was
 * wrong half the time): every row is written to both sides' cursors and only its side's advances.
 */
function partition(codes: Uint8Array, col: number, rows: Int32Array, start: number, end: number, s: Split, cat: boolean, right: Int32Array): number {
  let a = start;
  let r = 0;
  const ml = s.missingLeft ? 1 : 0;
  if (cat) {
    const bits = s.bits!;
    for (let t = start; t < end; t++) {
      const i = rows[t]!;
      const code = codes[col + i]!;
      const l = code === MISS ? ml : (bits[code >> 5]! >>> (code & 31)) & 1;
      rows[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  } else {
    const bin = s.bin;
    for (let t = start; t < end; t++) {
      const i = rows[t]!;
      const code = codes[col + i]!;
      // code <= bin, or a missing value (code 255 > every bin) going left.
      const l = (1 - ((bin - code) >>> 31)) | (ml & +(code === MISS));
      rows[a] = i;
      right[r] = i;
      a += l;
      r += 1 - l;
    }
  }
  rows.set(right.subarray(0, r), a);
  return a;
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
