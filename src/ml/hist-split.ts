// The per-node work of the histogram grower on one part of the features (src/ml/hist-layout.ts): build
// the part of a node's gradient/hessian/count histogram, take its sibling's part as parent minus it,
// and find the best split among the part's features. Arguments and results travel in flat arrays
// (one split per part and child), merged in feature order by readSplit.

import type { HistLayout, HistPart } from './hist-layout.js';

export const MIN_HESSIAN = 1e-3;

/** A node's best split: gain 0 means none. */
export interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  bits: Int32Array | null;
  gL: number;
  hL: number;
  cL: number;
}

/** Doubles per split result: gain, feature, bin, missingLeft, gL, hL, cL and an 8-word category bitset. */
export const SPLIT_WORDS = 16;

/** What a node step reads: the rows, their gradients and hessians, and the histograms by number. */
export interface StepState {
  L: HistLayout;
  g: Float64Array;
  /** Hessians; unused (all 1) when the step's hConst is set. */
  h: Float64Array;
  rows: Int32Array;
  hists: Float64Array[];
}

// The step's arguments, as offsets into a Float64Array.
export const A_SMALL = 0; // histogram number of the node built from its rows
export const A_PARENT = 1; // histogram number of the parent (becomes the sibling's), or -1
export const A_START = 2;
export const A_END = 3;
export const A_G = 4; // G, H, C of the built node, then of its sibling
export const A_DO_SMALL = 10; // search a split of the built node
export const A_DO_LARGE = 11; // subtract and search a split of the sibling
export const A_HCONST = 12;
export const A_MSL = 13;
export const A_L2 = 14;
export const ARGS = 16;

/**
 * Runs one node step on part q: results for the built node at res[(2q) * SPLIT_WORDS], for its sibling
 * at res[(2q + 1) * SPLIT_WORDS].
 */
export function runStep(st: StepState, q: number, a: Float64Array, res: Float64Array): void {
  const part = st.L.parts[q]!;
  const hist = st.hists[a[A_SMALL]!]!;
  const hConst = a[A_HCONST] === 1;
  const msl = a[A_MSL]!;
  const lam = a[A_L2]!;
  // Row positions as int32 (| 0), not the doubles they are stored as: the row loops index with them.
  const start = a[A_START]! | 0;
  const end = a[A_END]! | 0;
  hist.fill(0, 3 * part.s0, 3 * part.s1);
  buildPart(st, part, hist, hConst, start, end, a[A_G]!, a[A_G + 1]!, a[A_G + 2]!);
  const r0 = 2 * q * SPLIT_WORDS;
  res[r0] = 0;
  res[r0 + SPLIT_WORDS] = 0;
  if (a[A_DO_SMALL] === 1) findSplit(st.L, part, hist, a[A_G]!, a[A_G + 1]!, a[A_G + 2]!, hConst, lam, msl, res, r0);
  if (a[A_DO_LARGE] === 1) {
    const parent = st.hists[a[A_PARENT]!]!;
    // A built node of few rows holds zeros in most slots, and parent - 0 is the parent's value to the
    // bit: subtracting only the slots its rows touched (and the left-out bins) gives the same
    // histogram for a few passes over its rows instead of one over every slot (a third of a breast
    // cancer fit went to whole-part subtractions).
    const m = end - start;
    const perRow = part.rowSlots.length / (part.rowStart.length - 1);
    if (m * perRow * 4 < part.s1 - part.s0) subtractTouched(st, part, parent, hist, start, end);
    else subtract(parent, hist, 3 * part.s0, 3 * part.s1);
    findSplit(st.L, part, parent, a[A_G + 3]!, a[A_G + 4]!, a[A_G + 5]!, hConst, lam, msl, res, r0 + SPLIT_WORDS);
  }
}

