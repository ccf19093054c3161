// CART tree growth (Breiman et al. 1984) on binned features: depth first, best split by Gini, entropy or squared error.

import type { Binned } from './binning.js';
import type { Rng } from '../tensor/random.js';

/** A fitted tree as flat arrays; node 0 is the root, `feature[i] = -1` marks a leaf. */
export interface TreeArrays {
  feature: Int32Array;
  /** Go left when x[feature] <= threshold. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** nOutputs values per node: class probabilities, or the regression value. */
  value: Float64Array;
  nOutputs: number;
  /** Training samples that reached each node. */
  nSamples: Int32Array;
}

/** Split criteria. */
export type Criterion = 'gini' | 'entropy' | 'squared_error';

/** How {@link buildTree} grows a tree. */
export interface GrowOptions {
  criterion: Criterion;
  /** Number of classes (classification) or 1 (regression). */
  nClasses: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Features tried at each node (drawn without replacement, constant ones not counted, as scikit-learn). */
  maxFeatures: number;
  rng: Rng;
}

/** A leaf and the positions [start, end) of its samples in the permuted sample array. */
export interface LeafRange {
  node: number;
  start: number;
  end: number;
}

/** Result of {@link buildTree}. */
export interface GrownTree {
  tree: TreeArrays;
  /** Total impurity decrease per feature (unnormalised importances). */
  importances: Float64Array;
  leaves: LeafRange[];
}

const xlogx = (x: number): number => (x > 0 ? x * Math.log(x) : 0);
const SORT_SHIFT = 2 ** 23; // sort keys are bin * 2^23 + position: exact in a double for 16-bit bins

/**
 * Grows one CART tree. `samples` lists the rows to use (repeats allowed: a bootstrap sample) and is
 * permuted in place; `target` holds class indices (Int32Array) or regression targets (Float64Array).
 * @example buildTree(binData(X), yIdx, Int32Array.from(range(n)), { criterion: 'gini', nClasses: 2, ... });
 */
