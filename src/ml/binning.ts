// Feature binning for tree learners: each column becomes small integer codes (exact when it has <= maxBins distinct values).

import type { Matrix } from './matrix.js';

/** Column-major bin codes and, per feature, the thresholds between consecutive bins. */
export interface Binned {
  rows: number;
  cols: number;
  /** codes[j * rows + i] is the bin of X[i][j]; bins are ordered by value. */
  codes: Uint16Array;
  /** cuts[j][b] is the threshold between bin b and b + 1: x <= cuts[j][b] means bin <= b. */
  cuts: Float64Array[];
  /** values[j][b] is the value of bin b when feature j is binned exactly (one bin per distinct value), else null. */
  values: (Float64Array | null)[];
}

/**
 * Bins every column of X into at most `maxBins` (<= 65536) ordered bins. With few distinct values each
 * value is its own bin and the cut is the midpoint between neighbours, so splits equal exact CART's;
 * otherwise the cuts are quantiles of the distinct values.
 * @example binData(toMatrix([[1], [2], [3]]), 256).cuts[0]; // [1.5, 2.5]
 */
export function binData(X: Matrix, maxBins = 256): Binned {
  if (maxBins < 2 || maxBins > 65536) throw new Error('maxBins must be in [2, 65536]');
  const { rows: n, cols: p, data } = X;
  const codes = new Uint16Array(n * p);
  const cuts: Float64Array[] = [];
  const values: (Float64Array | null)[] = [];
  // Columns are copied out BLOCK at a time: each row's BLOCK adjacent values share a cache line,
  // where one column at a time read a line per row per column (a third of Ames' binning).
  const BLOCK = 8;
  const block = new Float64Array(BLOCK * n);
  // The hash table takes every distinct value up to HASH_LIMIT (not only up to maxBins): a column
  // with more distinct values than bins gets its quantile cuts from the sorted distinct values and
  // their counts, with no sort of the whole column and no binary search per value (breast cancer's
  // 30 continuous columns of ~320 distinct values in 342 rows were all on the sorting path).
  const table = valueTable(Math.min(n, HASH_LIMIT));
  for (let j = 0; j < p; j++) {
    const jb = j % BLOCK;
    if (jb === 0) {
      const w = Math.min(BLOCK, p - j);
      for (let i = 0; i < n; i++) { const o = i * p + j; for (let b = 0; b < w; b++) block[b * n + i] = data[o + b]!; }
    }
    const col = block.subarray(jb * n, (jb + 1) * n);
    const few = fewCodes(col, n, codes, j * n);
    if (few && few.length <= maxBins) {
      // One-hot and other low-cardinality columns: no sort, no search; a value's bin is its rank.
      const cut = new Float64Array(few.length - 1);
      for (let b = 0; b + 1 < few.length; b++) cut[b] = (few[b]! + few[b + 1]!) / 2;
      cuts.push(cut);
      values.push(Float64Array.from(few));
      continue;
    }
    if (hashedCodes(col, n, maxBins, table, codes, j * n, cuts, values)) continue;
    const sorted = Float64Array.from(col).sort();
    const uniq: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) uniq.push(sorted[i]!);
    let cut: Float64Array;
    if (uniq.length <= maxBins) {
      cut = new Float64Array(uniq.length - 1);
      for (let b = 0; b + 1 < uniq.length; b++) cut[b] = (uniq[b]! + uniq[b + 1]!) / 2;
      values.push(Float64Array.from(uniq));
    } else {
      values.push(null);
      // Quantiles of the sorted sample (weighted by frequency), deduplicated.
      const c: number[] = [];
      for (let b = 1; b < maxBins; b++) {
        const pos = Math.floor((b * n) / maxBins);
        const lo = sorted[pos - 1]!;
        const hi = sorted[pos]!;
        const t = lo === hi ? nextDistinctMid(uniq, lo) : (lo + hi) / 2;
        if (Number.isFinite(t) && (c.length === 0 || t > c[c.length - 1]!)) c.push(t);
      }
      cut = Float64Array.from(c);
    }
    cuts.push(cut);
    for (let i = 0; i < n; i++) codes[j * n + i] = binOf(cut, col[i]!);
  }
  return { rows: n, cols: p, codes, cuts, values };
}

