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
  /**
   * counts[j * 256 + c]: the rows of feature j with code c (MISSING_BIN included), counted while
   * coding (the histogram layout needs them, src/ml/hist-layout.ts: a pass of their own cost Ames
   * 0.44 ms after binning, on one thread); absent in binned data made otherwise.
   */
  counts?: Int32Array;
}

/**
 * Bins every column of X (NaN allowed): numeric columns by quantiles of their values (exactly, one bin
 * per value, when they have at most maxBins distinct values, or at most 8), categorical columns
 * (listed in `categorical`) by their integer values, which must lie in [0, maxBins).
 * @example binForHist(X, 255, new Set([3])).codes;
 */
export function binForHist(X: Matrix, maxBins: number, categorical: ReadonlySet<number>): HistBinned {
  checkMaxBins(maxBins);
  const out = binnedOutputs(X.rows, X.cols, categorical, false);
  const scratch = binScratch(X.rows);
  for (let j = 0; j < X.cols; j += BIN_BLOCK) {
    binBlock(X, maxBins, out, j, scratch);
    for (let b = 0; b < BIN_BLOCK && j + b < X.cols; b++) { const c = scratch.cuts[b]; if (c) out.cuts[j + b] = c; }
  }
  return out;
}

export function checkMaxBins(maxBins: number): void {
  if (!(maxBins >= 2 && maxBins <= 255)) throw new Error(`maxBins must be in [2, 255], got ${maxBins}`);
}

/** Columns binned together: a row's BLOCK adjacent values share a cache line, where one column at a time read a line per row and column. */
export const BIN_BLOCK = 8;

/** The outputs of binning X's columns (typed arrays on shared memory when `shared`), cuts to be filled. */
export function binnedOutputs(n: number, p: number, categorical: ReadonlySet<number>, shared: boolean): HistBinned {
  for (const j of categorical) if (!(Number.isInteger(j) && j >= 0 && j < p)) throw new Error(`categorical feature ${j} is not a column index in [0, ${p})`);
  const bytes = (k: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(k) : new ArrayBuffer(k));
  const cat = new Uint8Array(bytes(p));
  for (const j of categorical) cat[j] = 1;
  return {
    rows: n, cols: p, codes: new Uint8Array(bytes(n * p)), nBins: new Int32Array(bytes(4 * p)),
    cuts: Array.from({ length: p }, () => new Float64Array(0)), categorical: cat, hasMissing: new Uint8Array(bytes(p)),
    counts: new Int32Array(bytes(4 * 256 * p)),
  };
}

/**
 * One thread's scratch for binBlock: the block of columns copied out, the distinct-value table, and
 * the block's cuts (cuts[b]: column j0 + b's, null for a categorical one) for the caller to keep.
 */
export interface BinScratch { block: Float64Array; table: DistinctTable; cuts: (Float64Array | null)[] }

export function binScratch(n: number): BinScratch {
  return { block: new Float64Array(BIN_BLOCK * n), table: distinctTable(n), cuts: new Array<Float64Array | null>(BIN_BLOCK).fill(null) };
}

/**
 * Bins columns [j0, j0 + BIN_BLOCK) of X (fewer at the end) into out's codes, nBins and hasMissing;
 * each numeric column's cuts go to scratch.cuts (null for a categorical one). Throws on a categorical
 * value that is not a code. The cuts come back in the scratch, not through a callback: a helper
 * thread's callback is a new closure for each fit, and its call site in this hot function made V8
 * drop the helper's optimised code in almost every two-thread fit (one deoptimisation per fit on
 * credit, the rest of the block binned unoptimised).
 */
