// Validation and learning curves of any CLI model on a CSV table: cross-validated train and validation
// scores against one hyperparameter or the training size, with parameter counts and an overfitting verdict.

import { column, dropColumns, missingCount, takeTableRows, type Table } from '../data/table.js';
import { kFold, stratifiedKFold, permutation, type Split } from '../data/split.js';
import { ColumnTransformer } from '../ml/preprocessing/column-transformer.js';
import { LabelEncoder } from '../ml/preprocessing/label-encoder.js';
import { inferTask } from '../ml/tabular/task.js';
import { makeModel, MODEL_NAMES, type ModelName } from '../ml/tabular/models.js';
import { parseParam, type ParamValues } from '../ml/tabular/params.js';
import { TabularError } from '../ml/tabular/error.js';
import type { Matrix } from '../ml/matrix.js';
import { overfittingReport, learningVerdict, type FitState } from './overfitting.js';

/** A parameter value of a sweep. */
export type SweepValue = number | string | boolean | null;

/** The result of a curve: the JSON `moxing curve ... --json` prints (and the report reads). */
export interface CurveResult {
  kind: 'validation' | 'learning';
  model: string;
  /** The swept parameter; 'trainSize' for learning curves. */
  param: string;
  values: SweepValue[];
  /** Mean score on the training folds (accuracy, R², or loss for GPTs). */
  train: number[];
  /** Mean score on the held-out folds. */
  validation: number[];
  trainStd: number[];
  validationStd: number[];
  /** Learned values of the model at each setting (tree nodes, weights...). */
  parameters: number[];
  /** The chosen value (best validation, simplest within noise). */
  best: SweepValue;
  verdict: string;
  state: FitState | 'more-data-helps' | 'converged' | 'high-variance';
  /** Train minus validation (in the better direction). */
  gap: number[];
  /** Value where validation turns down while training improves (overfitting), or null. */
  turn: SweepValue;
  metric: string;
  higherIsBetter: boolean;
  folds: number;
  rows: number;
}

/**
 * Parses `name=1..20`, `name=1..20:2`, `name=0.01,0.1,1` or `name=1e-3..1e1:log5` (5 log-spaced values).
 * snake_case names become camelCase (`max_depth` -> `maxDepth`).
 * @example parseSweep('maxDepth=1..5'); // { param: 'maxDepth', values: [1, 2, 3, 4, 5] }
 */
export function parseSweep(spec: string): { param: string; values: SweepValue[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new TabularError(`--param expects name=values (e.g. maxDepth=1..20 or C=0.01,0.1,1), got '${spec}'`);
  const [param] = parseParam(`${spec.slice(0, eq)}=0`);
  const raw = spec.slice(eq + 1).trim();
  const range = /^(-?[\d.e+-]+)\.\.(-?[\d.e+-]+)(?::(log)?([\d.e+-]+))?$/.exec(raw);
  let values: SweepValue[];
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) throw new TabularError(`--param ${param}: bad range '${raw}' (want lo..hi with lo <= hi)`);
    if (range[3]) {
      const k = Number(range[4]);
      if (!(lo > 0) || !Number.isInteger(k) || k < 2) throw new TabularError(`--param ${param}: a log range needs lo > 0 and a count >= 2, e.g. 1e-3..1e1:log5`);
      values = Array.from({ length: k }, (_, i) => Number((lo * (hi / lo) ** (i / (k - 1))).toPrecision(6)));
    } else {
      const step = range[4] !== undefined ? Number(range[4]) : 1;
      if (!(step > 0)) throw new TabularError(`--param ${param}: the step must be positive`);
      values = [];
      for (let k = 0; lo + k * step <= hi + 1e-9 * step; k++) values.push(Number((lo + k * step).toPrecision(12)));
    }
  } else {
    values = raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => parseParam(`x=${s}`)[1]);
  }
  if (values.length < 2) throw new TabularError(`--param ${param}: a curve needs at least 2 values, got ${values.length}`);
  if (values.length > 200) throw new TabularError(`--param ${param}: ${values.length} values is too many (at most 200)`);
  return { param, values };
}