function writeSplit(s: Split, res: Float64Array, o: number): void {
  res[o] = s.gain;
  res[o + 1] = s.feature;
  res[o + 2] = s.bin;
  res[o + 3] = s.missingLeft ? 1 : 0;
  res[o + 4] = s.gL;
  res[o + 5] = s.hL;
  res[o + 6] = s.cL;
  if (s.bits) for (let w = 0; w < 8; w++) res[o + 7 + w] = s.bits[w]!;
}

/**
 * The best split in results of parts [0, nParts) for node c (0: built, 1: sibling), or null; ties go to
 * the lower feature, as one scan over all features would (each part's scan keeps its first best).
 */
export function readSplit(res: Float64Array, nParts: number, c: number, categorical: Uint8Array): Split | null {
  let best = -1;
  for (let q = 0; q < nParts; q++) {
    const o = (2 * q + c) * SPLIT_WORDS;
    if (res[o]! > 0 && (best < 0 || res[o]! > res[best]! || (res[o] === res[best] && res[o + 1]! < res[best + 1]!))) best = o;
  }
  if (best < 0) return null;
  const feature = res[best + 1]!;
  let bits: Int32Array | null = null;
  if (categorical[feature] === 1) {
    bits = new Int32Array(8);
    for (let w = 0; w < 8; w++) bits[w] = res[best + 7 + w]!;
  }
  return { gain: res[best]!, feature, bin: res[best + 2]!, missingLeft: res[best + 3] === 1, bits, gL: res[best + 4]!, hL: res[best + 5]!, cL: res[best + 6]! };
}

/**
 * Gradient, hessian and count histograms of rows[start, end) on the part's features, whose sums are
 * (G, H, C): each row adds its listed bins, each feature's most frequent bin is the rest.
 */
