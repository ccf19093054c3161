// Models on CSV tables: preprocessing built from the column types, the model by its CLI name, validation, one saved file.

import { readFileSync } from 'node:fs';
import { column, dropColumns, missingCount, takeTableRows, type Table } from '../data/table.js';
import { trainTestSplit, kFold, stratifiedKFold, permutation } from '../data/split.js';
import type { AnyEstimator, ModelJSON } from './base.js';
import type { Matrix } from './matrix.js';
import { takeRows } from './matrix.js';
import { loadModel } from './registry.js';
import { ColumnTransformer } from './preprocessing/column-transformer.js';
import { LabelEncoder } from './preprocessing/label-encoder.js';
import { LinearRegression, Ridge, Lasso } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './tree.js';
import { RandomForestClassifier, RandomForestRegressor } from './forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gbm.js';
import { KNeighborsClassifier, KNeighborsRegressor } from './knn.js';
import { GaussianNB } from './naive-bayes.js';
import { KMeans } from './kmeans.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from './metrics/regression.js';
import { accuracyScore, f1Score } from './metrics/classification.js';
import { silhouetteScore } from './metrics/clustering.js';

/** What a model does with its target. */
export type Task = 'regression' | 'classification' | 'clustering';

/** Format tag and version of a saved tabular model file. */
export const TABULAR_FORMAT = 'moxing-tabular-model';
export const TABULAR_FORMAT_VERSION = 1;

/** The model names of `moxing fit --model`. */
export const MODEL_NAMES = ['linear', 'ridge', 'lasso', 'logistic', 'tree', 'forest', 'gbm', 'knn', 'naive-bayes', 'kmeans', 'mlp'] as const;
/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Hyperparameter values from the command line (`--set key=value`), already parsed. */
export type ParamValues = Record<string, number | string | boolean | null>;

/** A factory for models defined outside this file (the neural ones), by task. */
export type ModelFactory = (task: 'regression' | 'classification', params: ParamValues) => AnyEstimator;
const factories = new Map<string, ModelFactory>();

/**
 * Provides a CLI model name whose classes live elsewhere (e.g. `mlp` from the neural models).
 * @example registerModelFactory('mlp', (task, p) => task === 'regression' ? new MLPRegressor(p) : new MLPClassifier(p));
 */
export function registerModelFactory(name: ModelName, make: ModelFactory): void {
  factories.set(name, make);
}

/** The saved file: preprocessing and model together. */
export interface TabularModelFile {
  format: typeof TABULAR_FORMAT;
  formatVersion: number;
  model: ModelName;
  task: Task;
  target: string | null;
  /** Feature columns with the type they had in training. */
  features: { name: string; kind: 'numeric' | 'categorical' }[];
  /** Class labels (classification), in the model's class order. */
  labels: string[] | null;
  preprocessor: ModelJSON;
  estimator: ModelJSON;
}

/** A user-facing error about the data or the model file (the CLI prints it as one line). */
export class TabularError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TabularError';
  }
}

/**
 * Parses `key=value` (numbers, true/false, null, else text); snake_case keys become camelCase.
 * @example parseParam('max_depth=5'); // ['maxDepth', 5]
 */
export function parseParam(kv: string): [string, number | string | boolean | null] {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new TabularError(`--set expects key=value, got '${kv}'`);
  const key = kv.slice(0, eq).trim().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const raw = kv.slice(eq + 1).trim();
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  if (raw === 'null' || raw === 'none' || raw === 'None') return [key, null];
  if (raw !== '' && Number.isFinite(Number(raw))) return [key, Number(raw)];
  return [key, raw];
}

/** The task a model name implies for this target column (`task` in params overrides). */
export function inferTask(name: ModelName, t: Table, target: string | null, params: ParamValues): Task {
  if (name === 'kmeans') return 'clustering';
  if (target === null) throw new TabularError(`--target is required for model '${name}'`);
  const c = column(t, target);
  const forced = params.task;
  if (forced !== undefined && forced !== 'regression' && forced !== 'classification') throw new TabularError(`task must be regression or classification, got '${forced}'`);
  const regressionOnly = name === 'linear' || name === 'ridge' || name === 'lasso';
  const classificationOnly = name === 'logistic' || name === 'naive-bayes';
  let task: 'regression' | 'classification';
  if (forced) task = forced;
  else if (regressionOnly) task = 'regression';
  else if (classificationOnly) task = 'classification';
  else if (c.kind === 'categorical') task = 'classification';
  else {
    // Few distinct whole numbers (digit labels, 0/1 flags) are classes; anything else is a quantity.
    const distinct = new Set<number>();
    let whole = true;
    for (const v of c.values) if (!Number.isNaN(v)) { distinct.add(v); if (!Number.isInteger(v)) whole = false; }
    task = whole && distinct.size <= 20 ? 'classification' : 'regression';
  }
  if (task === 'regression' && regressionOnly === false && classificationOnly) throw new TabularError(`model '${name}' is a classifier`);
  if (task === 'regression' && c.kind === 'categorical') {
    const example = c.values.find((v) => v !== null);
    throw new TabularError(`target column '${target}' is not numeric (it has values like '${example}'): model '${name}' does regression and needs a numeric target`);
  }
  if (task === 'classification' && regressionOnly) throw new TabularError(`model '${name}' is a regressor; use logistic, tree, forest, gbm, knn, naive-bayes or mlp for classification`);
  return task;
}

