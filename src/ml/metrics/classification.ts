// Classification metrics: accuracy, precision / recall / F1, confusion matrix, ROC AUC, log loss.

import type { Matrix } from '../matrix.js';

function check(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  if (yTrue.length !== yPred.length) throw new Error(`metrics: ${yTrue.length} true labels but ${yPred.length} predictions`);
  if (yTrue.length === 0) throw new Error('metrics: no samples');
  // NaN is no label: it would be counted as a class of its own.
  for (const [name, a] of [['true labels', yTrue], ['predictions', yPred]] as const) {
    for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) throw new Error(`metrics: the ${name} have NaN at index ${i}`);
  }
  return yTrue.length;
}

/**
 * Fraction of labels predicted exactly.
 * @example accuracyScore([0, 1, 1], [0, 1, 0]); // 2 / 3
 */
export function accuracyScore(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const n = check(yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) ok++;
  return ok / n;
}

/** A confusion matrix with its label order. */
export interface Confusion {
  /** Sorted labels: row i is true label `labels[i]`, column j predicted `labels[j]`. */
  labels: number[];
  matrix: number[][];
}

/**
 * Confusion matrix over the union of true and predicted labels (rows true, columns predicted).
 * @example confusionMatrix([0, 1, 1], [0, 0, 1]).matrix; // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels?: readonly number[]): Confusion {
  const n = check(yTrue, yPred);
  const ls = labels ? [...labels] : Array.from(new Set([...Array.from(yTrue), ...Array.from(yPred)])).sort((a, b) => a - b);
  const pos = new Map(ls.map((l, i) => [l, i]));
  const m = ls.map(() => ls.map(() => 0));
  for (let i = 0; i < n; i++) {
    const a = pos.get(yTrue[i]!);
    const b = pos.get(yPred[i]!);
    if (a !== undefined && b !== undefined) m[a]![b]!++;
  }
  return { labels: ls, matrix: m };
}

/** How per-class scores are combined: `binary` reports `posLabel` only. */
export type Average = 'macro' | 'weighted' | 'micro' | 'binary' | 'none';

/** Options of {@link precisionRecallF1}. */
export interface PrfOptions {
  average?: Average;
  /** The positive label for `average: 'binary'` (default: the larger of the two labels). */
  posLabel?: number;
}

/** Precision, recall and F1 (arrays per label for `average: 'none'`). */
export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  perClass: { label: number; precision: number; recall: number; f1: number; support: number }[];
}

/**
 * Precision, recall and F1, averaged as scikit-learn does (0 where a denominator is 0).
 * @example precisionRecallF1([0, 1, 1], [0, 1, 0], { average: 'macro' }).f1; // (2/3 + 2/3) / 2
 */
export function precisionRecallF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, opts: PrfOptions = {}): Prf {
  const average = opts.average ?? 'macro';
  if (!['macro', 'micro', 'weighted', 'binary'].includes(average)) throw new Error(`metrics: average must be 'macro', 'micro', 'weighted' or 'binary', got '${String(average)}'`);
  const { labels, matrix: m } = confusionMatrix(yTrue, yPred);
  const k = labels.length;
  if (average === 'binary') {
    if (k > 2) throw new Error(`metrics: average 'binary' needs two labels, the data has ${k} (${labels.join(', ')}): use 'macro', 'micro' or 'weighted'`);
    if (opts.posLabel !== undefined && !labels.includes(opts.posLabel)) throw new Error(`metrics: posLabel ${opts.posLabel} is not one of the labels (${labels.join(', ')})`);
  }
  const perClass = labels.map((label, i) => {
    let colSum = 0;
    let rowSum = 0;
    for (let j = 0; j < k; j++) { colSum += m[j]![i]!; rowSum += m[i]![j]!; }
    const tp = m[i]![i]!;
    const precision = colSum === 0 ? 0 : tp / colSum;
    const recall = rowSum === 0 ? 0 : tp / rowSum;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: rowSum };
  });
  // Labels only predicted (never true) count in macro, as in scikit-learn.
  if (average === 'binary') {
    const pos = opts.posLabel ?? labels[labels.length - 1]!;
    const c = perClass.find((p) => p.label === pos) ?? { precision: 0, recall: 0, f1: 0 };
    return { precision: c.precision, recall: c.recall, f1: c.f1, perClass };
  }
  if (average === 'micro') {
    const acc = accuracyScore(yTrue, yPred);
    return { precision: acc, recall: acc, f1: acc, perClass };
  }
  const total = perClass.reduce((s, p) => s + p.support, 0);
  const w = perClass.map((p) => (average === 'weighted' ? p.support / total : 1 / k));
  const avg = (f: (p: (typeof perClass)[number]) => number): number => perClass.reduce((s, p, i) => s + w[i]! * f(p), 0);
  return { precision: avg((p) => p.precision), recall: avg((p) => p.recall), f1: avg((p) => p.f1), perClass };
}

