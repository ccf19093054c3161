// The metrics a tabular model reports: {r2, rmse, mae}, {accuracy, f1} or {inertia, silhouette}.

import { permutation } from '../../data/split.js';
import { Clusterer } from '../base.js';
import { takeRows, type Matrix } from '../matrix.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from '../metrics/regression.js';
import { accuracyScore, f1Score } from '../metrics/classification.js';
import { silhouetteScore } from '../metrics/clustering.js';
import type { TabularEstimator, Task } from './models.js';

/** Metrics of a fitted model on labelled rows (the shapes `moxing evaluate --json` prints). */
export type Metrics = Record<string, number>;

/** The metric ranked highest-is-best for a task (grid search, validation curves): the first, except for clusters. */
export function rankingMetric(task: Task): string {
  return task === 'regression' ? 'r2' : task === 'classification' ? 'accuracy' : 'silhouette';
}

/**
 * The task's metrics of a fitted model on X (y: numbers, class codes with -1 for unseen classes, or null for clusters).
 * @example tabularMetrics('regression', model, X, y, 0); // { r2, rmse, mae }
 */
export function tabularMetrics(task: Task, model: TabularEstimator, X: Matrix, y: Float64Array | null, seed: number): Metrics {
  const pred = model.predict(X);
  if (task === 'clustering') {
    if (!(model instanceof Clusterer)) throw new Error(`clustering metrics need a clusterer, got ${model.kind}`);
    const out: Metrics = { inertia: model.inertia(X) };
    // Silhouette is O(n²): score a seeded sample of at most 2000 rows.
    const idx = X.rows > 2000 ? permutation(X.rows, seed).slice(0, 2000) : Int32Array.from({ length: X.rows }, (_, i) => i);
    const lab = Float64Array.from(idx, (i) => pred[i]!);
    const nClusters = new Set(lab).size;
    out.silhouette = nClusters >= 2 && nClusters < idx.length ? silhouetteScore(takeRows(X, idx), lab) : 0;
    return out;
  }
  if (y === null) throw new Error(`${task} metrics need the target`);
  if (task === 'regression') return { r2: r2Score(y, pred), rmse: rootMeanSquaredError(y, pred), mae: meanAbsoluteError(y, pred) };
  return { accuracy: accuracyScore(y, pred), f1: f1Score(y, pred, { average: 'macro' }) };
}