export function buildTree(B: Binned, target: Int32Array | Float64Array, samples: Int32Array, o: GrowOptions, weights: Int32Array | null = null): GrownTree {
  const classify = o.criterion !== 'squared_error';
  const gini = o.criterion === 'gini';
  const K = classify ? o.nClasses : 1;
  if (samples.length >= SORT_SHIFT) throw new Error('tree: too many samples');
  const yi = classify ? (target as Int32Array) : null;
  const yf = classify ? null : (target as Float64Array);
  const n = B.rows;
  const p = B.cols;
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const nSamples: number[] = [];
  const importances = new Float64Array(p);
  const leaves: LeafRange[] = [];
  const feats = Int32Array.from({ length: p }, (_, j) => j);
  // The features' order at each node is drawn from o.rng's stream by an inlined copy of its
  // generator (state read here, written back at the end): a method call per feature and node was a
  // fifth of an Ames tree's split search. The draws, and so the trees, are the same as before.
  const rngState = o.rng.getState();
  // With many features tried per node and sparse rows (one-hot blocks), mark first which features
  // vary in the node at all: a feature whose samples all hold its most frequent code is constant.
  // Worth it when rows list well under half the features tried (digits, 30 of 64: the marking pass
  // costs more than the constant features it skips; Ames, 37 of 305, and credit, 9 of 29: it pays).
  const sparse = sparseRows(B, 0.4 * o.maxFeatures);
  const useActive = sparse.feat !== null;
  const active = new Int32Array(p);
  // The samples' targets and weights (a bootstrap's draw counts; all 1 without weights) in sample
  // order, moved with the samples when a node is partitioned: every pass over a node reads them
  // sequentially instead of gathering them through samples[t] at every node.
  const yNode = new Float64Array(classify ? 0 : samples.length);
  // Class indices as integers: a histogram index computed from a double cost a third of a digits tree's fit.
  const cNode = new Int32Array(classify ? samples.length : 0);
  const wNode = new Int32Array(samples.length);
  const weighted = weights !== null;
  for (let t = 0; t < samples.length; t++) {
    const i = samples[t]!;
    wNode[t] = weighted ? weights[i]! : 1;
    if (classify) cNode[t] = yi![i]!;
    else yNode[t] = yf![i]!;
  }
  const nzCnt = new Float64Array(useActive ? p : 0);
  const nzY = new Float64Array(useActive ? p * K : 0);
  let nodeMark = 0;
  const counts = new Float64Array(K);
  // The classes present in a node, renumbered in order (see findSplit).
  const kmap = new Int32Array(K);
  const countsC = new Float64Array(K);
  const cCompact = new Int32Array(classify && K > 2 ? samples.length : 0);
  let scanCounts = counts;
  let scanK = K;
  const cl = new Float64Array(K);
  const cr = new Float64Array(K);
  let hist = new Float64Array(256 * K);
  let hcnt = new Float64Array(256);
  let histC = new Int32Array(256 * K);
  const keys = new Float64Array(samples.length);
  // Features found constant in a node are constant in all its descendants: constAt[d * p + j] marks
  // them for the node being split at depth d (copied from its parent's row, which depth-first order
  // leaves intact), so a descendant that draws one skips it without a pass over its samples. It is
  // skipped where the pass would have found it constant, after the same draw, so the trees are the same.
  let constAt = new Uint8Array(8 * p);
  // Running statistics of a left-to-right scan (sums for regression, Σc² or Σ c ln c for classes).
  let sL = 0;
  let sR = 0;
  let qL = 0;
  let qR = 0;

  interface Frame { start: number; end: number; depth: number; parent: number; isLeft: boolean }
  const stack: Frame[] = [{ start: 0, end: samples.length, depth: 0, parent: -1, isLeft: true }];
  while (stack.length > 0) {
    const { start, end, depth, parent, isLeft } = stack.pop()!;
    const m = end - start;
    let W = m; // the node's weight: its samples with their repeats
    if (weighted && !(classify && K === 2)) { W = 0; for (let t = start; t < end; t++) W += wNode[t]!; }
    const id = feature.length;
    if (parent >= 0) (isLeft ? left : right)[parent] = id;
    // Node statistics.
    let impurity: number;
    let sum = 0;
    if (classify) {
      if (K === 2) {
        // Two classes: the weight and class-1 weight in registers (adding into two cells made each
        // sample wait for the previous one's store).
        let w = 0;
        let c1 = 0;
        for (let t = start; t < end; t++) { const wt = wNode[t]!; w += wt; c1 += wt * cNode[t]!; }
        W = w;
        counts[0] = w - c1;
        counts[1] = c1;
      } else {
        counts.fill(0);
        for (let t = start; t < end; t++) counts[cNode[t]!] += wNode[t]!;
      }
      for (let k = 0; k < K; k++) value.push(counts[k]! / W);
      impurity = nodeImpurity(o.criterion, counts, W);
    } else {
      let sq = 0;
      for (let t = start; t < end; t++) { const v = yNode[t]!; const w = wNode[t]!; sum += w * v; sq += w * v * v; }
      value.push(sum / W);
      impurity = Math.max(0, sq / W - (sum / W) ** 2);
    }
    feature.push(-1); threshold.push(0); left.push(-1); right.push(-1); nSamples.push(W);
    if (parent >= 0) importances[feature[parent]!] -= W * impurity;
    if (depth >= o.maxDepth || m < o.minSamplesSplit || m < 2 * o.minSamplesLeaf || impurity <= 1e-12) {
      leaves.push({ node: id, start, end });
      continue;
    }
    const split = findSplit(start, end, sum, W, depth);
    if (split === null) { leaves.push({ node: id, start, end }); continue; }
    // Partition samples so that the left child's come first.
    const co = split.feature * n;
    let a = start;
    let b = end - 1;
    while (a <= b) {
      if (B.codes[co + samples[a]!]! <= split.leftBin) a++;
      else {
        const tmp = samples[a]!; samples[a] = samples[b]!; samples[b] = tmp;
        const tw = wNode[a]!; wNode[a] = wNode[b]!; wNode[b] = tw;
        if (classify) { const tc = cNode[a]!; cNode[a] = cNode[b]!; cNode[b] = tc; }
        else { const ty = yNode[a]!; yNode[a] = yNode[b]!; yNode[b] = ty; }
        b--;
      }
    }
    feature[id] = split.feature;
    const vals = B.values[split.feature];
    threshold[id] = vals ? (vals[split.leftBin]! + vals[split.rightBin]!) / 2 : B.cuts[split.feature]![split.leftBin]!;
    importances[split.feature] += W * impurity;
    stack.push({ start: a, end, depth: depth + 1, parent: id, isLeft: false });
    stack.push({ start, end: a, depth: depth + 1, parent: id, isLeft: true });
  }
  for (let j = 0; j < p; j++) importances[j] = Math.max(0, importances[j]!);
  o.rng.setState(rngState);
  return {
    tree: {
      feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), left: Int32Array.from(left),
      right: Int32Array.from(right), value: Float64Array.from(value), nOutputs: K, nSamples: Int32Array.from(nSamples),
    },
    importances,
    leaves,
  };

  /** Best split of samples[start, end) over up to maxFeatures non-constant features. */
  // Counts in the scans are weights (W the node's); m, the distinct samples, sizes the passes.
  function findSplit(start: number, end: number, nodeSum: number, W: number, depth: number): { feature: number; leftBin: number; rightBin: number } | null {
    const m = end - start;
    // With more than two classes (and no row lists), the classes present in the node, renumbered in
    // order: histograms, their clearing and their scans shrink from K classes to those present (one
    // to three of ten in most nodes of a digits tree). Absent classes only ever added zeros to the
    // scans' sums, so the splits are the same.
    let KK = K;
    let cls = cNode;
    scanCounts = counts;
    scanK = K;
    if (classify && K > 2 && !useActive) {
      KK = 0;
      for (let k = 0; k < K; k++) if (counts[k]! > 0) { kmap[k] = KK; countsC[KK] = counts[k]!; KK++; }
      for (let t = start; t < end; t++) cCompact[t] = kmap[cNode[t]!]!;
      cls = cCompact;
      scanCounts = countsC;
      scanK = KK;
    }
    if (constAt.length < (depth + 1) * p) { const grown = new Uint8Array(2 * (depth + 1) * p); grown.set(constAt); constAt = grown; }
    const cb = depth * p;
    if (depth === 0) for (let j = 0; j < p; j++) constAt[j] = 0;
    else for (let j = 0; j < p; j++) constAt[cb + j] = constAt[cb - p + j]!;
    const msl = o.minSamplesLeaf;
    let bestProxy = -Infinity;
    let bestF = -1;
    let bestL = 0;
    let bestR = 0;
    let tried = 0;
    let r0 = rngState[0] | 0;
    let r1 = rngState[1] | 0;
    let r2 = rngState[2] | 0;
    let r3 = rngState[3] | 0;
    if (useActive) {
      // One pass over the node's listed entries marks the features that vary here and sums, per
      // feature, the targets of its non-modal samples: a two-bin feature's histogram follows.
      nodeMark++;
      const rs = sparse.start;
      const feat = sparse.feat!;
      for (let t = start; t < end; t++) {
        const i = samples[t]!;
        const e = rs[i + 1]!;
        const yt = classify ? cNode[t]! : yNode[t]!;
        const wt = wNode[t]!;
        for (let u = rs[i]!; u < e; u++) {
          const j = feat[u]!;
          if (active[j] !== nodeMark) {
            active[j] = nodeMark;
            nzCnt[j] = 0;
            if (classify) for (let k = 0; k < K; k++) nzY[j * K + k] = 0;
            else nzY[j] = 0;
          }
          nzCnt[j] += wt;
          if (classify) nzY[j * K + yt] += wt;
          else nzY[j] += wt * yt;
        }
      }
    }
    for (let f = 0; f < p && tried < o.maxFeatures; f++) {
      // o.rng.int(p - f), inlined (xoshiro128**, as src/tensor/random.ts).
      const x = Math.imul(r1, 5);
      const u = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
      const sh = r1 << 9;
      r2 ^= r0; r3 ^= r1; r1 ^= r2; r0 ^= r3; r2 ^= sh; r3 = (r3 << 11) | (r3 >>> 21);
      const r = f + Math.floor((u / 4294967296) * (p - f));
      const j = feats[r]!;
      feats[r] = feats[f]!;
      feats[f] = j;
      if (constAt[cb + j] !== 0) continue; // constant in an ancestor
      if (useActive && active[j] !== nodeMark) { constAt[cb + j] = 1; continue; } // constant in this node
      const co = j * n;
      const nbj = B.cuts[j]!.length + 1;
      if (useActive && nbj === 2) {
        // Two bins: the non-modal one is what the marking pass summed, the modal one the rest.
        const d = sparse.mode[j]!;
        const other = 1 - d;
        hcnt[other] = nzCnt[j]!;
        hcnt[d] = W - nzCnt[j]!;
        if (classify) for (let k = 0; k < K; k++) { hist[other * K + k] = nzY[j * K + k]!; hist[d * K + k] = counts[k]! - nzY[j * K + k]!; }
        else { hist[other] = nzY[j]!; hist[d] = nodeSum - nzY[j]!; }
        if (hcnt[0] === 0 || hcnt[1] === 0) { constAt[cb + j] = 1; continue; } // constant here
        tried++;
        initScan(nodeSum);
        if (hcnt[0]! >= msl && hcnt[1]! >= msl) {
          if (classify) for (let k = 0; k < K; k++) { const v = hist[k]!; if (v !== 0) moveLeft(k, v); }
          else moveLeftSum(hist[0]!);
          const proxy = scanProxy(hcnt[0]!, hcnt[1]!);
          if (proxy > bestProxy) { bestProxy = proxy; bestF = j; bestL = 0; bestR = 1; }
        }
        continue;
      }
      if (nbj * K <= 8 * m) {
        // Histogram path (up to 8 bins per sample: clearing and scanning bins beats sorting the samples):
        // one pass to fill the feature's bins, one scan over them (a feature with a
        // single non-empty bin is constant here and, as scikit-learn, not counted among those tried).
        if (hcnt.length < nbj) { hcnt = new Float64Array(nbj); hist = new Float64Array(nbj * K); histC = new Int32Array(nbj * K); }
        // Classes count in integers, and a bin's count is summed in the scan, not kept in the fill.
        if (classify && nbj === 2 && KK === 2) {
          // Two bins, two classes (credit's one-hot columns): bin 1's weight and its class-1 weight
          // summed in registers, the rest from the node's counts. Adding into a 4-cell histogram made
          // each sample wait for the previous one's store to the same cell (a third of a credit tree).
          let w1 = 0;
          let y1 = 0;
          for (let t = start; t < end; t++) { const bw = B.codes[co + samples[t]!]! * wNode[t]!; w1 += bw; y1 += bw * cls[t]!; }
          histC[2] = w1 - y1;
          histC[3] = y1;
          histC[0] = scanCounts[0]! - histC[2]!;
          histC[1] = scanCounts[1]! - y1;
        } else if (classify) {
          for (let c = 0; c < nbj * KK; c++) histC[c] = 0; // (a typed-array fill call costs more than 2 bins)
          if (weighted) for (let t = start; t < end; t++) histC[B.codes[co + samples[t]!]! * KK + cls[t]!] += wNode[t]!;
          else for (let t = start; t < end; t++) histC[B.codes[co + samples[t]!]! * KK + cls[t]!]++;
        } else {
          for (let c = 0; c < nbj; c++) { hist[c] = 0; hcnt[c] = 0; }
          for (let t = start; t < end; t++) { const c = B.codes[co + samples[t]!]!; const w = wNode[t]!; hist[c] += w * yNode[t]!; hcnt[c] += w; }
        }
        initScan(nodeSum);
        let nl = 0;
        let prevBin = -1;
        let prevCnt = 0;
        for (let c = 0; c < nbj; c++) {
          let cnt = 0;
          if (classify) for (let k = 0; k < KK; k++) cnt += histC[c * KK + k]!;
          else cnt = hcnt[c]!;
          if (cnt === 0) continue;
          if (prevBin >= 0 && nl >= msl && W - nl >= msl) {
            const proxy = scanProxy(nl, W - nl);
            if (proxy > bestProxy) { bestProxy = proxy; bestF = j; bestL = prevBin; bestR = c; }
          }
          if (classify) for (let k = 0; k < KK; k++) { const v = histC[c * KK + k]!; if (v !== 0) moveLeft(k, v); }
          else moveLeftSum(hist[c]!);
          nl += cnt;
          prevBin = c;
          prevCnt = cnt;
        }
        if (nl !== prevCnt) tried++;
        else constAt[cb + j] = 1;
      } else {
        // Sort path for small nodes: order samples by (bin, position) with one native integer sort.
        let ks = keys;
        for (let t = 0; t < m; t++) keys[t] = B.codes[co + samples[start + t]!]! * SORT_SHIFT + t;
        if (m <= 48) insertionSort(keys, m); // the native sort's call costs ~1-2 us, more than sorting a few keys
        else { ks = keys.subarray(0, m); ks.sort(); }
        if (Math.floor(ks[0]! / SORT_SHIFT) === Math.floor(ks[m - 1]! / SORT_SHIFT)) { constAt[cb + j] = 1; continue; } // constant here
        tried++;
        initScan(nodeSum);
        let nl = 0;
        for (let t = 0; t < m; t++) {
          const c = Math.floor(ks[t]! / SORT_SHIFT);
          const pos = ks[t]! - c * SORT_SHIFT;
          const w = wNode[start + pos]!;
          if (classify) moveLeft(cls[start + pos]!, w);
          else moveLeftSum(w * yNode[start + pos]!);
          nl += w;
          if (t + 1 === m) break;
          const cNext = Math.floor(ks[t + 1]! / SORT_SHIFT);
          if (c === cNext || nl < msl) continue;
          if (W - nl < msl) break;
          const proxy = scanProxy(nl, W - nl);
          if (proxy > bestProxy) { bestProxy = proxy; bestF = j; bestL = c; bestR = cNext; }
        }
      }
    }
    rngState[0] = r0; rngState[1] = r1; rngState[2] = r2; rngState[3] = r3;
    if (bestF < 0) return null;
    return { feature: bestF, leftBin: bestL, rightBin: bestR };
  }

  /** Resets the scan: every sample of the node on the right. */
  function initScan(nodeSum: number): void {
    if (classify) {
      // Loops, not fill() and set(): a typed-array builtin call costs more than a few classes.
      qL = 0;
      qR = 0;
      for (let k = 0; k < scanK; k++) {
        const c = scanCounts[k]!;
        cl[k] = 0;
        cr[k] = c;
        qR += gini ? c * c : xlogx(c);
      }
    } else { sL = 0; sR = nodeSum; }
  }
  function moveLeft(k: number, v: number): void {
    const a = cl[k]!;
    const b = cr[k]!;
    if (gini) { qL += (a + v) * (a + v) - a * a; qR += (b - v) * (b - v) - b * b; }
    else { qL += xlogx(a + v) - xlogx(a); qR += xlogx(b - v) - xlogx(b); }
    cl[k] = a + v;
    cr[k] = b - v;
  }
  function moveLeftSum(v: number): void {
    sL += v;
    sR -= v;
  }
  function scanProxy(nl: number, nr: number): number {
    if (!classify) return (sL * sL) / nl + (sR * sR) / nr;
    if (gini) return qL / nl + qR / nr;
    return qL - xlogx(nl) + qR - xlogx(nr);
  }
}