/**
 * The estimator behind a CLI model name.
 * @example makeModel('forest', 'regression', { nEstimators: 200 }, 0);
 */
export function makeModel(name: ModelName, task: Task, params: ParamValues, seed: number): AnyEstimator {
  const p: Record<string, unknown> = { ...params };
  delete p.task;
  const seeded = (): Record<string, unknown> => ({ seed, ...p });
  const reg = task === 'regression';
  try {
    switch (name) {
      case 'linear': return new LinearRegression(p);
      case 'ridge': return new Ridge(p);
      case 'lasso': return new Lasso(p);
      case 'logistic': return new LogisticRegression({ maxIter: 1000, ...p });
      case 'tree': return reg ? new DecisionTreeRegressor(seeded()) : new DecisionTreeClassifier(seeded());
      case 'forest': return reg ? new RandomForestRegressor(seeded()) : new RandomForestClassifier(seeded());
      case 'gbm': return reg ? new GradientBoostingRegressor(seeded()) : new GradientBoostingClassifier(seeded());
      case 'knn': return reg ? new KNeighborsRegressor(p) : new KNeighborsClassifier(p);
      case 'naive-bayes': return new GaussianNB(p);
      case 'kmeans': return new KMeans({ k: 8, ...seeded() });
      case 'mlp': {
        const f = factories.get('mlp');
        if (f) return f(reg ? 'regression' : 'classification', seeded() as ParamValues);
        return reg ? new MLPRegressor(mlpParams(seeded())) : new MLPClassifier(mlpParams(seeded()));
      }
    }
  } catch (err) {
    if (err instanceof TabularError) throw err;
    throw new TabularError(`model '${name}': ${(err as Error).message}`);
  }
  throw new TabularError(`unknown model '${name}'; models are: ${MODEL_NAMES.join(', ')}`);
}

/** `--set hidden_layer_sizes=64,32` arrives as text (or a number for one layer): make it a list. */
function mlpParams(p: Record<string, unknown>): Record<string, unknown> {
  const h = p.hiddenLayerSizes;
  if (typeof h === 'number') return { ...p, hiddenLayerSizes: [h] };
  if (typeof h === 'string') return { ...p, hiddenLayerSizes: h.split(/[,x ]+/).filter(Boolean).map(Number) };
  return p;
}

/** Checks the target column and returns its values for the task (class codes or numbers). */
function targetValues(t: Table, target: string, task: Task, labels?: LabelEncoder): { y: Float64Array; labels: LabelEncoder | null } {
  const c = column(t, target);
  const missing = missingCount(c);
  if (missing > 0) {
    const first = c.kind === 'numeric' ? c.values.findIndex((v) => Number.isNaN(v)) : c.values.findIndex((v) => v === null);
    throw new TabularError(`target column '${target}' has ${missing} missing value${missing > 1 ? 's' : ''} (first on line ${first + 2})`);
  }
  if (task === 'regression') {
    if (c.kind !== 'numeric') throw new TabularError(`target column '${target}' is not numeric: regression needs a numeric target`);
    return { y: c.values, labels: null };
  }
  const text = c.kind === 'numeric' ? Array.from(c.values, (v) => String(v)) : (c.values as string[]);
  const enc = labels ?? new LabelEncoder().fit(text);
  try {
    return { y: enc.encode(text), labels: enc };
  } catch (err) {
    throw new TabularError(`target column '${target}': ${(err as Error).message}`);
  }
}

/** Metrics of a fitted model on labelled rows (the shapes `moxing evaluate --json` prints). */
export type Metrics = Record<string, number>;

function metricsFor(task: Task, model: AnyEstimator, X: Matrix, y: Float64Array | null, seed: number): Metrics {
  const m = model as unknown as { predict(X: Matrix): Float64Array; inertia?(X: Matrix): number };
  if (task === 'clustering') {
    const labels = m.predict(X);
    const out: Metrics = { inertia: m.inertia!(X) };
    // Silhouette is O(n²): score a seeded sample of at most 2000 rows.
    const idx = X.rows > 2000 ? permutation(X.rows, seed).slice(0, 2000) : Int32Array.from({ length: X.rows }, (_, i) => i);
    const lab = Float64Array.from(idx, (i) => labels[i]!);
    const nClusters = new Set(lab).size;
    out.silhouette = nClusters >= 2 && nClusters < idx.length ? silhouetteScore(takeRows(X, idx), lab) : 0;
    return out;
  }
  const pred = m.predict(X);
  if (task === 'regression') return { r2: r2Score(y!, pred), rmse: rootMeanSquaredError(y!, pred), mae: meanAbsoluteError(y!, pred) };
  return { accuracy: accuracyScore(y!, pred), f1: f1Score(y!, pred, { average: 'macro' }) };
}

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

