// The histogram layout of binned data for the histogram grower (src/ml/hist-tree.ts): where each
// feature's bins sit in a histogram, each feature's most frequent bin, and each row's other bins as
// row lists (CSR), one set of lists per part of the features (the grower uses one part; two threads
// in lockstep each step through one of two, src/ml/hist-split.ts and hist-best-first.ts).

import { MISSING_BIN, type HistBinned } from './hist-binning.js';

// A module constant, not the import: under tsx an imported binding is a getter call per read, which
// cost 10% of a boosting fit in the per-value loops below.
const MISS = MISSING_BIN;
/** A feature's most frequent bin is left out of the row lists when it holds at least 1/DEFAULT_SHARE of the rows. */
const DEFAULT_SHARE = 8;

/** Some of the features, their histogram slots and their row lists. */
export interface HistPart {
  /** The part's features, ascending. */
  feats: Int32Array;
  /** Its features' histogram slots: [s0, s1), one run. */
  s0: number;
  s1: number;
  /** rowSlots[rowStart[i] .. rowStart[i + 1]) are 3 * slot of row i's bins other than the most frequent. */
  rowStart: Int32Array;
  rowSlots: Int32Array;
}

/** Binned data laid out for histograms; typed arrays on shared memory when `shared`. */
export interface HistLayout {
  B: HistBinned;
  /**
   * Histogram slot of bin 0 of feature j (each feature has nBins + 1 slots; the last is missing).
   * Ascending in j, except in a layout cut by splitLayout (numbered part by part); offset[p] = total.
   */
  offset: Int32Array;
  total: number;
  /** Per feature, the slot of its most frequent bin, left out of the row lists and filled in from the node's totals, or -1. */
  dflt: Int32Array;
  /** Entries of each feature in the row lists (rows not in its left-out bin). */
  nnz: Float64Array;
  parts: HistPart[];
}

function int32(n: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
}

/**
 * Lays out B for histograms in `nParts` feature parts of about equal work (shared memory when shared);
 * without `lists`, no parts: the slots and left-out bins only, for splitLayout to cut.
 * Sparse rows: a one-hot column is mostly its zero bin, a numeric one often has a crowded bin;
 * histograms then cost the other entries only (about a fifth of them on Ames' 305 columns).
 * @example const L = histLayout(binForHist(X, 255, new Set()), 1, false);
 */
export function histLayout(B0: HistBinned, nParts: number, shared: boolean, lists = true): HistLayout {
  let B = B0;
  if (shared && !(B0.codes.buffer instanceof SharedArrayBuffer)) {
    const codes = new Uint8Array(new SharedArrayBuffer(B0.codes.length));
    codes.set(B0.codes);
    B = { ...B0, codes };
  }
  const { rows: n, cols: p, codes, nBins } = B;
  const offset = int32(p + 1, shared);
  for (let j = 0; j < p; j++) offset[j + 1] = offset[j]! + nBins[j]! + 1;
  const total = offset[p]!;
  const count = new Int32Array(total);
  if (B.counts) {
    // Counted while binning.
    for (let j = 0; j < p; j++) {
      const o = offset[j]!;
      for (let b = 0; b < nBins[j]!; b++) count[o + b] = B.counts[256 * j + b]!;
      count[o + nBins[j]!] = B.counts[256 * j + MISS]!;
    }
  } else countCodes(B, offset, count);
  const dflt = int32(p, shared);
  const nnz = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let best = offset[j]!;
    for (let s = offset[j]!; s < offset[j + 1]!; s++) if (count[s]! > count[best]!) best = s;
    // Filling the left-out bin in costs a pass over the feature's slots at every node: worth it only
    // when the bin holds a good share of the rows (a one-hot column's zeros, not one bin of 255).
    const keep = count[best]! * DEFAULT_SHARE >= n;
    dflt[j] = keep ? best : -1;
    nnz[j] = keep ? n - count[best]! : n;
  }
  // Parts of equal estimated work: a feature costs its listed entries (per node, a share of them)
  // plus its slots (filled in and scanned at every node).
  const work = Float64Array.from(nnz, (z, j) => (8 * z) / n + nBins[j]! + 1);
  const bounds = partBounds(work, nParts);
  const L: HistLayout = { B, offset, total, dflt, nnz, parts: [] };
  if (!lists) return L;
  for (let q = 0; q < nParts; q++) {
    const feats = Int32Array.from({ length: bounds[q + 1]! - bounds[q]! }, (_, k) => bounds[q]! + k);
    L.parts.push({ feats, s0: offset[bounds[q]!]!, s1: offset[bounds[q + 1]!]!, rowStart: new Int32Array(0), rowSlots: new Int32Array(0) });
    L.parts[q] = withRowLists(L, q, shared);
  }
  return L;
}

