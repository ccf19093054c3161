// The per-row and per-class work of a softmax boosting stage (src/ml/gbm.ts and src/ml/hist-gbm.ts
// with more than two classes), shared by the fitting thread and the histogram helpers
// (src/ml/hist-team.ts): the probabilities and gradients of a block of rows, and a grown tree's leaf
// values (gbm: a Newton step) added to its class's scores. Each does exactly the arithmetic of the
// one-thread stage, element for element, so the model is the same to the bit whichever thread does
// which rows or class.

import type { HistLeaf, HistTree } from './hist-tree.js';
import { expFast } from './fast-exp.js';

/** Which booster's stage: gbm's (Math.exp, gradients only, Newton leaves) or hgb's (expFast, gradients and hessians, the grower's leaves). */
export const SOFTMAX_GBM = 1;
export const SOFTMAX_HGB = 2;

/**
 * For rows [start, end): softmax probabilities p of the scores F (n x K, row-major) and, for every
 * class k, the gradient g[k * n + i] = p - [y_i = k] (the negative residual) and rows[k * n + i] = i.
 * @example softmaxGradients(F, y, g, rows, n, K, 0, n);
 */
export function softmaxGradients(F: Float64Array, y: Int32Array, g: Float64Array, rows: Int32Array, n: number, K: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const o = i * K;
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, F[o + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) { const e = Math.exp(F[o + k]! - mx); g[k * n + i] = e; s += e; }
    const yi = y[i]!;
    for (let k = 0; k < K; k++) {
      const p = g[k * n + i]! / s;
      g[k * n + i] = -((yi === k ? 1 : 0) - p);
      rows[k * n + i] = i;
    }
  }
}

/**
 * Class k's tree of a softmax stage: each leaf gets one Newton step, (K - 1) / K * Σ r / Σ |r|(1 - |r|)
 * over its rows (r = -g, the residual), and lr times it is added to column k of the scores F.
 * `rows` and `g` are the tree's own (rows permuted by its growth, leaves contiguous in them).
 * @example newtonFinish(tree, leaves, rows, g, K, F, k, 0.1);
 */
export function newtonFinish(tree: HistTree, leaves: readonly HistLeaf[], rows: Int32Array, g: Float64Array, K: number, F: Float64Array, k: number, lr: number): void {
  const scale = (K - 1) / K;
  for (const { node, start, end } of leaves) {
    let num = 0;
    let den = 0;
    for (let t = start; t < end; t++) { const v = -g[rows[t]!]!; num += v; den += Math.abs(v) * (1 - Math.abs(v)); }
    const value = den < 1e-150 ? 0 : (scale * num) / den;
    tree.value[node] = value;
    const add = lr * value;
    for (let t = start; t < end; t++) F[rows[t]! * K + k] += add;
  }
}

/**
 * hist-gbm's multinomial loss for rows [start, end): probabilities of F with expFast, then for every
 * class k g[k * n + i] = p - [y_i = k], h[k * n + i] = p (1 - p), rows[k * n + i] = i.
 * @example softmaxGradHess(F, y, g, h, rows, n, K, 0, n);
 */
export function softmaxGradHess(F: Float64Array, y: Int32Array, g: Float64Array, h: Float64Array, rows: Int32Array, n: number, K: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const o = i * K;
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, F[o + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) { const e = expFast(F[o + k]! - mx); g[k * n + i] = e; s += e; }
    const yi = y[i]!;
    for (let k = 0; k < K; k++) {
      const q = g[k * n + i]! / s;
      g[k * n + i] = q - (yi === k ? 1 : 0);
      h[k * n + i] = q * (1 - q);
      rows[k * n + i] = i;
    }
  }
}

/**
 * Adds each leaf's value to column k of the scores F for the leaf's rows (hist-gbm: the grower's leaf
 * values, learning rate included).
 * @example addLeafValues(leaves, rows, F, K, k);
 */
export function addLeafValues(leaves: readonly HistLeaf[], rows: Int32Array, F: Float64Array, K: number, k: number): void {
  for (const leaf of leaves) for (let t = leaf.start; t < leaf.end; t++) F[rows[t]! * K + k] += leaf.value;
}
