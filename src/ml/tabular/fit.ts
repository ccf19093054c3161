// `moxing fit` as a function: validation metrics on a held-back part, then a refit on every row.

import { column, takeTableRows, type Table } from '../../data/table.js';
import { trainTestSplit, type Split } from '../../data/split.js';
import type { Metrics } from './metrics.js';
import type { TabularModelFile } from './model-file.js';
import { modelName, type ModelName, type Task } from './models.js';
import type { ParamValues } from './params.js';
import { TabularPipeline, type TabularSpec } from './pipeline.js';
import { targetValues } from './target.js';
import { inferTask } from './task.js';

/** Options of {@link fitTabular}. */
export interface FitOptions {
  target: string | null;
  model: ModelName;
  params?: ParamValues;
  seed?: number;
  /** Fraction held back for the reported validation metrics (then the model is refit on all rows). */
  validationFraction?: number;
}

/** Result of {@link fitTabular}. */
export interface FitResult {
  file: TabularModelFile;
  task: Task;
  kind: string;
  rows: number;
  validationRows: number;
  features: number;
  encodedFeatures: number;
  parameters: number;
  metrics: Metrics;
}

/**
 * The pipeline spec for a table, checked: the model name, the target column and the task.
 * @example tabularSpec(t, { target: 'Status', model: 'gbm' }).task; // 'classification'
 */
export function tabularSpec(t: Table, opts: Omit<FitOptions, 'validationFraction'>): TabularSpec {
  const params = opts.params ?? {};
  const name = modelName(opts.model);
  const target = opts.target;
  if (target !== null) column(t, target);
  const task = inferTask(name, t, target, params);
  if (target !== null && task !== 'clustering') targetValues(t, target, task); // fail early on a bad target
  return { model: name, task, target, params, seed: opts.seed ?? 0 };
}

/**
 * Builds the preprocessing from the column types, fits the named model, reports metrics on a
 * held-back validation part, refits on every row and returns the file to save.
 * @example const r = fitTabular(readCsv('ames.csv'), { target: 'Sale_Price', model: 'forest' }); r.metrics.r2;
 */
export function fitTabular(t: Table, opts: FitOptions): FitResult {
  const spec = tabularSpec(t, opts);
  const { task, target, seed } = spec;
  // Validation split (stratified for classes), fitted and scored before the final refit.
  const frac = opts.validationFraction ?? 0.2;
  let metrics: Metrics = {};
  let validationRows = 0;
  if (t.nRows >= 10) {
    const strat = task === 'classification' ? Array.from(column(t, target!).values as ArrayLike<number | string | null>) : undefined;
    let split: Split;
    try {
      split = trainTestSplit(t.nRows, { testSize: frac, seed, stratify: strat });
    } catch {
      split = trainTestSplit(t.nRows, { testSize: frac, seed });
    }
    const val = takeTableRows(t, split.test);
    metrics = new TabularPipeline(spec).fit(takeTableRows(t, split.train)).metrics(val);
    validationRows = val.nRows;
  }
  const all = new TabularPipeline(spec).fit(t);
  const f = all.fitted;
  return {
    file: all.toFile(), task, kind: f.model.kind, rows: t.nRows, validationRows,
    features: f.features.length, encodedFeatures: f.encodedFeatures, parameters: f.model.parameterCount(), metrics,
  };
}
