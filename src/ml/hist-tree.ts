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
  private readonly og: Float64Array;
  private readonly oh: Float64Array;

  constructor(private readonly B: HistBinned) {
    this.offset = new Int32Array(B.cols + 1);
    for (let j = 0; j < B.cols; j++) this.offset[j + 1] = this.offset[j]! + B.nBins[j]! + 1;
    this.total = this.offset[B.cols]!;
    this.og = new Float64Array(B.rows);
    this.oh = new Float64Array(B.rows);
  }

  private alloc(): Float64Array {
    const h = this.pool.pop();
    if (h) { h.fill(0); return h; }
    return new Float64Array(3 * this.total);
  }

  /** Gradient, hessian and count histograms of rows[start, end) (hessians all 1 when h is null). */
  private build(hist: Float64Array, g: Float64Array, h: Float64Array | null, rows: Int32Array, start: number, end: number): void {
    const { B, og, oh } = this;
    const n = B.rows;
    const m = end - start;
    for (let t = 0; t < m; t++) { const i = rows[start + t]!; og[t] = g[i]!; if (h) oh[t] = h[i]!; }
    const codes = B.codes;
    for (let j = 0; j < B.cols; j++) {
      const base = 3 * this.offset[j]!;
      const col = j * n;
      const missK = base + 3 * B.nBins[j]!; // the slot after the value bins
      if (B.hasMissing[j]) {
        for (let t = 0; t < m; t++) {
          const b = codes[col + rows[start + t]!]!;
          const k = b === MISSING_BIN ? missK : base + 3 * b;
          hist[k] += og[t]!;
          hist[k + 2] += 1;
          if (h) hist[k + 1] += oh[t]!;
        }
      } else if (h) {
        for (let t = 0; t < m; t++) {
          const k = base + 3 * codes[col + rows[start + t]!]!;
          hist[k] += og[t]!;
          hist[k + 1] += oh[t]!;
          hist[k + 2] += 1;
        }
      } else {
        for (let t = 0; t < m; t++) {
          const k = base + 3 * codes[col + rows[start + t]!]!;
          hist[k] += og[t]!;
          hist[k + 2] += 1;
        }
      }
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
        if (s && s.gain > bestGain) { bestGain = s.gain; best = { ...s, feature: j }; }
        continue;
      }
      let gL = 0;
      let hL = 0;
      let cL = 0;
      const last = cM > 0 ? nb - 1 : nb - 2;
      for (let b = 0; b <= last; b++) {
        const k = base + 3 * b;
        const cb = hist[k + 2]!;
        if (cb === 0 && b < nb - 1) continue;
        gL += hist[k]!;
        cL += cb;
        hL += hConst ? cb : hist[k + 1]!;
        // Missing values to the right.
        let cR = C - cL;
        let hR = H - hL;
        if (cL >= msl && cR >= msl && hL >= MIN_HESSIAN && hR >= MIN_HESSIAN) {
          const gR = G - gL;
          const gain = (gL * gL) / (hL + lam) + (gR * gR) / (hR + lam) - parent;
          // Without missing values here, NaN at prediction follows the larger child (scikit-learn's rule).
          if (gain > bestGain) { bestGain = gain; best = { gain, feature: j, bin: b, missingLeft: cM === 0 && cL >= cR, bits: null, gL, hL, cL }; }
        }
        if (cM > 0 && b < nb - 1) {
          // Missing values to the left.
          const gL2 = gL + gM;
          const hL2 = hL + hM;
          const cL2 = cL + cM;
          cR = C - cL2;
          hR = H - hL2;
          if (cL2 >= msl && cR >= msl && hL2 >= MIN_HESSIAN && hR >= MIN_HESSIAN) {
            const gR = G - gL2;
            const gain = (gL2 * gL2) / (hL2 + lam) + (gR * gR) / (hR + lam) - parent;
            if (gain > bestGain) { bestGain = gain; best = { gain, feature: j, bin: b, missingLeft: true, bits: null, gL: gL2, hL: hL2, cL: cL2 }; }
          }
        }
      }
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
  grow(g: Float64Array, h: Float64Array | null, rows: Int32Array, m: number, o: HistGrowOptions): { tree: HistTree; leaves: HistLeaf[] } {
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
    const newNode = (start: number, end: number, depth: number, gs: number, hs: number, cs: number): GrowNode => {
      const id = feature.length;
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
      this.build(root.hist, g, h, rows, 0, m);
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
      const col = j * n;
      const cat = B.categorical[j] === 1;
      // Partition rows[start, end) so the left child's come first.
      let a = nd.start;
      let b = nd.end - 1;
      while (a <= b) {
        const code = B.codes[col + rows[a]!]!;
        const goLeft = code === MISSING_BIN ? s.missingLeft : cat ? ((s.bits![code >> 5]! >>> (code & 31)) & 1) === 1 : code <= s.bin;
        if (goLeft) a++;
        else { const tmp = rows[a]!; rows[a] = rows[b]!; rows[b] = tmp; b--; }
      }
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
      const splitSmall = canSplit(small);
      const splitLarge = canSplit(large);
      if (splitSmall || splitLarge) {
        const sh = this.alloc();
        this.build(sh, g, h, rows, small.start, small.end);
        if (splitLarge) {
          for (let k = 0; k < parentHist.length; k++) parentHist[k] -= sh[k]!;
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
    return { tree, leaves };
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