// Scratch for hashing a double by its bits.
const hashF = new Float64Array(1);
const hashI = new Int32Array(hashF.buffer);

// Columns with more distinct values than this are binned by sorting (a larger table would miss the
// cache on every lookup); appearance ids below it fit the 16-bit codes.
const HASH_LIMIT = 1 << 15;

/**
 * An open-addressing table of doubles, reused across a matrix's columns (slots of other columns are
 * stale by `stamp`), with per-column scratch: each distinct value's row count, rank and cumulative count.
 */
interface ValueTable {
  bits: number; slotVal: Float64Array; slotId: Int32Array; slotStamp: Int32Array; stamp: number; limit: number;
  seen: Float64Array; count: Int32Array; rank: Int32Array; cum: Int32Array;
}

function valueTable(limit: number): ValueTable {
  let bits = 6;
  while (1 << bits < 2 * limit) bits++;
  const size = 1 << bits;
  return {
    bits, slotVal: new Float64Array(size), slotId: new Int32Array(size), slotStamp: new Int32Array(size), stamp: 0, limit,
    seen: new Float64Array(limit), count: new Int32Array(limit), rank: new Int32Array(limit), cum: new Int32Array(limit),
  };
}

/**
 * Codes through a hash table: each value is looked up in an open-addressing table keyed by its bits
 * and numbered in order of appearance, only the distinct values are sorted, and
 * the codes are renumbered by rank, or by the quantile bin of the rank when there are more distinct
 * values than maxBins. This replaces a sort of the column and a binary search per value (digits' 64
 * columns of 17 values; breast cancer's continuous columns, where the search's mispredicted branches
 * were half of the binning). Writes codes, cuts and values and returns true; returns false, as soon
 * as it knows, for columns with more distinct values than the table's limit, or with NaN.
 */
function hashedCodes(col: Float64Array, n: number, maxBins: number, T: ValueTable, codes: Uint16Array, offset: number, cuts: Float64Array[], values: (Float64Array | null)[]): boolean {
  const { slotVal, slotId, slotStamp, seen, count, limit } = T;
  const stamp = ++T.stamp;
  const mask = (1 << T.bits) - 1;
  const shift = 32 - T.bits;
  let d = 0;
  // Codes are written as appearance ids (the table's limit fits 16 bits), then rewritten as bins.
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    if (v !== v) return false;
    hashF[0] = v === 0 ? 0 : v; // -0 and 0 are one value
    let h = (Math.imul(hashI[0]! ^ Math.imul(hashI[1]!, 0x27d4eb2d), 0x9e3779b1) >>> shift) & mask;
    while (slotStamp[h] === stamp && slotVal[h] !== v) h = (h + 1) & mask;
    if (slotStamp[h] !== stamp) {
      if (d === limit) return false;
      slotStamp[h] = stamp;
      slotId[h] = d;
      slotVal[h] = v;
      seen[d++] = v;
    }
    codes[offset + i] = slotId[h]!;
  }
  const vals = seen.slice(0, d).sort();
  // Rank of each value in order of appearance: look each sorted value up again.
  const rank = T.rank;
  for (let b = 0; b < d; b++) {
    const v = vals[b]!;
    hashF[0] = v === 0 ? 0 : v;
    let h = (Math.imul(hashI[0]! ^ Math.imul(hashI[1]!, 0x27d4eb2d), 0x9e3779b1) >>> shift) & mask;
    while (slotVal[h] !== v || slotStamp[h] !== stamp) h = (h + 1) & mask;
    rank[slotId[h]!] = b;
  }
  if (d <= maxBins) {
    for (let i = 0; i < n; i++) codes[offset + i] = rank[codes[offset + i]!]!;
    const cut = new Float64Array(Math.max(0, d - 1));
    for (let b = 0; b + 1 < d; b++) cut[b] = (vals[b]! + vals[b + 1]!) / 2;
    cuts.push(cut);
    values.push(vals);
    return true;
  }
  // Quantile cuts as quantileCuts takes them from the sorted column, read from the distinct values'
  // cumulative counts: sorted[pos] is the value whose rows cover position pos.
  const cum = T.cum; // cum[r]: rows with a value below or at the r-th smallest
  for (let i = 0; i < d; i++) count[i] = 0;
  for (let i = 0; i < n; i++) count[codes[offset + i]!]++;
  for (let i = 0; i < d; i++) cum[rank[i]!] = count[i]!;
  for (let r = 1; r < d; r++) cum[r] += cum[r - 1]!;
  const c: number[] = [];
  let r = 0; // the rank of sorted[pos - 1]
  for (let b = 1; b < maxBins; b++) {
    const pos = Math.floor((b * n) / maxBins);
    while (cum[r]! < pos) r++; // sorted[pos - 1] has rank r: cum[r - 1] < pos <= cum[r]
    const lo = vals[r]!;
    const hi = cum[r]! > pos ? lo : vals[r + 1]!;
    const t = lo === hi ? (r + 1 < d ? (lo + vals[r + 1]!) / 2 : Infinity) : (lo + hi) / 2;
    if (Number.isFinite(t) && (c.length === 0 || t > c[c.length - 1]!)) c.push(t);
  }
  const cut = Float64Array.from(c);
  // Each rank's bin, merging the sorted values with the sorted cuts (the bin of x is the smallest b with x <= cut[b]).
  const binOfRank = T.cum;
  for (let q = 0, b = 0; q < d; q++) {
    while (b < cut.length && vals[q]! > cut[b]!) b++;
    binOfRank[q] = b;
  }
  for (let i = 0; i < d; i++) rank[i] = binOfRank[rank[i]!]!;
  for (let i = 0; i < n; i++) codes[offset + i] = rank[codes[offset + i]!]!;
  cuts.push(cut);
  values.push(null);
  return true;
}