export function binBlock(X: Matrix, maxBins: number, out: HistBinned, j0: number, scratch: BinScratch): void {
  checkMaxBins(maxBins);
  const { rows: n, cols: p, data } = X;
  const { codes, nBins, hasMissing, categorical } = out;
  const counts = out.counts!;
  const { block, table } = scratch;
  const w = Math.min(BIN_BLOCK, p - j0);
  for (let i = 0; i < n; i++) { const o = i * p + j0; for (let b = 0; b < w; b++) block[b * n + i] = data[o + b]!; }
  for (let b = 0; b < w; b++) {
    const j = j0 + b;
    const xj = block.subarray(b * n, (b + 1) * n);
    const o = j * n;
    const c0 = 256 * j;
    if (categorical[j] === 1) {
      let mx = 0;
      for (let i = 0; i < n; i++) {
        const v = xj[i]!;
        if (Number.isNaN(v)) { codes[o + i] = MISSING_BIN; hasMissing[j] = 1; counts[c0 + MISSING_BIN]++; continue; }
        if (!(Number.isInteger(v) && v >= 0 && v < maxBins)) throw new Error(`categorical feature ${j}: value ${v} at row ${i} is not an integer code in [0, ${maxBins})`);
        codes[o + i] = v;
        counts[c0 + v]++;
        if (v > mx) mx = v;
      }
      nBins[j] = mx + 1;
      scratch.cuts[b] = null;
      continue;
    }
    const c = twoValueCodes(xj, codes, o, counts, c0) ?? numericCodes(xj, maxBins, table, codes, o, hasMissing, j, counts, c0);
    scratch.cuts[b] = c;
    nBins[j] = Math.max(1, c.length + 1);
  }
}

/**
 * A column of at most two values and no NaN (one-hot columns): codes by comparison with the first
 * value, in one pass, their counts at counts[c0 + code], and its cut; null (codes partly written,
 * no counts) for any other column.
 */
function twoValueCodes(x: Float64Array, codes: Uint8Array, o: number, counts: Int32Array, c0: number): Float64Array | null {
  const n = x.length;
  const v0 = x[0]!;
  if (!(v0 === v0)) return null;
  let v1 = v0;
  let other = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const c = +(v !== v0);
    if ((c & +(v !== v1)) !== 0) {
      if (v1 !== v0 || v !== v) return null; // a third value, or NaN
      v1 = v;
    }
    codes[o + i] = c;
    other += c;
  }
  if (v1 === v0) { counts[c0] += n; return new Float64Array(0); }
  const flip = v1 < v0;
  if (flip) for (let i = 0; i < n; i++) codes[o + i] = 1 - codes[o + i]!;
  counts[c0] += flip ? other : n - other;
  counts[c0 + 1] += flip ? n - other : other;
  return Float64Array.of((Math.min(v0, v1) + Math.max(v0, v1)) / 2);
}

/**
 * An open-addressing table of doubles reused across columns (a column's slots by `stamp`), with
 * per-column scratch: each row's value number (in order of appearance), each value's count, rank and
 * bin. It replaces a sort of the column and a binary search per row: only the distinct values are
 * sorted (Ames' continuous columns: 490 of 1,758 rows) and each one's bin found once.
 */
interface DistinctTable {
  bits: number; slotVal: Float64Array; slotId: Int32Array; slotStamp: Int32Array; stamp: number;
  id: Int32Array; seen: Float64Array; count: Int32Array; rank: Int32Array; bin: Int32Array;
}

function distinctTable(n: number): DistinctTable {
  let bits = 4;
  while (1 << bits < 2 * n) bits++;
  const size = 1 << bits;
  return {
    bits, slotVal: new Float64Array(size), slotId: new Int32Array(size), slotStamp: new Int32Array(size), stamp: 0,
    id: new Int32Array(n), seen: new Float64Array(n), count: new Int32Array(n), rank: new Int32Array(n), bin: new Int32Array(n),
  };
}

// A double's bits, for hashing.
const hashF = new Float64Array(1);
const hashI = new Int32Array(hashF.buffer);

/**
 * Codes of a numeric column (NaN: MISSING_BIN) and its cuts: one bin per distinct value when there
 * are at most max(maxBins, 8), else quantile cuts of the sorted values (midpoints between order
 * statistics at (b (m - 1) / maxBins), deduplicated, as scikit-learn), read from the distinct values'
 * cumulative counts.
 */