function fitOn(t: Table, name: ModelName, task: Task, target: string | null, params: ParamValues, seed: number, labels?: LabelEncoder) {
  const feats = target === null ? t : dropColumns(t, [target]);
  const pre = new ColumnTransformer().fit(feats);
  const X = pre.transform(feats);
  const model = makeModel(name, task, params, seed);
  const { y, labels: enc } = target !== null && task !== 'clustering' ? targetValues(t, target, task, labels) : { y: null, labels: null };
  (model as unknown as { fit(X: Matrix, y?: Float64Array): unknown }).fit(X, y ?? undefined);
  return { pre, model, X, y, labels: enc, feats };
}

/**
 * Builds the preprocessing from the column types, fits the named model, reports metrics on a
 * held-back validation part, refits on every row and returns the file to save.
 * @example const r = fitTabular(readCsv('ames.csv'), { target: 'Sale_Price', model: 'forest' }); r.metrics.r2;
 */
export function fitTabular(t: Table, opts: FitOptions): FitResult {
  const params = opts.params ?? {};
  const seed = opts.seed ?? 0;
  const name = opts.model;
  if (!(MODEL_NAMES as readonly string[]).includes(name)) throw new TabularError(`unknown model '${name}'; models are: ${MODEL_NAMES.join(', ')}`);
  const target = opts.target;
  if (target !== null) column(t, target);
  const task = inferTask(name, t, target, params);
  if (target !== null && task !== 'clustering') targetValues(t, target, task); // fail early on a bad target
  // Validation split (stratified for classes), fitted and scored before the final refit.
  const frac = opts.validationFraction ?? 0.2;
  const strat = task === 'classification' ? (() => { const c = column(t, target!); return Array.from(c.values as ArrayLike<number | string | null>); })() : undefined;
  let metrics: Metrics = {};
  let validationRows = 0;
  if (t.nRows >= 10) {
    let split;
    try {
      split = trainTestSplit(t.nRows, { testSize: frac, seed, stratify: strat });
    } catch {
      split = trainTestSplit(t.nRows, { testSize: frac, seed });
    }
    const train = takeTableRows(t, split.train);
    const val = takeTableRows(t, split.test);
    const fitted = fitOn(train, name, task, target, params, seed);
    const valFeats = target === null ? val : dropColumns(val, [target]);
    const Xv = fitted.pre.transform(valFeats);
    let yv: Float64Array | null = null;
    if (task === 'classification') {
      // Validation labels unseen in the training part cannot be predicted: they count as errors.
      const c = column(val, target!);
      const text = c.kind === 'numeric' ? Array.from(c.values, String) : (c.values as string[]);
      const known = new Map(fitted.labels!.state.classes.map((l, i) => [l, i]));
      yv = Float64Array.from(text, (l) => known.get(l) ?? -1);
    } else if (task === 'regression') yv = targetValues(val, target!, task).y;
    metrics = metricsFor(task, fitted.model, Xv, yv, seed);
    validationRows = val.nRows;
  }
  const all = fitOn(t, name, task, target, params, seed);
  const file: TabularModelFile = {
    format: TABULAR_FORMAT,
    formatVersion: TABULAR_FORMAT_VERSION,
    model: name,
    task,
    target: task === 'clustering' ? null : target,
    features: all.feats.columns.map((c) => ({ name: c.name, kind: c.kind })),
    labels: all.labels ? all.labels.state.classes : null,
    preprocessor: all.pre.toJSON(),
    estimator: all.model.toJSON(),
  };
  return {
    file, task, kind: all.model.kind, rows: t.nRows, validationRows,
    features: all.feats.columns.length, encodedFeatures: all.X.cols, parameters: all.model.parameterCount(), metrics,
  };
}

/** A loaded model file, ready to predict. */
export interface LoadedTabular {
  file: TabularModelFile;
  pre: ColumnTransformer;
  model: AnyEstimator;
}

/**
 * Checks and restores a saved model file (parsed JSON).
 * @example const m = loadTabular(JSON.parse(readFileSync('model.json', 'utf8')));
 */
