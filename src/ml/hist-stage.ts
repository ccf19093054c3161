// The per-row work of a boosting iteration that grows one tree (regression, two classes) in
// src/ml/gbm.ts and src/ml/hist-gbm.ts, done by the grower (src/ml/hist-tree.ts stageTree) before it
// grows the tree: the last tree's leaf values added to the scores of its rows, then each row's
// gradient (and hessian) from its new score. A lockstep pair (src/ml/hist-best-first.ts) shares the
// gradients out by halves of the rows (they were a fifth of a credit fit on two threads), each
// thread reading its own copy of the scores (src/ml/hist-tree.ts prepare), and the tree's rows are
// the grower's own buffers (no copies in and out). Every row's arithmetic is the one-thread
// booster's, element for element, so the model is the same to the bit whichever thread does which rows.
//
// The gradient pass also sums each half of the rows' gradients and hessians (src/ml/hist-best-first.ts
// rootSums): the root's totals are the sum of the two halves' on one thread or two, each added up in
// row order, so a pair has them from its own halves at the meeting it already has, where the tree's
// first loop had summed every row again on both threads (7.5 µs of a 100 µs credit tree).

import { expFast } from './fast-exp.js';

/** Squared error: g = F - y (every hessian 1). */
export const STAGE_SQUARED = 1;
/** hgb's log loss: p = σ(F), g = p - y, h = p (1 - p). */
export const STAGE_LOGISTIC = 2;
/** gbm's log loss: r = y - σ(F) (kept for the Newton leaf values), g = -r (every hessian 1). */
export const STAGE_RESIDUAL = 3;

export function isStageKind(kind: number): boolean {
  return kind === STAGE_SQUARED || kind === STAGE_LOGISTIC || kind === STAGE_RESIDUAL;
}

/** Whether a stage kind's trees grow with every hessian 1. */
export function stageHessianConst(kind: number): boolean {
  return kind !== STAGE_LOGISTIC;
}

/** A fit's scores, targets and residuals of its rows, and the last tree's leaves; on shared memory. */
export interface StageBuffers {
  F: Float64Array;
  y: Float64Array;
  r: Float64Array;
  /** The last tree's leaves as (start, end, value) triples: value is added to the scores of rows[start, end). */
  leaves: Float64Array;
  /** gbm's Newton sums of the last tree's leaves, by halves of the positions (newtonSums): two per leaf in each half of the array. */
  newton: Float64Array;
}

/** Buffers for n rows (a leaf holds a row at least, so n leaves at most), in one shared allocation. */
export function stageBuffers(n: number): StageBuffers {
  const all = new Float64Array(new SharedArrayBuffer(8 * 10 * n));
  return { F: all.subarray(0, n), y: all.subarray(n, 2 * n), r: all.subarray(2 * n, 3 * n), leaves: all.subarray(3 * n, 6 * n), newton: all.subarray(6 * n, 10 * n) };
}

/** The rows, gradients and hessians the tree grows on (the grower's). */
export interface StageRows {
  g: Float64Array;
  h: Float64Array;
  rows: Int32Array;
}

/**
 * The last tree's leaf values (nLeaves (start, end, value) triples over positions of the row order
 * it left) added to the scores F of the rows at positions [from, to).
 * @example stageScores(S.F, R.rows, S.leaves, nLeaves, 0, n);
 */
export function stageScores(F: Float64Array, rows: Int32Array, leaves: Float64Array, nLeaves: number, from: number, to: number): void {
  for (let l = 0; l < nLeaves; l++) {
    const a = Math.max(from, leaves[3 * l]!);
    const b = Math.min(to, leaves[3 * l + 1]!);
    const v = leaves[3 * l + 2]!;
    for (let t = a; t < b; t++) F[rows[t]!] += v;
  }
}

/** Positions [from, to) get their rows in order again (rows[t] = t), for the next tree. */
export function resetRows(rows: Int32Array, from: number, to: number): void {
  for (let t = from; t < to; t++) rows[t] = t;
}

/**
 * The gradients (and hessians, and gbm's residuals) of rows [from, to) from the scores F (the
 * stage's, or a helper thread's copy of them): two threads take half each, each writing a run of
 * every array. Their sums in row order go to sums[at] (gradients) and sums[at + 1] (hessians; the
 * row count when every hessian is 1).
 * @example stageGradients(STAGE_SQUARED, S.F, S, R, 0, n, sums, 0);
 */
export function stageGradients(kind: number, F: Float64Array, S: StageBuffers, R: StageRows, from: number, to: number, sums: Float64Array, at: number): void {
  if (kind === STAGE_SQUARED) squaredRows(F, S.y, R.g, from, to, sums, at);
  else if (kind === STAGE_LOGISTIC) logisticRows(F, S.y, R.g, R.h, from, to, sums, at);
  else if (kind === STAGE_RESIDUAL) residualRows(F, S.y, S.r, R.g, from, to, sums, at);
  else throw new Error(`stageGradients: unknown stage kind ${kind}`);
}