/** Options shared by the tabular curves. */
export interface TabularCurveOptions {
  target: string;
  model: ModelName;
  /** Fixed hyperparameters (`--set`). */
  params?: ParamValues;
  folds?: number;
  seed?: number;
  /** Called after each fitted setting (progress). */
  onProgress?: (done: number, total: number) => void;
}

interface Prepared {
  task: 'regression' | 'classification';
  y: Float64Array;
  splits: Split[];
  features: Table;
}

function prepare(t: Table, o: TabularCurveOptions): Prepared {
  if (!(MODEL_NAMES as readonly string[]).includes(o.model)) throw new TabularError(`unknown model '${o.model}'; models are: ${MODEL_NAMES.join(', ')}`);
  if (o.model === 'kmeans') throw new TabularError('curves need a supervised model (kmeans has no target)');
  const task = inferTask(o.model, t, o.target, o.params ?? {}) as 'regression' | 'classification';
  const c = column(t, o.target);
  if (missingCount(c) > 0) throw new TabularError(`target column '${o.target}' has ${missingCount(c)} missing values`);
  let y: Float64Array;
  if (task === 'classification') {
    const text = c.kind === 'numeric' ? Array.from(c.values, String) : (c.values as string[]);
    y = new LabelEncoder().fit(text).encode(text);
  } else {
    if (c.kind !== 'numeric') throw new TabularError(`target column '${o.target}' is not numeric: regression needs a numeric target`);
    y = c.values;
  }
  const folds = o.folds ?? 5;
  if (!Number.isInteger(folds) || folds < 2 || folds > t.nRows) throw new TabularError(`--folds must be an integer between 2 and ${t.nRows}`);
  const seed = o.seed ?? 0;
  let splits: Split[];
  try {
    splits = task === 'classification' ? stratifiedKFold(y, { nSplits: folds, shuffle: true, seed }) : kFold(t.nRows, { nSplits: folds, shuffle: true, seed });
  } catch {
    splits = kFold(t.nRows, { nSplits: folds, shuffle: true, seed });
  }
  return { task, y, splits, features: dropColumns(t, [o.target]) };
}

interface Fitted { train: number; validation: number; parameters: number }

type Scorable = { fit(X: Matrix, y: Float64Array): unknown; score(X: Matrix, y: Float64Array): number; parameterCount(): number };

function fitScore(p: Prepared, model: ModelName, params: ParamValues, seed: number, trainIdx: ArrayLike<number>, testIdx: ArrayLike<number>): Fitted {
  // The same preprocessing as `moxing fit`: built from the column types on the training rows only.
  const pre = new ColumnTransformer().fit(takeTableRows(p.features, trainIdx));
  const Xtr = pre.transform(takeTableRows(p.features, trainIdx));
  const Xva = pre.transform(takeTableRows(p.features, testIdx));
  const ytr = Float64Array.from(trainIdx, (i) => p.y[i]!);
  const yva = Float64Array.from(testIdx, (i) => p.y[i]!);
  const est = makeModel(model, p.task, params, seed) as unknown as Scorable;
  est.fit(Xtr, ytr);
  return { train: est.score(Xtr, ytr), validation: est.score(Xva, yva), parameters: est.parameterCount() };
}

function meanStd(v: readonly number[]): [number, number] {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length)];
}

function collect(rows: Fitted[][]): Pick<CurveResult, 'train' | 'validation' | 'trainStd' | 'validationStd' | 'parameters'> {
  const out = { train: [] as number[], validation: [] as number[], trainStd: [] as number[], validationStd: [] as number[], parameters: [] as number[] };
  for (const r of rows) {
    const [tm, ts] = meanStd(r.map((f) => f.train));
    const [vm, vs] = meanStd(r.map((f) => f.validation));
    out.train.push(tm); out.trainStd.push(ts); out.validation.push(vm); out.validationStd.push(vs);
    out.parameters.push(Math.round(meanStd(r.map((f) => f.parameters))[0]));
  }
  return out;
}