/** Each slot's rows (count[offset[j] + code]), counted from the codes. */
function countCodes(B: HistBinned, offset: Int32Array, count: Int32Array): void {
  const { rows: n, cols: p, codes, nBins } = B;
  // Counted by code (no branch for the missing bin's slot), then moved to the feature's slots; four
  // codes at a time that all equal the column's first code (most of a one-hot column) are counted in
  // a register, where each increment of the same table entry waited on the one before.
  const byCode = new Int32Array(256);
  const words = new Uint32Array(codes.buffer, codes.byteOffset, codes.byteLength >> 2);
  for (let j = 0; j < p; j++) {
    const o = offset[j]!;
    const col = j * n;
    byCode.fill(0);
    const first = codes[col]!;
    const first4 = (first * 0x01010101) >>> 0;
    let same = 0;
    let i = 0;
    for (; i < n && ((col + i) & 3) !== 0; i++) byCode[codes[col + i]!]++;
    for (; i + 4 <= n; i += 4) {
      if (words[(col + i) >> 2] === first4) same += 4;
      else for (let k = i; k < i + 4; k++) byCode[codes[col + k]!]++;
    }
    for (; i < n; i++) byCode[codes[col + i]!]++;
    byCode[first] += same;
    for (let b = 0; b < nBins[j]!; b++) count[o + b] = byCode[b]!;
    count[o + nBins[j]!] = byCode[MISS]!;
  }
}

/** The first feature of each of nParts parts of about equal work, then the number of features. */
function partBounds(work: Float64Array, nParts: number): number[] {
  const p = work.length;
  const sumWork = work.reduce((a, b) => a + b, 0);
  const bounds = [0];
  let acc = 0;
  for (let j = 0; j < p && bounds.length < nParts; j++) {
    acc += work[j]!;
    if (acc >= (sumWork * bounds.length) / nParts) bounds.push(j + 1);
  }
  while (bounds.length <= nParts) bounds.push(p);
  bounds[nParts] = p;
  return bounds;
}

/**
 * Which of nParts parts each feature goes to, so that every part has about the same share of each of
 * three costs of a node step: the row entries its histograms are built from (an entry of a feature of
 * many bins counts 1.8: its adds land all over the feature's slots, not on two or three hot ones,
 * timed on Ames' root at 1.8 against 1.0 ns), the slots its splits are scanned over, and its number of
 * features (a fixed cost each). Parts cut as runs of features balance only one mix of them, while a
 * tree of large nodes and one of many small ones weigh entries and slots differently: cut by one
 * estimate, credit hgb's parts took 12.4 and 15.7 ms of steps per fit (14.2 and 13.9 here), and the
 * best slot weight was 25 for Ames hgb and 6-10 for depth-3 trees. Greedy, largest features first.
 * @example const part = balancedParts(L, 2); // part[j]: 0 or 1
 */
export function balancedParts(L: HistLayout, nParts: number): Uint8Array {
  const p = L.B.cols;
  const { nBins } = L.B;
  // Each feature's three shares, and the parts' loads, in flat arrays: written with a small array
  // per feature and part, this was 0.1 ms of every two-thread Ames fit, on the fitting thread alone.
  const build = new Float64Array(p);
  const scan = new Float64Array(p);
  let sumBuild = 0;
  let sumScan = 0;
  for (let j = 0; j < p; j++) {
    build[j] = L.nnz[j]! * (nBins[j]! > 16 ? 1.8 : 1);
    scan[j] = nBins[j]! + 1;
    sumBuild += build[j]!;
    sumScan += scan[j]!;
  }
  sumBuild ||= 1;
  const shares = new Float64Array(3 * p);
  const top = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    shares[3 * j] = build[j]! / sumBuild;
    shares[3 * j + 1] = scan[j]! / sumScan;
    shares[3 * j + 2] = 1 / p;
    top[j] = Math.max(shares[3 * j]!, shares[3 * j + 1]!, shares[3 * j + 2]!);
  }
  const order = Array.from({ length: p }, (_, j) => j).sort((x, y) => top[y]! - top[x]! || x - y);
  const loads = new Float64Array(3 * nParts);
  const part = new Uint8Array(p);
  for (const j of order) {
    let best = 0;
    let bestMax = Infinity;
    for (let q = 0; q < nParts; q++) {
      const m = Math.max(loads[3 * q]! + shares[3 * j]!, loads[3 * q + 1]! + shares[3 * j + 1]!, loads[3 * q + 2]! + shares[3 * j + 2]!);
      if (m < bestMax) { bestMax = m; best = q; }
    }
    part[j] = best;
    for (let d = 0; d < 3; d++) loads[3 * best + d] += shares[3 * j + d]!;
  }
  return part;
}

/**
 * A one-part layout (or one without parts: histLayout without lists) cut into feature parts (part[j]:
 * the part of feature j, default balancedParts of two), for steps shared between threads. Slots are
 * numbered part by part, so each part's slots are one run of the histogram (a thread then touches
 * half of each histogram's cache lines, not a scatter over all of them: interleaved slots made an
 * Ames fit 10% slower). A node's histogram values and split do not depend on the parts, and a part
 * may be empty (fewer features than parts: its steps find no split). Only the parts `only` names get
 * row lists (withRowLists builds the others' when needed): each thread of a pair builds its own,
 * side by side.
 * @example const L2 = splitLayout(histLayout(B, 1, true, false), true);
 */
