// Binning for the histogram gradient booster: each feature becomes uint8 codes, at most 255 ordered
// bins for values plus bin 255 for missing values (NaN); categorical features keep their codes.

import type { Matrix } from './matrix.js';

/** The code of a missing value, in every feature. */
export const MISSING_BIN = 255;

/** Binned training data, column-major, with what predicting raw rows needs. */
export interface HistBinned {
  rows: number;
  cols: number;
  /** codes[j * rows + i]: the bin of X[i][j]. */
  codes: Uint8Array;
  /** Bins in use per feature (values 0..nBins-1; MISSING_BIN apart). */
  nBins: Int32Array;
  /** cuts[j][b]: x <= cuts[j][b] means bin <= b (numeric features). */
  cuts: Float64Array[];
  /** 1 for a categorical feature (its values are its bins). */
  categorical: Uint8Array;
  /** 1 when feature j has a missing value in the training rows. */
  hasMissing: Uint8Array;
}

/**
 * Bins every column of X (NaN allowed): numeric columns by quantiles of their values (exactly, one bin
 * per value, when they have at most maxBins distinct values), categorical columns (listed in
 * `categorical`) by their integer values, which must lie in [0, maxBins).
 * @example binForHist(X, 255, new Set([3])).codes;
 */
export function binForHist(X: Matrix, maxBins: number, categorical: ReadonlySet<number>): HistBinned {
  if (!(maxBins >= 2 && maxBins <= 255)) throw new Error(`maxBins must be in [2, 255], got ${maxBins}`);
  const { rows: n, cols: p, data } = X;
  const codes = new Uint8Array(n * p);
  const nBins = new Int32Array(p);
  const cuts: Float64Array[] = [];
  const cat = new Uint8Array(p);
  const hasMissing = new Uint8Array(p);
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) { const v = data[i * p + j]!; if (Number.isNaN(v)) hasMissing[j] = 1; else col[m++] = v; }
    const o = j * n;
    if (categorical.has(j)) {
      cat[j] = 1;
      let mx = 0;
      for (let i = 0; i < n; i++) {
        const v = data[i * p + j]!;
        if (Number.isNaN(v)) { codes[o + i] = MISSING_BIN; continue; }
        if (!(Number.isInteger(v) && v >= 0 && v < maxBins)) throw new Error(`categorical feature ${j}: value ${v} at row ${i} is not an integer code in [0, ${maxBins})`);
        codes[o + i] = v;
        if (v > mx) mx = v;
      }
      nBins[j] = mx + 1;
      cuts.push(new Float64Array(0));
      continue;
    }
    const few = fewDistinct(col, m);
    if (few) {
      // One-hot and other low-cardinality columns: no sort, each value's bin is its rank.
      const c = new Float64Array(Math.max(0, few.length - 1));
      for (let b = 0; b + 1 < few.length; b++) c[b] = (few[b]! + few[b + 1]!) / 2;
      cuts.push(c);
      nBins[j] = Math.max(1, few.length);
      for (let i = 0; i < n; i++) {
        const v = data[i * p + j]!;
        if (Number.isNaN(v)) { codes[o + i] = MISSING_BIN; continue; }
        let b = 0;
        while (few[b] !== v) b++;
        codes[o + i] = b;
      }
      continue;
    }
    const sorted = col.slice(0, m).sort();
    const uniq: number[] = [];
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) uniq.push(sorted[i]!);
    let cut: number[];
    if (uniq.length <= maxBins) {
      cut = [];
      for (let b = 0; b + 1 < uniq.length; b++) cut.push((uniq[b]! + uniq[b + 1]!) / 2);
    } else {
      // Quantiles of the values (midpoints between order statistics), deduplicated, as scikit-learn.
      cut = [];
      for (let b = 1; b < maxBins; b++) {
        const pos = (b * (m - 1)) / maxBins;
        const lo = sorted[Math.floor(pos)]!;
        const hi = sorted[Math.ceil(pos)]!;
        const t = (lo + hi) / 2;
        if (cut.length === 0 || t > cut[cut.length - 1]!) cut.push(t);
      }
      if (cut.length > 0 && cut[cut.length - 1]! >= uniq[uniq.length - 1]!) cut.pop();
    }
    const c = Float64Array.from(cut);
    cuts.push(c);
    nBins[j] = Math.max(1, c.length + 1);
    for (let i = 0; i < n; i++) {
      const v = data[i * p + j]!;
      codes[o + i] = Number.isNaN(v) ? MISSING_BIN : binOf(c, v);
    }
  }
  return { rows: n, cols: p, codes, nBins, cuts, categorical: cat, hasMissing };
}

/** The sorted distinct values of col[0, m) when there are at most 8 of them, else null. */
function fewDistinct(col: Float64Array, m: number): number[] | null {
  const vals: number[] = [];
  for (let i = 0; i < m; i++) {
    const v = col[i]!;
    let k = 0;
    while (k < vals.length && vals[k] !== v) k++;
    if (k === vals.length) { if (vals.length === 8) return null; vals.push(v); }
  }
  return vals.sort((a, b) => a - b);
}

/** Smallest b with x <= cut[b] (cut.length if none). */
function binOf(cut: Float64Array, x: number): number {
  let lo = 0;
  let hi = cut.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x <= cut[mid]!) hi = mid; else lo = mid + 1; }
  return lo;
}