function buildPart(st: StepState, part: HistPart, hist: Float64Array, hConst: boolean, start: number, end: number, G: number, H: number, C: number): void {
  const { rowStart, rowSlots } = part;
  const { g, h, rows } = st;
  if (!hConst) {
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
  const { offset, dflt } = st.L;
  const { feats } = part;
  for (let f = 0; f < feats.length; f++) {
    const j = feats[f]!;
    let sg = 0;
    let sh = 0;
    let sc = 0;
    const d = dflt[j]!;
    if (d < 0) continue; // every bin of this feature is listed
    const e = 3 * (offset[j]! + st.L.B.nBins[j]! + 1); // a feature's slots (offsets need not follow feature order)
    const kd = 3 * d;
    for (let k = 3 * offset[j]!; k < e; k += 3) if (k !== kd) { sg += hist[k]!; sh += hist[k + 1]!; sc += hist[k + 2]!; }
    hist[3 * d] = G - sg;
    hist[3 * d + 1] = hConst ? 0 : H - sh;
    hist[3 * d + 2] = C - sc;
  }
}

let touched = new Int32Array(0);
let touchStamp = 0;

/** a -= b on the slots rows[start, end) list and the part's left-out bins: b is zero elsewhere. */
function subtractTouched(st: StepState, part: HistPart, a: Float64Array, b: Float64Array, start: number, end: number): void {
  if (touched.length < a.length || touchStamp >= 0x3fffffff) { touched = new Int32Array(Math.max(a.length, touched.length)); touchStamp = 0; }
  const stamp = ++touchStamp;
  const { rowStart, rowSlots } = part;
  const { rows } = st;
  for (let t = start; t < end; t++) {
    const i = rows[t]!;
    const e = rowStart[i + 1]!;
    for (let u = rowStart[i]!; u < e; u++) {
      const k = rowSlots[u]!;
      if (touched[k] === stamp) continue;
      touched[k] = stamp;
      a[k] -= b[k]!; a[k + 1] -= b[k + 1]!; a[k + 2] -= b[k + 2]!;
    }
  }
  const { dflt } = st.L;
  const { feats } = part;
  for (let f = 0; f < feats.length; f++) {
    const j = feats[f]!;
    const d = dflt[j]!;
    if (d < 0) continue;
    const k = 3 * d;
    if (touched[k] === stamp) continue;
    touched[k] = stamp;
    a[k] -= b[k]!; a[k + 1] -= b[k + 1]!; a[k + 2] -= b[k + 2]!;
  }
}

/**
 * a[k0, k1) -= b[k0, k1) (its own small function: inside a larger one V8 ran this loop 8x slower), six
 * at a time: the loop's own count and branch per element were a third of it (credit hgb 4-6% faster).
 */
function subtract(a: Float64Array, b: Float64Array, k0: number, k1: number): void {
  let k = k0;
  for (; k + 6 <= k1; k += 6) {
    a[k] -= b[k]!; a[k + 1] -= b[k + 1]!; a[k + 2] -= b[k + 2]!;
    a[k + 3] -= b[k + 3]!; a[k + 4] -= b[k + 4]!; a[k + 5] -= b[k + 5]!;
  }
  for (; k < k1; k++) a[k] -= b[k]!;
}

// What a numeric scan found (module scratch, so that a scan allocates nothing): the gain, the bin
// and where missing values go of the best threshold beating its minGain.
let scanGain = 0;
let scanBin = -1;
let scanMissLeft = false;

/**
 * The best split of a node among the part's features from its histogram, written at res[o] (left
 * as it is when there is none: the caller has set its gain to 0).
 */
function findSplit(L: HistLayout, part: HistPart, hist: Float64Array, G: number, H: number, C: number, hConst: boolean, lam: number, msl: number, res: Float64Array, o: number): void {
  const { B, offset } = L;
  const parent = (G * G) / (H + lam);
  let cat: Split | null = null;
  let bestGain = 0;
  let bestJ = -1;
  let bestBin = -1;
  let bestMissLeft = false;
  const { feats } = part;
  for (let f = 0; f < feats.length; f++) {
    const j = feats[f]!;
    const base = 3 * offset[j]!;
    const nb = B.nBins[j]!;
    const ms = base + 3 * nb;
    const gM = hist[ms]!;
    const cM = hist[ms + 2]!;
    const hM = hConst ? cM : hist[ms + 1]!;
    if (B.categorical[j]) {
      const s = categoricalSplit(hist, base, nb, G, H, C, hConst, lam, msl, parent);
      if (s && s.gain > bestGain) { bestGain = s.gain; bestJ = j; cat = s; }
      continue;
    }
    const found = cM > 0 ? scanNumeric(hist, base, nb, G, H, C, gM, hM, cM, hConst, lam, msl, parent, bestGain)
      : hConst ? scanConst(hist, base, nb, G, C, lam, msl, parent, bestGain)
        : scanPlain(hist, base, nb, G, H, C, lam, msl, parent, bestGain);
    if (found) { bestGain = scanGain; bestJ = j; bestBin = scanBin; bestMissLeft = scanMissLeft; cat = null; }
  }
  if (bestJ < 0) return;
  if (cat) {
    cat.feature = bestJ;
    writeSplit(cat, res, o);
    return;
  }
  // Re-add the winner's left sums (cheaper than carrying them through the scans).
  const base = 3 * offset[bestJ]!;
  const ms = base + 3 * B.nBins[bestJ]!;
  let sg = 0;
  let sh = 0;
  let sc = 0;
  for (let k = base; k <= base + 3 * bestBin; k += 3) { sg += hist[k]!; sc += hist[k + 2]!; sh += hConst ? hist[k + 2]! : hist[k + 1]!; }
  const cM = hist[ms + 2]!;
  if (bestMissLeft && cM > 0) { sg += hist[ms]!; sh += hConst ? cM : hist[ms + 1]!; sc += cM; }
  res[o] = bestGain;
  res[o + 1] = bestJ;
  res[o + 2] = bestBin;
  res[o + 3] = bestMissLeft ? 1 : 0;
  res[o + 4] = sg;
  res[o + 5] = sh;
  res[o + 6] = sc;
}

/** Categories sorted by g / (h + smoothing); the best prefix goes left, missing values right. */
function categoricalSplit(hist: Float64Array, base: number, nb: number, G: number, H: number, C: number, hConst: boolean, lam: number, msl: number, parent: number): Split | null {
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
    if (cL < msl || cR < msl || hL < MIN_HESSIAN || hR < MIN_HESSIAN) continue;
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
 * scanNumeric for a feature without missing values in the node (most of them): the same splits, a
 * shorter loop. Bins [0, nb - 1) are thresholds; empty bins split as the bin before them.
 */
function scanPlain(hist: Float64Array, base: number, nb: number, G: number, H: number, C: number, lam: number, msl: number, parent: number, minGain: number): boolean {
  let gL = 0;
  let hL = 0;
  let cL = 0;
  let bestGain = minGain;
  let bestBin = -1;
  let best = 0;
  const end = base + 3 * (nb - 1);
  for (let k = base; k < end; k += 3) {
    const cb = hist[k + 2]!;
    if (cb === 0) continue;
    gL += hist[k]!;
    hL += hist[k + 1]!;
    cL += cb;
    if (cL < msl) continue;
    const cR = C - cL;
    if (cR < msl) break; // the right side only shrinks from here
    const hR = H - hL;
    if (hL >= MIN_HESSIAN && hR >= MIN_HESSIAN) {
      const gR = G - gL;
      const gain = (gL * gL) / (hL + lam) + (gR * gR) / (hR + lam) - parent;
      if (gain > bestGain) { bestGain = gain; bestBin = k; best = cL; }
    }
  }
  return found(base, bestBin, bestGain, best >= C - best);
}

/** scanPlain with every hessian 1 (squared error): the count is the hessian. */
function scanConst(hist: Float64Array, base: number, nb: number, G: number, C: number, lam: number, msl: number, parent: number, minGain: number): boolean {
  let gL = 0;
  let cL = 0;
  let bestGain = minGain;
  let bestBin = -1;
  let best = 0;
  const end = base + 3 * (nb - 1);
  for (let k = base; k < end; k += 3) {
    const cb = hist[k + 2]!;
    if (cb === 0) continue;
    gL += hist[k]!;
    cL += cb;
    if (cL < msl) continue;
    const cR = C - cL;
    if (cR < msl) break;
    if (cL >= MIN_HESSIAN && cR >= MIN_HESSIAN) {
      const gR = G - gL;
      const gain = (gL * gL) / (cL + lam) + (gR * gR) / (cR + lam) - parent;
      if (gain > bestGain) { bestGain = gain; bestBin = k; best = cL; }
    }
  }
  return found(base, bestBin, bestGain, best >= C - best);
}

/**
 * A scan's result in the module scratch: false when it found no threshold (k < 0), else true with the
 * gain, the bin of slot k (3 * bin from base) and where missing values go.
 */
function found(base: number, k: number, gain: number, missingLeft: boolean): boolean {
  if (k < 0) return false;
  scanGain = gain;
  scanBin = (k - base) / 3;
  // Without missing values here, NaN at prediction follows the larger child (scikit-learn's rule).
  scanMissLeft = missingLeft;
  return true;
}

/**
 * The best threshold of one numeric feature's histogram that beats `minGain`, missing values tried on
 * either side (returned through found(): false when none). Bins are scanned left to right; the scan
 * skips empty bins, starts once the left side has minSamplesLeaf rows and stops once the right side
 * would have fewer.
 */
function scanNumeric(hist: Float64Array, base: number, nb: number, G: number, H: number, C: number, gM: number, hM: number, cM: number,
  hConst: boolean, lam: number, msl: number, parent: number, minGain: number): boolean {
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
  return found(base, bestBin < 0 ? -1 : base + 3 * bestBin, bestGain, bestMissLeft);
}