/**
 * Cross-validated train and validation scores (accuracy for classifiers, R² for regressors) of a
 * model for each value of one hyperparameter, with parameter counts and an overfitting verdict.
 * @example
 * const r = validationCurve(readCsv('credit.csv'), 'maxDepth', [1, 2, 4, 8, 16], { target: 'Status', model: 'tree' });
 * r.best; r.verdict;
 */
export function validationCurve(t: Table, param: string, values: readonly SweepValue[], o: TabularCurveOptions): CurveResult {
  const p = prepare(t, o);
  const seed = o.seed ?? 0;
  const total = values.length * p.splits.length;
  let done = 0;
  const rows = values.map((v) => p.splits.map(({ train, test }) => {
    const r = fitScore(p, o.model, { ...(o.params ?? {}), [param]: v }, seed, train, test);
    o.onProgress?.(++done, total);
    return r;
  }));
  const c = collect(rows);
  const metric = p.task === 'classification' ? 'accuracy' : 'r2';
  const rep = overfittingReport(values, c.train, c.validation, { param, higherIsBetter: true, validationStd: c.validationStd, metric });
  return {
    kind: 'validation', model: o.model, param, values: [...values], ...c, best: values[rep.bestIndex]!, verdict: rep.verdict, state: rep.state,
    gap: rep.gap, turn: rep.turnIndex === null ? null : values[rep.turnIndex]!, metric, higherIsBetter: true, folds: p.splits.length, rows: t.nRows,
  };
}

/**
 * Train and validation scores against the number of training rows (each fold's training part
 * subsampled), with a verdict on whether more data would help.
 * @example learningCurve(readCsv('credit.csv'), [0.1, 0.3, 1], { target: 'Status', model: 'gbm' }).verdict;
 */
export function learningCurve(t: Table, sizes: readonly number[], o: TabularCurveOptions): CurveResult {
  const p = prepare(t, o);
  const seed = o.seed ?? 0;
  const nTrain = Math.min(...p.splits.map((s) => s.train.length));
  // Fractions (<= 1) of the training folds, or row counts (> 1).
  const counts = sizes.map((s) => {
    const n = s <= 1 ? Math.round(s * nTrain) : Math.round(s);
    if (n < 2 || n > nTrain) throw new TabularError(`training size ${s} gives ${n} rows; each training fold has ${nTrain} (give fractions in (0, 1] or counts up to ${nTrain})`);
    return n;
  });
  const total = counts.length * p.splits.length;
  let done = 0;
  const rows = counts.map((n) => p.splits.map(({ train, test }, k) => {
    // A seeded shuffle per fold, the first n rows: smaller sizes are subsets of larger ones.
    const order = permutation(train.length, seed + 7919 * (k + 1));
    const sub = Int32Array.from(order.subarray(0, n), (i) => train[i]!);
    const r = fitScore(p, o.model, o.params ?? {}, seed, sub, test);
    o.onProgress?.(++done, total);
    return r;
  }));
  const c = collect(rows);
  const metric = p.task === 'classification' ? 'accuracy' : 'r2';
  const v = learningVerdict(counts, c.train, c.validation, { param: 'training rows', higherIsBetter: true, validationStd: c.validationStd, metric });
  let best = 0;
  c.validation.forEach((s, i) => { if (s > c.validation[best]!) best = i; });
  return {
    kind: 'learning', model: o.model, param: 'trainSize', values: counts, ...c, best: counts[best]!, verdict: v.verdict, state: v.state,
    gap: v.gap, turn: null, metric, higherIsBetter: true, folds: p.splits.length, rows: t.nRows,
  };
}
