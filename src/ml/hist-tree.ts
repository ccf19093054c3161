// One tree of the histogram gradient booster (LightGBM, Ke et al. 2017; scikit-learn's
// HistGradientBoosting): best-first growth on binned features, gradient/hessian histograms with the
// larger child's histogram as parent minus smaller, missing values sent the way that gains most, and
// categorical splits by categories sorted on gradient / hessian.

import { MISSING_BIN, type HistBinned } from './hist-binning.js';

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

/** A leaf: its node and the positions [start, end) of its rows in the permuted row array. */
export interface HistLeaf { node: number; start: number; end: number; value: number }

const MIN_HESSIAN = 1e-3;

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  bits: Int32Array | null;
  gL: number;
  hL: number;
  cL: number;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  c: number;
  hist: Float64Array | null;
  split: Split | null;
}

/**
 * Reusable state for growing many trees on the same binned data: histogram layout and buffers.
 * @example const grower = new HistGrower(B); grower.grow(g, h, rows, n, opts);
 */
export class HistGrower {
  /** Histogram slot of bin 0 of feature j (each feature has nBins + 1 slots; the last is missing). */
  private readonly offset: Int32Array;
  private readonly total: number;
  private pool: Float64Array[] = [];
  /** Per feature, the slot of its most frequent bin: left out of the row lists, filled in from the node's totals. */
  private readonly dflt: Int32Array;
  /** Row lists of the other bins (CSR): rowSlots[rowStart[i] .. rowStart[i + 1]) are 3 * slot. */
  private readonly rowStart: Int32Array;
  private readonly rowSlots: Int32Array;