export function splitLayout(L: HistLayout, shared: boolean, part: Uint8Array = balancedParts(L, 2), only: (q: number) => boolean = () => true, nParts = 2): HistLayout {
  if (L.parts.length > 1) throw new Error(`splitLayout: the layout has ${L.parts.length} parts, expected at most 1`);
  const p = L.B.cols;
  if (part.length !== p) throw new Error(`splitLayout: parts of ${part.length} features, the layout has ${p}`);
  if (part.some((q) => q >= nParts)) throw new Error(`splitLayout: a feature's part is not below ${nParts}`);
  const { offset, dflt, total } = L;
  const offset2 = int32(p + 1, shared);
  const dflt2 = int32(p, shared);
  const feats = Array.from({ length: nParts }, (_, q) => Int32Array.from(Array.from({ length: p }, (_, j) => j).filter((j) => part[j] === q)));
  const parts: HistPart[] = [];
  let at = 0;
  for (let q = 0; q < nParts; q++) {
    const s0 = at;
    for (const j of feats[q]!) {
      offset2[j] = at;
      dflt2[j] = dflt[j]! < 0 ? -1 : dflt[j]! - offset[j]! + at;
      at += offset[j + 1]! - offset[j]!;
    }
    parts.push({ feats: feats[q]!, s0, s1: at, rowStart: new Int32Array(0), rowSlots: new Int32Array(0) });
  }
  offset2[p] = total;
  const L2: HistLayout = { ...L, offset: offset2, dflt: dflt2, parts };
  for (let q = 0; q < nParts; q++) if (only(q)) parts[q] = withRowLists(L2, q, shared);
  return L2;
}

/** Whether part q of L has its row lists (splitLayout builds only those asked for). */
export function hasRowLists(L: HistLayout, q: number): boolean {
  return L.parts[q]!.rowStart.length === L.B.rows + 1;
}

/** The entries of part q's row lists: the length of its rowSlots. */
export function partEntries(L: HistLayout, q: number): number {
  let e = 0;
  for (const j of L.parts[q]!.feats) e += L.nnz[j]!;
  return e;
}

/**
 * Part q of L with its row lists, built from the codes (into the given arrays, sized n + 1 and
 * partEntries(L, q), when `into`: a helper thread fills lists the fitting thread allocated). Each
 * row's entries are in feature order, whatever the layout: a node's slots then sum its rows in one
 * order in every layout.
 */
export function withRowLists(L: HistLayout, q: number, shared: boolean, into?: { rowStart: Int32Array; rowSlots: Int32Array }): HistPart {
  const { rows: n, codes, nBins } = L.B;
  const { offset, dflt } = L;
  const part = L.parts[q]!;
  const rowStart = into?.rowStart ?? int32(n + 1, shared);
  const entries = partEntries(L, q);
  const rowSlots = into?.rowSlots ?? int32(entries, shared);
  if (rowStart.length !== n + 1 || rowSlots.length !== entries) throw new Error(`row lists of part ${q}: arrays of ${rowStart.length} and ${rowSlots.length}, expected ${n + 1} and ${entries}`);
  // The left-out bin as a code (-1: none), and each code's 3 * slot: the passes compare and look up codes.
  const leftOut = (j: number): number => {
    const d = dflt[j]!;
    return d < 0 ? -1 : d === offset[j]! + nBins[j]! ? MISS : d - offset[j]!;
  };
  const perRow = new Int32Array(n + 1);
  for (const j of part.feats) {
    const dc = leftOut(j);
    const col = j * n;
    for (let i = 0; i < n; i++) perRow[i] += +(codes[col + i] !== dc);
  }
  rowStart[0] = 0;
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i]! + perRow[i]!;
  // The lists were sized from the layout's counts (binning's, when it counted): a disagreement with
  // the codes would drop entries silently, and every histogram built from them would be wrong.
  if (rowStart[n] !== entries) throw new Error(`row lists of part ${q}: ${rowStart[n]} entries in the codes, ${entries} counted`);
  // Column by column (sequential reads), each row's entries at its own cursor.
  const cursor = rowStart.slice(0, n);
  const slot3 = new Int32Array(256);
  for (const j of part.feats) {
    const o = offset[j]!;
    for (let b = 0; b < nBins[j]!; b++) slot3[b] = 3 * (o + b);
    slot3[MISS] = 3 * (o + nBins[j]!);
    const dc = leftOut(j);
    const col = j * n;
    for (let i = 0; i < n; i++) {
      const c = codes[col + i]!;
      if (c !== dc) rowSlots[cursor[i]!++] = slot3[c]!;
    }
  }
  return { ...part, rowStart, rowSlots };
}
