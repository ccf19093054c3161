// `moxing cv` as functions: k-fold scores of the whole pipeline, and a grid search over its hyperparameters.

import type { Table } from '../../data/table.js';
import { crossValidate, GridSearchCV, type CrossValidateOptions } from '../model-selection/cross-validate.js';
import { TabularError } from './error.js';
import { tabularSpec, type FitOptions } from './fit.js';
import { rankingMetric, type Metrics } from './metrics.js';
import type { Task } from './models.js';
import type { ParamValue, ParamValues } from './params.js';
import { TabularPipeline, type TabularSpec } from './pipeline.js';
import { targetValues } from './target.js';

/** Options of {@link crossValidateTabular}. */
export interface CvOptions extends Omit<FitOptions, 'validationFraction'> {
  folds: number;
}

/** Per-fold metrics and their mean and standard deviation. */
export interface CvResult {
  task: Task;
  folds: Metrics[];
  mean: Metrics;
  std: Metrics;
}

/** The spec, the y that decides the folds (class codes stratify), and cross-validation's options. */
function setUp(t: Table, opts: CvOptions): { spec: TabularSpec; y: Float64Array; cv: CrossValidateOptions<TabularPipeline, Table> } {
  const spec = tabularSpec(t, opts);
  if (t.nRows < 2) throw new TabularError(`cross-validation needs at least 2 rows (the data has ${t.nRows})`);
  if (!(Number.isInteger(opts.folds) && opts.folds >= 2 && opts.folds <= t.nRows)) throw new TabularError(`--folds must be a whole number between 2 and ${t.nRows} (the data has ${t.nRows} rows; each fold holds at least one), got ${opts.folds}`);
  const { task, target, seed } = spec;
  const y = target !== null && task !== 'clustering' ? targetValues(t, target, task).y : new Float64Array(t.nRows);
  return {
    spec, y,
    cv: { cv: opts.folds, stratify: task === 'classification', shuffle: true, seed, scoring: (p, rows) => p.metrics(rows), rankBy: rankingMetric(task) },
  };
}

/**
 * K-fold cross-validation of the whole pipeline (preprocessing refit in each fold; stratified for classes).
 * @example crossValidateTabular(readCsv('credit.csv'), { target: 'Status', model: 'gbm', folds: 5 }).mean.accuracy;
 */
export function crossValidateTabular(t: Table, opts: CvOptions): CvResult {
  const { spec, y, cv } = setUp(t, opts);
  const r = crossValidate(() => new TabularPipeline(spec), t, y, cv);
  return { task: spec.task, folds: r.folds, mean: r.means, std: r.stds };
}

/** Options of {@link gridSearchTabular}: cross-validation's, and the values to try per hyperparameter. */
export interface GridOptions extends CvOptions {
  /** Values per hyperparameter; every combination is tried (on top of `params`). */
  grid: Record<string, readonly ParamValue[]>;
}

/** One combination's cross-validated metrics. */
export interface GridRow {
  params: ParamValues;
  mean: Metrics;
  std: Metrics;
}

/** Result of {@link gridSearchTabular}. */
export interface GridSearchResult {
  task: Task;
  /** The metric combinations are ranked by (higher is better): r2, accuracy or silhouette. */
  rankBy: string;
  bestParams: ParamValues;
  bestScore: number;
  /** Every combination, in grid order (the last key varies fastest). */
  results: GridRow[];
}

/**
 * Grid search of the whole pipeline: every combination cross-validated on the same folds, ranked by
 * R², accuracy or silhouette.
 * @example gridSearchTabular(t, { target: 'Status', model: 'tree', folds: 5, grid: { maxDepth: [2, 4, 8] } }).bestParams;
 */
export function gridSearchTabular(t: Table, opts: GridOptions): GridSearchResult {
  const { spec, y, cv } = setUp(t, opts);
  if (Object.keys(opts.grid).length === 0) throw new TabularError('--grid: give at least one key=v1,v2,...');
  for (const [k, v] of Object.entries(opts.grid)) if (v.length === 0) throw new TabularError(`--grid ${k}: no values`);
  const gs = new GridSearchCV<ParamValues, TabularPipeline, Table>(
    (p) => new TabularPipeline({ ...spec, params: { ...spec.params, ...p } }), opts.grid, { ...cv, refit: false },
  ).fit(t, y);
  return {
    task: spec.task, rankBy: cv.rankBy!, bestParams: gs.bestParams, bestScore: gs.bestScore,
    results: gs.results.map((r) => ({ params: r.params, mean: r.meanScores, std: r.stdScores })),
  };
}