export function loadTabular(json: unknown, source = 'model file'): LoadedTabular {
  const f = json as Partial<TabularModelFile> | null;
  if (f === null || typeof f !== 'object' || f.format !== TABULAR_FORMAT) throw new TabularError(`${source}: not a moxing model file (no "format": "${TABULAR_FORMAT}")`);
  if (f.formatVersion !== TABULAR_FORMAT_VERSION) {
    throw new TabularError(`${source}: model file format version ${String(f.formatVersion)} is not supported (this moxing reads version ${TABULAR_FORMAT_VERSION})`);
  }
  try {
    const pre = loadModel(f.preprocessor) as ColumnTransformer;
    const model = loadModel(f.estimator);
    return { file: f as TabularModelFile, pre, model };
  } catch (err) {
    throw new TabularError(`${source}: ${(err as Error).message}`);
  }
}

/**
 * Reads and checks a model file written by `moxing fit`.
 * @example const m = readModelFile('model.json');
 */
export function readModelFile(path: string): LoadedTabular {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not a moxing model file (not valid JSON)`);
  }
  return loadTabular(json, path);
}

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
 * @example predictTabular(loadTabular(json), readCsv('new.csv')); // ['good', 'bad', ...]
 */
export function predictTabular(m: LoadedTabular, t: Table): (string | number)[] {
  const X = featuresOf(m, t);
  const pred = (m.model as unknown as { predict(X: Matrix): Float64Array }).predict(X);
  if (m.file.task === 'classification') return Array.from(pred, (c) => m.file.labels![c]!);
  return Array.from(pred);
}

/**
 * Metrics on labelled rows: {r2, rmse, mae}, {accuracy, f1} or {inertia, silhouette}.
 * @example evaluateTabular(loadTabular(json), readCsv('test.csv')).r2;
 */
export function evaluateTabular(m: LoadedTabular, t: Table, target?: string, seed = 0): Metrics {
  const X = featuresOf(m, t);
  if (m.file.task === 'clustering') return metricsFor('clustering', m.model, X, null, seed);
  const tgt = target ?? m.file.target!;
  const c = column(t, tgt);
  if (missingCount(c) > 0) targetValues(t, tgt, m.file.task); // throws the missing-value error
  let y: Float64Array;
  if (m.file.task === 'classification') {
    const known = new Map(m.file.labels!.map((l, i) => [l, i]));
    const text = c.kind === 'numeric' ? Array.from(c.values, String) : (c.values as string[]);
    y = Float64Array.from(text, (l) => known.get(l) ?? -1);
  } else y = targetValues(t, tgt, 'regression').y;
  return metricsFor(m.file.task, m.model, X, y, seed);
}

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

/**
 * K-fold cross-validation of the whole pipeline (preprocessing refit in each fold).
 * @example crossValidateTabular(readCsv('credit.csv'), { target: 'Status', model: 'gbm', folds: 5 }).mean.accuracy;
 */
export function crossValidateTabular(t: Table, opts: CvOptions): CvResult {
  const params = opts.params ?? {};
  const seed = opts.seed ?? 0;
  const target = opts.target;
  if (target !== null) column(t, target);
  const task = inferTask(opts.model, t, target, params);
  let y: Float64Array | null = null;
  if (target !== null && task !== 'clustering') y = targetValues(t, target, task).y;
  if (!(opts.folds >= 2 && opts.folds <= t.nRows)) throw new TabularError(`--folds must be between 2 and ${t.nRows}`);
  const splits = task === 'classification' ? stratifiedKFold(y!, { nSplits: opts.folds, shuffle: true, seed }) : kFold(t.nRows, { nSplits: opts.folds, shuffle: true, seed });
  const folds = splits.map(({ train, test }) => {
    const fitted = fitOn(takeTableRows(t, train), opts.model, task, target, params, seed);
    const val = takeTableRows(t, test);
    const Xv = fitted.pre.transform(target === null ? val : dropColumns(val, [target]));
    let yv: Float64Array | null = null;
    if (task === 'classification') {
      const full = new LabelEncoder().fit(Array.from(column(t, target!).values as ArrayLike<string | number>, String));
      const trainLabels = fitted.labels!.state.classes;
      const known = new Map(trainLabels.map((l, i) => [l, i]));
      yv = Float64Array.from(test, (i) => known.get(full.state.classes[y![i]!]!) ?? -1);
    } else if (task === 'regression') yv = Float64Array.from(test, (i) => y![i]!);
    return metricsFor(task, fitted.model, Xv, yv, seed);
  });
  const keys = Object.keys(folds[0]!);
  const mean: Metrics = {};
  const std: Metrics = {};
  for (const k of keys) {
    const v = folds.map((f) => f[k]!);
    mean[k] = v.reduce((s, x) => s + x, 0) / v.length;
    std[k] = Math.sqrt(v.reduce((s, x) => s + (x - mean[k]!) ** 2, 0) / v.length);
  }
  return { task, folds, mean, std };
}