/**
 * Per row, the features whose code is not that feature's most frequent one (CSR; null when rows list
 * on average more than the caller's limit), and their mean count.
 */
interface SparseRows { start: Int32Array; feat: Int32Array | null; avgPerRow: number; mode: Uint16Array }
const sparseCache = new WeakMap<Binned, SparseRows>();

/** The row lists of B when rows list at most maxAvg entries on average, built once per binned matrix (a forest's trees share them). */
function sparseRows(B: Binned, maxAvg: number): SparseRows {
  const cached = sparseCache.get(B);
  if (cached && (cached.feat !== null || cached.avgPerRow >= maxAvg)) return cached.avgPerRow < maxAvg ? cached : { ...cached, feat: null };
  const { rows: n, cols: p, codes } = B;
  const mode = new Uint16Array(p);
  const perRow = new Int32Array(n);
  const count = new Int32Array(65536);
  for (let j = 0; j < p; j++) {
    const col = j * n;
    const nb = B.cuts[j]!.length + 1; // codes lie in [0, nb)
    if (nb === 2) {
      // Two bins (one-hot columns): the mode from the count of ones, summed in a register (counting
      // into cells made every row wait for the previous row's store to the same cell). A tie goes
      // to the bin whose count reached half first, as the counting loop below decides it.
      let ones = 0;
      for (let i = 0; i < n; i++) ones += codes[col + i]!;
      let best = ones * 2 > n ? 1 : 0;
      if (ones * 2 === n) {
        let c1 = 0;
        for (let i = 0; i < n; i++) { c1 += codes[col + i]!; if (2 * c1 === n) { best = 1; break; } if (2 * (i + 1 - c1) === n) { best = 0; break; } }
      }
      mode[j] = best;
      for (let i = 0; i < n; i++) perRow[i] += codes[col + i]! ^ best;
      continue;
    }
    let best = 0;
    for (let i = 0; i < n; i++) { const c = codes[col + i]!; if (++count[c]! > count[best]!) best = c; }
    // Clear the codes used, not one entry per row.
    if (nb < n) for (let c = 0; c < nb; c++) count[c] = 0;
    else for (let i = 0; i < n; i++) count[codes[col + i]!] = 0;
    mode[j] = best;
    for (let i = 0; i < n; i++) perRow[i] += +(codes[col + i] !== best);
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + perRow[i]!;
  if (start[n]! / n >= maxAvg) {
    const out = { start, feat: null, avgPerRow: start[n]! / n, mode };
    sparseCache.set(B, out);
    return out;
  }
  const feat = new Int32Array(start[n]!);
  const cursor = start.slice(0, n);
  for (let j = 0; j < p; j++) {
    const col = j * n;
    const m = mode[j]!;
    for (let i = 0; i < n; i++) if (codes[col + i] !== m) feat[cursor[i]!++] = j;
  }
  const out = { start, feat, avgPerRow: start[n]! / n, mode };
  sparseCache.set(B, out);
  return out;
}

/** Sorts a[0, m) ascending in place. */
function insertionSort(a: Float64Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) { a[j + 1] = a[j]!; j--; }
    a[j + 1] = v;
  }
}

function nodeImpurity(criterion: Criterion, counts: Float64Array, m: number): number {
  let s = 0;
  if (criterion === 'gini') {
    for (let k = 0; k < counts.length; k++) s += (counts[k]! / m) ** 2;
    return 1 - s;
  }
  for (let k = 0; k < counts.length; k++) { const q = counts[k]! / m; if (q > 0) s -= q * Math.log2(q); }
  return s;
}

/**
 * Index of the leaf each row of X (row-major, p columns) falls into.
 * @example applyTree(tree, X.data, X.rows, X.cols); // Int32Array of node ids
 */
export function applyTree(t: TreeArrays, data: Float64Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  const { feature, threshold, left, right } = t;
  for (let i = 0; i < rows; i++) {
    let node = 0;
    const o = i * cols;
    while (feature[node]! >= 0) node = data[o + feature[node]!]! <= threshold[node]! ? left[node]! : right[node]!;
    out[i] = node;
  }
  return out;
}