  constructor(private readonly B: HistBinned) {
    const { rows: n, cols: p, codes, nBins } = B;
    this.offset = new Int32Array(p + 1);
    for (let j = 0; j < p; j++) this.offset[j + 1] = this.offset[j]! + nBins[j]! + 1;
    this.total = this.offset[p]!;
    // Sparse rows: a one-hot column is mostly its zero bin, a numeric one often has a crowded bin;
    // histograms then cost the other entries only (about a fifth of them on Ames' 305 columns).
    const count = new Int32Array(this.total);
    for (let j = 0; j < p; j++) {
      const o = this.offset[j]!;
      const miss = o + nBins[j]!;
      const col = j * n;
      for (let i = 0; i < n; i++) { const c = codes[col + i]!; count[c === MISSING_BIN ? miss : o + c]++; }
    }
    this.dflt = new Int32Array(p);
    for (let j = 0; j < p; j++) {
      let best = this.offset[j]!;
      for (let s = this.offset[j]!; s < this.offset[j + 1]!; s++) if (count[s]! > count[best]!) best = s;
      this.dflt[j] = best;
    }
    // Column by column (sequential reads), each row's entries appended at its own cursor.
    const perRow = new Int32Array(n + 1);
    for (let j = 0; j < p; j++) {
      const o = this.offset[j]!;
      const miss = o + nBins[j]!;
      const d = this.dflt[j]!;
      const col = j * n;
      for (let i = 0; i < n; i++) { const c = codes[col + i]!; perRow[i] += +((c === MISSING_BIN ? miss : o + c) !== d); }
    }
    this.rowStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) this.rowStart[i + 1] = this.rowStart[i]! + perRow[i]!;
    this.rowSlots = new Int32Array(this.rowStart[n]!);
    const cursor = this.rowStart.slice(0, n);
    for (let j = 0; j < p; j++) {
      const o = this.offset[j]!;
      const miss = o + nBins[j]!;
      const d = this.dflt[j]!;
      const col = j * n;
      for (let i = 0; i < n; i++) {
        const c = codes[col + i]!;
        const sl = c === MISSING_BIN ? miss : o + c;
        if (sl !== d) this.rowSlots[cursor[i]!++] = 3 * sl;
      }
    }
  }

  private alloc(): Float64Array {
    const h = this.pool.pop();
    if (h) { h.fill(0); return h; }
    return new Float64Array(3 * this.total);
  }

  /**
   * Gradient, hessian and count histograms of rows[start, end) (hessians all 1 when h is null), whose
   * sums are (G, H, C): each row adds its listed bins, each feature's most frequent bin is the rest.
   */
  private build(hist: Float64Array, g: Float64Array, h: Float64Array | null, rows: Int32Array, start: number, end: number, G: number, H: number, C: number): void {
    const { rowStart, rowSlots } = this;
    if (h) {
      for (let t = start; t < end; t++) {
        const i = rows[t]!;
        const gi = g[i]!;
        const hi = h[i]!;
        const e = rowStart[i + 1]!;
        for (let u = rowStart[i]!; u < e; u++) { const k = rowSlots[u]!; hist[k] += gi; hist[k + 1] += hi; hist[k + 2] += 1; }
      }
    } else {
      for (let t = start; t < end; t++) {
        const i = rows[t]!;
        const gi = g[i]!;
        const e = rowStart[i + 1]!;
        for (let u = rowStart[i]!; u < e; u++) { const k = rowSlots[u]!; hist[k] += gi; hist[k + 2] += 1; }
      }
    }
    const { offset, dflt } = this;
    for (let j = 0; j < this.B.cols; j++) {
      let sg = 0;
      let sh = 0;
      let sc = 0;
      const d = dflt[j]!;
      for (let s = offset[j]!; s < offset[j + 1]!; s++) if (s !== d) { sg += hist[3 * s]!; sh += hist[3 * s + 1]!; sc += hist[3 * s + 2]!; }
      hist[3 * d] = G - sg;
      hist[3 * d + 1] = h ? H - sh : 0;
      hist[3 * d + 2] = C - sc;
    }
  }

  /** The best split of a node from its histogram, or null. */
  private findSplit(node: GrowNode, hConst: boolean, o: HistGrowOptions): Split | null {
    const { B } = this;
    const hist = node.hist!;
    const lam = o.l2;
    const msl = o.minSamplesLeaf;
    const G = node.g;
    const H = node.h;
    const C = node.c;
    const parent = (G * G) / (H + lam);
    let best: Split | null = null;
    let bestGain = 0;
    for (let j = 0; j < B.cols; j++) {
      const base = 3 * this.offset[j]!;
      const nb = B.nBins[j]!;
      const ms = base + 3 * nb;
      const gM = hist[ms]!;
      const cM = hist[ms + 2]!;
      const hM = hConst ? cM : hist[ms + 1]!;
      if (B.categorical[j]) {
        const s = this.categoricalSplit(hist, base, nb, G, H, C, gM, hM, cM, hConst, o, parent);
        if (s && s.gain > bestGain) { bestGain = s.gain; s.feature = j; best = s; }
        continue;
      }
      const r = scanNumeric(hist, base, nb, G, H, C, gM, hM, cM, hConst, lam, msl, parent, bestGain);
      if (r) { bestGain = r.gain; r.feature = j; best = r; }
    }
    return best;
  }

  /** Categories sorted by g / (h + smoothing); the best prefix goes left, missing values right. */
  private categoricalSplit(hist: Float64Array, base: number, nb: number, G: number, H: number, C: number, _gM: number, _hM: number, _cM: number, hConst: boolean, o: HistGrowOptions, parent: number): Split | null {
    const lam = o.l2;
    const cats: number[] = [];
    for (let b = 0; b < nb; b++) if (hist[base + 3 * b + 2]! > 0) cats.push(b);
    if (cats.length < 2) return null;
    const hOf = (b: number): number => (hConst ? hist[base + 3 * b + 2]! : hist[base + 3 * b + 1]!);
    const SMOOTH = 10; // scikit-learn's MIN_CAT_SUPPORT-style smoothing of small categories
    cats.sort((a, b) => hist[base + 3 * a]! / (hOf(a) + SMOOTH) - hist[base + 3 * b]! / (hOf(b) + SMOOTH));
    let gL = 0;
    let hL = 0;
    let cL = 0;
    let best: Split | null = null;
    let bestK = -1;
    for (let k = 0; k + 1 < cats.length; k++) {
      const b = cats[k]!;
      gL += hist[base + 3 * b]!;
      hL += hOf(b);
      cL += hist[base + 3 * b + 2]!;
      const cR = C - cL;
      const hR = H - hL;
      if (cL < o.minSamplesLeaf || cR < o.minSamplesLeaf || hL < MIN_HESSIAN || hR < MIN_HESSIAN) continue;
      const gR = G - gL;
      const gain = (gL * gL) / (hL + lam) + (gR * gR) / (hR + lam) - parent;
      if (gain > (best?.gain ?? 0)) { best = { gain, feature: -1, bin: -1, missingLeft: false, bits: null, gL, hL, cL }; bestK = k; }
    }
    if (!best) return null;
    const bits = new Int32Array(8);
    for (let k = 0; k <= bestK; k++) { const c = cats[k]!; bits[c >> 5] |= 1 << (c & 31); }
    best.bits = bits;
    return best;
  }

  /**
   * Grows one tree on the gradients g and hessians h (null: all 1, squared error) of rows[0, m),
   * which it permutes so that each leaf's rows are contiguous.
   * @example const { tree, leaves } = grower.grow(g, null, rows, n, opts);
   */
  grow(g: Float64Array, h: Float64Array | null, rows: Int32Array, m: number, o: HistGrowOptions): { tree: HistTree; leaves: HistLeaf[]; nodeRows: Int32Array } {
    const { B } = this;
    const n = B.rows;
    const hConst = h === null;
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
      return { id, start, end, depth, g: gs, h: hs, c: cs, hist: null, split: null };
    };
    let G = 0;
    let H = 0;
    for (let t = 0; t < m; t++) { const i = rows[t]!; G += g[i]!; H += h ? h[i]! : 1; }
    const root = newNode(0, m, 0, G, H, m);
    const canSplit = (nd: GrowNode): boolean => nd.depth < o.maxDepth && nd.c >= 2 * o.minSamplesLeaf && nd.h >= 2 * MIN_HESSIAN;
    const open: GrowNode[] = [];
    const done: GrowNode[] = [];
    if (canSplit(root)) {
      root.hist = this.alloc();
      this.build(root.hist, g, h, rows, 0, m, G, H, m);
      root.split = this.findSplit(root, hConst, o);
    }
    (root.split ? open : done).push(root);
    if (!root.split && root.hist) { this.pool.push(root.hist); root.hist = null; }
    while (open.length > 0 && open.length + done.length < o.maxLeafNodes) {
      // Best first: the open leaf whose split gains most.
      let bi = 0;
      for (let k = 1; k < open.length; k++) if (open[k]!.split!.gain > open[bi]!.split!.gain) bi = k;
      const nd = open[bi]!;
      open.splice(bi, 1);
      const s = nd.split!;
      const j = s.feature;
      const cat = B.categorical[j] === 1;
      const a = partition(B.codes, j * n, rows, nd.start, nd.end, s, cat);
      feature[nd.id] = j;
      missingLeft[nd.id] = s.missingLeft ? 1 : 0;
      if (cat) { catOffset[nd.id] = bits.length; bits.push(...s.bits!); threshold[nd.id] = 0; }
      else threshold[nd.id] = s.bin < B.nBins[j]! - 1 ? B.cuts[j]![s.bin]! : Infinity;
      const L = newNode(nd.start, a, nd.depth + 1, s.gL, s.hL, s.cL);
      const R = newNode(a, nd.end, nd.depth + 1, nd.g - s.gL, nd.h - s.hL, nd.c - s.cL);
      left[nd.id] = L.id;
      right[nd.id] = R.id;
      // The smaller child's histogram is built; the larger's is the parent's minus it.
      const parentHist = nd.hist!;
      nd.hist = null;
      const [small, large] = L.end - L.start <= R.end - R.start ? [L, R] : [R, L];
      // Children of the split that fills the tree stay leaves: no histograms, no split search.
      const last = open.length + done.length + 2 >= o.maxLeafNodes;
      const splitSmall = !last && canSplit(small);
      const splitLarge = !last && canSplit(large);
      if (splitSmall || splitLarge) {
        const sh = this.alloc();
        this.build(sh, g, h, rows, small.start, small.end, small.g, small.h, small.c);
        if (splitLarge) {
          subtract(parentHist, sh);
          large.hist = parentHist;
          large.split = this.findSplit(large, hConst, o);
        } else this.pool.push(parentHist);
        if (splitSmall) { small.hist = sh; small.split = this.findSplit(small, hConst, o); } else this.pool.push(sh);
      } else this.pool.push(parentHist);
      for (const c of [L, R]) {
        if (c.split) open.push(c);
        else { done.push(c); if (c.hist) { this.pool.push(c.hist); c.hist = null; } }
      }
    }
    const leaves: HistLeaf[] = [];
    for (const nd of [...open, ...done]) {
      if (nd.hist) { this.pool.push(nd.hist); nd.hist = null; }
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
 * The best threshold of one numeric feature's histogram that beats `minGain`, missing values tried on
 * either side, or null. Bins are scanned left to right; the scan skips empty bins, starts once the left
 * side has minSamplesLeaf rows and stops once the right side would have fewer.
 */
function scanNumeric(hist: Float64Array, base: number, nb: number, G: number, H: number, C: number, gM: number, hM: number, cM: number,
  hConst: boolean, lam: number, msl: number, parent: number, minGain: number): Split | null {
  let gL = 0;
  let hL = 0;
  let cL = 0;
  let bestGain = minGain;
  let bestBin = -1;
  let bestMissLeft = false;
  const last = cM > 0 ? nb - 1 : nb - 2;
  for (let b = 0; b <= last; b++) {
    const k = base + 3 * b;
    const cb = hist[k + 2]!;
    gL += hist[k]!;
    cL += cb;
    hL += hConst ? cb : hist[k + 1]!;
    // An empty bin splits the rows as the bin before it: skip it (the last bin still counts for missing).
    if (cL < msl || (cb === 0 && b < nb - 1)) continue;
    const cR = C - cL;
    if (cR < msl) break; // the right side only shrinks from here
    const hR = H - hL;
    if (hL >= MIN_HESSIAN && hR >= MIN_HESSIAN) {
      const gR = G - gL;
      const gain = (gL * gL) / (hL + lam) + (gR * gR) / (hR + lam) - parent;
      // Without missing values here, NaN at prediction follows the larger child (scikit-learn's rule).
      if (gain > bestGain) { bestGain = gain; bestBin = b; bestMissLeft = cM === 0 && cL >= cR; }
    }
    if (cM > 0 && b < nb - 1) {
      // Missing values to the left.
      const cR2 = cR - cM;
      const hL2 = hL + hM;
      const hR2 = H - hL2;
      if (cR2 >= msl && hL2 >= MIN_HESSIAN && hR2 >= MIN_HESSIAN) {
        const gL2 = gL + gM;
        const gR2 = G - gL2;
        const gain = (gL2 * gL2) / (hL2 + lam) + (gR2 * gR2) / (hR2 + lam) - parent;
        if (gain > bestGain) { bestGain = gain; bestBin = b; bestMissLeft = true; }
      }
    }
  }
  if (bestBin < 0) return null;
  // Re-add the winner's left sums (cheaper than carrying them through the scan).
  let sg = 0;
  let sh = 0;
  let sc = 0;
  for (let b = 0; b <= bestBin; b++) { const k = base + 3 * b; sg += hist[k]!; sc += hist[k + 2]!; sh += hConst ? hist[k + 2]! : hist[k + 1]!; }
  if (bestMissLeft && cM > 0) { sg += gM; sh += hM; sc += cM; }
  return { gain: bestGain, feature: -1, bin: bestBin, missingLeft: bestMissLeft, bits: null, gL: sg, hL: sh, cL: sc };
}

/** Partitions rows[start, end) so the rows going left come first; returns where the right ones start. */
function partition(codes: Uint8Array, col: number, rows: Int32Array, start: number, end: number, s: Split, cat: boolean): number {
  let a = start;
  let b = end - 1;
  const bin = s.bin;
  const missLeft = s.missingLeft;
  while (a <= b) {
    const code = codes[col + rows[a]!]!;
    const goLeft = code === MISSING_BIN ? missLeft : cat ? ((s.bits![code >> 5]! >>> (code & 31)) & 1) === 1 : code <= bin;
    if (goLeft) a++;
    else { const tmp = rows[a]!; rows[a] = rows[b]!; rows[b] = tmp; b--; }
  }
  return a;
}

/** a -= b, element-wise (its own small function: inside grow() V8 ran this loop 8x slower). */
function subtract(a: Float64Array, b: Float64Array): void {
  for (let k = 0; k < a.length; k++) a[k] -= b[k]!;
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