/**
 * The sorted distinct values of col[0, n) when there are at most 8 of them, with each value's rank
 * written to codes[offset + i] in the same pass (numbered by appearance, then renumbered if the
 * appearance order is not sorted); null, with codes partly written, for other columns.
 */
function fewCodes(col: Float64Array, n: number, codes: Uint16Array, offset: number): number[] | null {
  // While the column has shown at most two values (one-hot columns throughout), a value's number is
  // whether it differs from the first, and a third value (or NaN) is one rarely taken branch: the
  // search below cost a loop over the values seen for every row.
  const v0 = col[0]!;
  let v1 = v0;
  let i = 0;
  if (v0 === v0) {
    for (; i < n; i++) {
      const v = col[i]!;
      const c = +(v !== v0);
      if ((c & +(v !== v1)) !== 0) {
        if (v1 !== v0 || v !== v) break; // a third value, or NaN: the search takes over
        v1 = v;
      }
      codes[offset + i] = c;
    }
  }
  const vals: number[] = i === 0 ? [] : v1 !== v0 ? [v0, v1] : [v0];
  for (; i < n; i++) {
    const v = col[i]!;
    let k = 0;
    while (k < vals.length && vals[k] !== v) k++;
    if (k === vals.length) { if (vals.length === 8) return null; vals.push(v); }
    codes[offset + i] = k;
  }
  const order = vals.map((_, k) => k).sort((a, b) => vals[a]! - vals[b]!);
  if (order.some((k, r) => k !== r)) {
    const rank = new Uint16Array(order.length);
    order.forEach((k, r) => { rank[k] = r; });
    for (let i = 0; i < n; i++) codes[offset + i] = rank[codes[offset + i]!]!;
  }
  return order.map((k) => vals[k]!);
}

function nextDistinctMid(uniq: number[], v: number): number {
  let lo = 0;
  let hi = uniq.length - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (uniq[mid]! <= v) lo = mid + 1; else hi = mid; }
  return uniq[lo]! > v ? (v + uniq[lo]!) / 2 : Infinity;
}

/** Smallest b with x <= cut[b] (cut.length if none). */
function binOf(cut: Float64Array, x: number): number {
  let lo = 0;
  let hi = cut.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (x <= cut[mid]!) hi = mid; else lo = mid + 1; }
  return lo;
}
