// Validation and learning curves of any CLI model on a CSV table: cross-validated train and validation
// scores against one hyperparameter or the training size, with parameter counts and an overfitting verdict.

import { column, missingCount, type Table } from '../data/table.js';
import { kFold, stratifiedKFold, permutation, type Split } from '../data/split.js';
import { LabelEncoder } from '../ml/preprocessing/label-encoder.js';
import { inferTask } from '../ml/tabular/task.js';
import { MODEL_NAMES, type ModelName } from '../ml/tabular/models.js';
import { TabularPipeline } from '../ml/tabular/pipeline.js';
import { rankingMetric } from '../ml/tabular/metrics.js';
import { crossValidate } from '../ml/model-selection/cross-validate.js';
import { parseParam, type ParamValues } from '../ml/tabular/params.js';
import { TabularError } from '../ml/tabular/error.js';
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
  return { task, y, splits };
}

/** One setting's cross-validated scores (means and stds over the folds) and its parameter count. */
type Scored = Pick<CurveResult, 'train' | 'validation' | 'trainStd' | 'validationStd' | 'parameters'>;

/**
 * Cross-validates one setting with the one k-fold loop (model-selection's crossValidate) over the
 * pipeline `moxing fit` uses: preprocessing from the column types, refit on each fold's training rows.
 */
function scoreSetting(t: Table, p: Prepared, o: TabularCurveOptions, params: ParamValues, splits: Split[], onFold: () => void): Scored {
  const metric = rankingMetric(p.task);
  const spec = { model: o.model, task: p.task, target: o.target, params, seed: o.seed ?? 0 };
  const r = crossValidate(() => new TabularPipeline(spec), t, p.y, {
    cv: splits, returnTrainScore: true, rankBy: metric, onFold,
    scoring: (pipe, rows) => ({ [metric]: pipe.score(rows), parameters: pipe.fitted.model.parameterCount() }),
  });
  return { train: [r.train!.mean], trainStd: [r.train!.std], validation: [r.mean], validationStd: [r.std], parameters: [Math.round(r.means.parameters!)] };
}

function collect(rows: Scored[]): Scored {
  // Key order as --json has always printed it.
  return {
    train: rows.flatMap((r) => r.train), validation: rows.flatMap((r) => r.validation), trainStd: rows.flatMap((r) => r.trainStd),
    validationStd: rows.flatMap((r) => r.validationStd), parameters: rows.flatMap((r) => r.parameters),
  };
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
  const total = values.length * p.splits.length;
  let done = 0;
  const c = collect(values.map((v) => scoreSetting(t, p, o, { ...(o.params ?? {}), [param]: v }, p.splits, () => o.onProgress?.(++done, total))));
  const metric = rankingMetric(p.task);
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
  const c = collect(counts.map((n) => {
    // A seeded shuffle per fold, the first n rows: smaller sizes are subsets of larger ones.
    const splits = p.splits.map(({ train, test }, k) => {
      const order = permutation(train.length, seed + 7919 * (k + 1));
      return { train: Int32Array.from(order.subarray(0, n), (i) => train[i]!), test };
    });
    return scoreSetting(t, p, o, o.params ?? {}, splits, () => o.onProgress?.(++done, total));
  }));
  const metric = rankingMetric(p.task);
  const v = learningVerdict(counts, c.train, c.validation, { param: 'training rows', higherIsBetter: true, validationStd: c.validationStd, metric });
  let best = 0;
  c.validation.forEach((s, i) => { if (s > c.validation[best]!) best = i; });
  return {
    kind: 'learning', model: o.model, param: 'trainSize', values: counts, ...c, best: counts[best]!, verdict: v.verdict, state: v.state,
    gap: v.gap, turn: null, metric, higherIsBetter: true, folds: p.splits.length, rows: t.nRows,
  };
}