/**
 * F1 score (macro average by default).
 * @example f1Score([0, 1], [0, 1]); // 1
 */
export function f1Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, opts: PrfOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, opts).f1;
}

/**
 * Precision (macro average by default).
 * @example precisionScore([0, 1, 1], [1, 1, 1], { average: 'binary' }); // 2 / 3
 */
export function precisionScore(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, opts: PrfOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, opts).precision;
}

/**
 * Recall (macro average by default).
 * @example recallScore([0, 1, 1], [0, 1, 0], { average: 'binary' }); // 1 / 2
 */
export function recallScore(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, opts: PrfOptions = {}): number {
  return precisionRecallF1(yTrue, yPred, opts).recall;
}

/**
 * Binary ROC AUC: the probability that a random positive scores above a random negative (ties 1/2),
 * computed from ranks (Mann-Whitney U). `yTrue` holds 0/1 or two labels (the larger is positive).
 * @example rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 */
export function rocAucScore(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = check(yTrue, scores);
  const labels = Array.from(new Set(Array.from(yTrue))).sort((a, b) => a - b);
  if (labels.length !== 2) throw new Error(`rocAucScore needs exactly two classes in yTrue, got ${labels.length}`);
  const pos = labels[1]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie block
    for (let t = i; t <= j; t++) if (yTrue[order[t]!] === pos) { rankSumPos += rank; nPos++; }
    i = j + 1;
  }
  const nNeg = n - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Mean negative log-likelihood of the true labels under predicted probabilities (clipped to [eps, 1-eps]).
 * `proba` columns follow `classes` (default: the sorted distinct labels of yTrue).
 * @example logLoss([0, 1], matrix(2, 2, Float64Array.of(0.9, 0.1, 0.2, 0.8))); // -(ln 0.9 + ln 0.8) / 2
 */
export function logLoss(yTrue: ArrayLike<number>, proba: Matrix, classes?: readonly number[], eps = 1e-15): number {
  const n = yTrue.length;
  if (proba.rows !== n) throw new Error(`logLoss: ${n} labels but ${proba.rows} probability rows`);
  const cls = classes ?? Array.from(new Set(Array.from(yTrue))).sort((a, b) => a - b);
  if (cls.length !== proba.cols) throw new Error(`logLoss: ${cls.length} classes but ${proba.cols} probability columns`);
  const pos = new Map(cls.map((c, i) => [c, i]));
  let s = 0;
  for (let i = 0; i < n; i++) {
    const k = pos.get(yTrue[i]!);
    if (k === undefined) throw new Error(`logLoss: label ${yTrue[i]} is not among the classes`);
    // Rows are renormalised after clipping, as scikit-learn does.
    let rowSum = 0;
    for (let j = 0; j < proba.cols; j++) rowSum += Math.min(1 - eps, Math.max(eps, proba.data[i * proba.cols + j]!));
    const p = Math.min(1 - eps, Math.max(eps, proba.data[i * proba.cols + k]!)) / rowSum;
    s -= Math.log(p);
  }
  return s / n;
}
