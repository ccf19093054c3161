// A saved model on new rows: predictions, or metrics when the rows carry the target.

import type { Table } from '../../data/table.js';
import type { Matrix } from '../matrix.js';
import { TabularError } from './error.js';
import { tabularMetrics, type Metrics } from './metrics.js';
import type { LoadedTabular } from './model-file.js';
import { heldOutTarget } from './target.js';

/** The feature matrix of new rows, with clear errors for missing columns. */
function featuresOf(m: LoadedTabular, t: Table): Matrix {
  const have = new Set(t.columns.map((c) => c.name));
  const missing = m.file.features.filter((f) => !have.has(f.name)).map((f) => f.name);
  if (missing.length > 0) throw new TabularError(`the data lacks column${missing.length > 1 ? 's' : ''} the model was trained on: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''}`);
  try {
    return m.pre.transform(t);
  } catch (err) {
    throw new TabularError((err as Error).message);
  }
}

/**
 * Predictions for new rows: class labels, numbers, or cluster ids.
 * @example predictTabular(readModelFile('model.json'), readCsv('new.csv')); // ['good', 'bad', ...]
 */
export function predictTabular(m: LoadedTabular, t: Table): (string | number)[] {
  const pred = m.model.predict(featuresOf(m, t));
  const labels = m.file.labels;
  if (m.file.task === 'classification' && labels) return Array.from(pred, (c) => labels[c]!);
  return Array.from(pred);
}

/**
 * Metrics on labelled rows: {r2, rmse, mae}, {accuracy, f1} or {inertia, silhouette}.
 * @example evaluateTabular(readModelFile('model.json'), readCsv('test.csv')).r2;
 */
export function evaluateTabular(m: LoadedTabular, t: Table, target?: string, seed = 0): Metrics {
  const X = featuresOf(m, t);
  const { task } = m.file;
  if (task === 'clustering') return tabularMetrics(task, m.model, X, null, seed);
  const tgt = target ?? m.file.target;
  if (tgt === null) throw new TabularError('the model file names no target column: pass --target');
  return tabularMetrics(task, m.model, X, heldOutTarget(t, tgt, task, m.file.labels), seed);
}