/**
 * All of the row work before a tree on one thread: the scores, the row order reset, the gradients,
 * and the sums of the two halves of the rows in sums[0, 4), as two threads would have them.
 * @example stageAlone(STAGE_SQUARED, S, R, 0, n, sums); // the first tree: gradients of the starting scores
 */
export function stageAlone(kind: number, S: StageBuffers, R: StageRows, nLeaves: number, n: number, sums: Float64Array): void {
  stageScores(S.F, R.rows, S.leaves, nLeaves, 0, n);
  resetRows(R.rows, 0, n);
  const mid = n >>> 1;
  stageGradients(kind, S.F, S, R, 0, mid, sums, 0);
  stageGradients(kind, S.F, S, R, mid, n, sums, 2);
}

// One function per kind, each compiled on its own: expFast then inlines into its loop (inlined into
// a loop shared by kinds it was a call, and boxed its argument and result).

function squaredRows(F: Float64Array, y: Float64Array, g: Float64Array, i0: number, i1: number, sums: Float64Array, at: number): void {
  let G = 0;
  for (let i = i0; i < i1; i++) { const v = F[i]! - y[i]!; g[i] = v; G += v; }
  sums[at] = G;
  sums[at + 1] = i1 - i0;
}

function logisticRows(F: Float64Array, y: Float64Array, g: Float64Array, h: Float64Array, i0: number, i1: number, sums: Float64Array, at: number): void {
  let G = 0;
  let H = 0;
  for (let i = i0; i < i1; i++) {
    const q = 1 / (1 + expFast(-F[i]!));
    const gi = q - y[i]!;
    const hi = q * (1 - q);
    g[i] = gi; h[i] = hi; G += gi; H += hi;
  }
  sums[at] = G;
  sums[at + 1] = H;
}

/**
 * gbm's Newton step sums (scikit-learn's two-class log loss leaf values, Σ r / Σ |r| (1 - |r|)) of
 * the positions [from, to) of a grown tree's leaves: for leaf k, Σ r and Σ |r| (1 - |r|) over its
 * rows there, in order, to out[o + 2k] and out[o + 2k + 1], o = 0 for the first half of the positions
 * and half the length of out for the second. The two halves are independent, so two threads may take
 * one each (each writing its own run of out: sums of both halves side by side shared a cache line per
 * leaf between the cores); newtonValue adds them.
 * @example newtonSums(S.r, rows, leaves, 0, n >>> 1, S.newton, 0);
 */
export function newtonSums(r: Float64Array, rows: Int32Array, leaves: readonly { start: number; end: number }[], from: number, to: number, out: Float64Array, half: 0 | 1): void {
  const at = half * (out.length >> 1);
  for (let k = 0; k < leaves.length; k++) {
    const a = Math.max(from, leaves[k]!.start);
    const b = Math.min(to, leaves[k]!.end);
    let num = 0;
    let den = 0;
    for (let t = a; t < b; t++) { const v = r[rows[t]!]!; const av = Math.abs(v); num += v; den += av * (1 - av); }
    out[at + 2 * k] = num;
    out[at + 2 * k + 1] = den;
  }
}

/**
 * Leaf k's Newton step from both halves' sums (0 when its hessian sum is nil).
 * @example tree.value[leaf.node] = newtonValue(S.newton, k);
 */
export function newtonValue(sums: Float64Array, k: number): number {
  const o = sums.length >> 1;
  const num = sums[2 * k]! + sums[o + 2 * k]!;
  const den = sums[2 * k + 1]! + sums[o + 2 * k + 1]!;
  return den < 1e-150 ? 0 : num / den;
}

/**
 * Two-class log loss residuals r = y - σ(F) and gradients g = -r of rows [i0, i1) (gbm's: its Newton
 * leaf values read r), with expFast (within 2 ulp of Math.exp, a third of its time); with sums, the
 * gradients' sum in row order and the row count go to sums[at] and sums[at + 1] (a stage's root).
 * @example residualRows(F, y, r, g, 0, n); // gbm's trees on drawn rows sum their own
 */
export function residualRows(F: Float64Array, y: Float64Array, r: Float64Array, g: Float64Array, i0: number, i1: number, sums?: Float64Array, at = 0): void {
  let G = 0;
  for (let i = i0; i < i1; i++) { const v = y[i]! - 1 / (1 + expFast(-F[i]!)); r[i] = v; g[i] = -v; G -= v; }
  if (!sums) return;
  sums[at] = G;
  sums[at + 1] = i1 - i0;
}