function numericCodes(x: Float64Array, maxBins: number, T: DistinctTable, codes: Uint8Array, o: number, hasMissing: Uint8Array, j: number, counts: Int32Array, c0: number): Float64Array {
  const n = x.length;
  const { slotVal, slotId, slotStamp, id, seen, count, rank, bin } = T;
  const stamp = ++T.stamp;
  const mask = (1 << T.bits) - 1;
  const shift = 32 - T.bits;
  let d = 0;
  let m = 0;
  let negZero = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v !== v) { id[i] = -1; hasMissing[j] = 1; continue; }
    m++;
    if (v === 0 && 1 / v < 0) negZero++;
    hashF[0] = v === 0 ? 0 : v; // -0 and 0 are one value
    let h = (Math.imul(hashI[0]! ^ Math.imul(hashI[1]!, 0x27d4eb2d), 0x9e3779b1) >>> shift) & mask;
    while (slotStamp[h] === stamp && slotVal[h] !== v) h = (h + 1) & mask;
    if (slotStamp[h] !== stamp) {
      slotStamp[h] = stamp;
      slotId[h] = d;
      slotVal[h] = v;
      count[d] = 0;
      seen[d++] = v;
    }
    const k = slotId[h]!;
    id[i] = k;
    count[k]++;
  }
  const vals = seen.slice(0, d).sort();
  // Each value's rank: look each sorted value up again.
  for (let r = 0; r < d; r++) {
    const v = vals[r]!;
    hashF[0] = v === 0 ? 0 : v;
    let h = (Math.imul(hashI[0]! ^ Math.imul(hashI[1]!, 0x27d4eb2d), 0x9e3779b1) >>> shift) & mask;
    while (slotVal[h] !== v || slotStamp[h] !== stamp) h = (h + 1) & mask;
    rank[slotId[h]!] = r;
  }
  let cut: Float64Array;
  if (d <= Math.max(maxBins, 8)) {
    cut = new Float64Array(Math.max(0, d - 1));
    for (let b = 0; b + 1 < d; b++) cut[b] = (vals[b]! + vals[b + 1]!) / 2;
    for (let k = 0; k < d; k++) bin[k] = rank[k]!;
  } else {
    // cum[r]: values of rank <= r; sorted[q] is the value of the smallest rank r with cum[r] > q.
    const cum = new Int32Array(d);
    for (let k = 0; k < d; k++) cum[rank[k]!] = count[k]!;
    for (let r = 1; r < d; r++) cum[r] += cum[r - 1]!;
    const rankAt = (q: number, from: number): number => { let r = from; while (cum[r]! <= q) r++; return r; };
    // The sorted column holds a zero's -0s before its 0s: (-0 + -0) / 2 is the one cut that tells them apart.
    const valueAt = (q: number, r: number): number => (vals[r] === 0 ? (q < (r > 0 ? cum[r - 1]! : 0) + negZero ? -0 : 0) : vals[r]!);
    const c: number[] = [];
    let r = 0;
    for (let b = 1; b < maxBins; b++) {
      const pos = (b * (m - 1)) / maxBins;
      const q0 = Math.floor(pos);
      const q1 = Math.ceil(pos);
      r = rankAt(q0, r);
      const t = (valueAt(q0, r) + valueAt(q1, rankAt(q1, r))) / 2;
      if (c.length === 0 || t > c[c.length - 1]!) c.push(t);
    }
    if (c.length > 0 && c[c.length - 1]! >= vals[d - 1]!) c.pop();
    cut = Float64Array.from(c);
    // Each rank's bin (the smallest b with value <= cut[b]), merging the sorted values with the cuts.
    const binOfRank = cum;
    for (let q = 0, b = 0; q < d; q++) {
      while (b < cut.length && vals[q]! > cut[b]!) b++;
      binOfRank[q] = b;
    }
    for (let k = 0; k < d; k++) bin[k] = binOfRank[rank[k]!]!;
  }
  for (let i = 0; i < n; i++) { const k = id[i]!; codes[o + i] = k < 0 ? MISSING_BIN : bin[k]!; }
  // Each bin's rows from its values' counts; the rest are missing.
  for (let k = 0; k < d; k++) counts[c0 + bin[k]!] += count[k]!;
  counts[c0 + MISSING_BIN] += n - m;
  return cut;
}
