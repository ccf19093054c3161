// Cross-validation and exhaustive grid search over hyperparameters (scikit-learn's cross_validate and GridSearchCV).
// The one k-fold loop of the project: matrices, and tables whose estimator refits its preprocessing per fold.

import { kFold, stratifiedKFold, type Split } from '../../data/split.js';
import { takeTableRows, type Table } from '../../data/table.js';
import { take, takeRows, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from '../matrix.js';

/** Rows cross-validation can split: a matrix, or a table (whose estimator builds its own features). */
export type Rows = Matrix | Table;

/** What cross-validation needs from an estimator. */
export interface Fittable<X extends Rows = Matrix> {
  fit(X: X, y: Float64Array): unknown;
  score(X: X, y: Float64Array): number;
}

/** A score on held-out data (higher is better), or several by name. */
export type Scorer<E, X extends Rows = Matrix> = (est: E, X: X, y: Float64Array) => number | Record<string, number>;

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions<E = Fittable, X extends Rows = Matrix> {
  /** Number of folds (stratified when `stratify` is set) or explicit splits. */
  cv?: number | Split[];
  /** Stratify folds by y (classification). */
  stratify?: boolean;
  shuffle?: boolean;
  seed?: number;
  /** Default: the estimator's own score (R² or accuracy), named `score`. */
  scoring?: Scorer<E, X>;
  /** With named scores: the one `testScore`, `mean` and `std` report and grid search ranks by (default the first). */
  rankBy?: string;
  /** Also score each fold's estimator on its own training rows (`train` in the result), as scikit-learn's return_train_score. */
  returnTrainScore?: boolean;
  /** Called after each fold (progress). */
  onFold?: (done: number, total: number) => void;
}

/** Per-fold scores and fit times (ms). */
export interface CrossValidateResult {
  /** The ranked score of each fold. */
  testScore: number[];
  fitTimeMs: number[];
  mean: number;
  std: number;
  /** Every named score of each fold (`{ score }` for a single number). */
  folds: Record<string, number>[];
  /** Mean and (population) standard deviation of each named score over the folds. */
  means: Record<string, number>;
  stds: Record<string, number>;
  /** With `returnTrainScore`: the same figures on the training rows. */
  train?: { testScore: number[]; mean: number; std: number; folds: Record<string, number>[]; means: Record<string, number>; stds: Record<string, number> };
}

/**
 * The folds a crossValidate call uses.
 * @example makeFolds(y, { cv: 5, stratify: true });
 */
export function makeFolds(y: Float64Array, opts: Pick<CrossValidateOptions, 'cv' | 'stratify' | 'shuffle' | 'seed'>): Split[] {
  if (Array.isArray(opts.cv)) {
    // Given splits: each fold's rows must be rows of y (an index past the end read as a missing value).
    if (opts.cv.length === 0) throw new Error('crossValidate: cv is an empty list of splits');
    opts.cv.forEach((s, f) => {
      for (const part of ['train', 'test'] as const) {
        const idx = s[part];
        if (!idx || idx.length === 0) throw new Error(`crossValidate: split ${f} has no ${part} rows`);
        for (const i of idx) if (!(Number.isInteger(i) && i >= 0 && i < y.length)) throw new Error(`crossValidate: split ${f}'s ${part} rows include ${i}, not a row of the ${y.length}`);
      }
    });
    return opts.cv;
  }
  const k = (opts.cv as number | undefined) ?? 5;
  const fo = { nSplits: k, shuffle: opts.shuffle ?? true, seed: opts.seed ?? 0 };
  return opts.stratify ? stratifiedKFold(y, fo) : kFold(y.length, fo);
}

function isTable(X: MatrixLike | Table): X is Table {
  return 'columns' in X && 'nRows' in X;
}

/** The rows as cross-validation sees them: a count and a way to take a subset. */
function rowsOf(X: MatrixLike | Table): { n: number; data: Rows; take(idx: Int32Array): Rows } {
  if (isTable(X)) return { n: X.nRows, data: X, take: (idx) => takeTableRows(X, idx) };
  const M = toMatrix(X);
  return { n: M.rows, data: M, take: (idx) => takeRows(M, idx) };
}

function meanStd(v: readonly number[]): [number, number] {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return [mean, Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length)];
}

/**
 * Fits a fresh estimator on each training fold and scores it on the held-out fold.
 * @example
 * crossValidate(() => new Ridge({ alpha: 1 }), X, y, { cv: 5 }).mean;
 * crossValidate(() => new TabularPipeline(spec), table, y, { cv: 5, stratify: true, scoring: (p, t) => p.metrics(t) }).means.f1;
 */
export function crossValidate<E extends Fittable<Matrix>>(make: () => E, X: MatrixLike, y: VectorLike, opts?: CrossValidateOptions<E, Matrix>): CrossValidateResult;
export function crossValidate<E extends Fittable<Table>>(make: () => E, X: Table, y: VectorLike, opts?: CrossValidateOptions<E, Table>): CrossValidateResult;
export function crossValidate(make: () => unknown, X: MatrixLike | Table, y: VectorLike, opts: object = {}): CrossValidateResult {
  // The overloads pair each kind of rows with estimators and scorers of that kind.
  const rows = rowsOf(X);
  return runFolds(make as () => Fittable<Rows>, rows, toVector(y, rows.n), opts as CrossValidateOptions<Fittable<Rows>, Rows>);
}

/** The loop itself, on rows already checked. */
function runFolds(make: () => Fittable<Rows>, rows: ReturnType<typeof rowsOf>, yv: Float64Array, opts: CrossValidateOptions<Fittable<Rows>, Rows>): CrossValidateResult {
  const folds: Record<string, number>[] = [];
  const trainFolds: Record<string, number>[] = [];
  const fitTimeMs: number[] = [];
  const scoreOn = (est: Fittable<Rows>, idx: Int32Array): Record<string, number> => {
    const X = rows.take(idx);
    const y = take(yv, idx);
    if (opts.scoring !== undefined && typeof opts.scoring !== 'function') throw new TypeError(`crossValidate: scoring must be a function (est, X, y) => number or a record of numbers, got ${typeof opts.scoring}`);
    const s = opts.scoring ? opts.scoring(est, X, y) : est.score(X, y);
    return typeof s === 'number' ? { score: s } : s;
  };
  const splits = makeFolds(yv, opts);
  for (const { train, test } of splits) {
    const est = make();
    const t0 = performance.now();
    est.fit(rows.take(train), take(yv, train));
    fitTimeMs.push(performance.now() - t0);
    folds.push(scoreOn(est, test));
    if (opts.returnTrainScore) trainFolds.push(scoreOn(est, train));
    opts.onFold?.(folds.length, splits.length);
  }
  const names = Object.keys(folds[0] ?? {});
  const rankBy = opts.rankBy ?? names[0] ?? 'score';
  if (!names.includes(rankBy)) throw new Error(`crossValidate: rankBy '${rankBy}' is not a score (scores: ${names.join(', ')})`);
  const test = summarize(folds, names, rankBy);
  return { ...test, fitTimeMs, ...(opts.returnTrainScore ? { train: summarize(trainFolds, names, rankBy) } : {}) };
}

/** Per-fold ranked scores, and each named score's mean and std. */
function summarize(folds: Record<string, number>[], names: readonly string[], rankBy: string) {
  const means: Record<string, number> = {};
  const stds: Record<string, number> = {};
  for (const k of names) [means[k], stds[k]] = meanStd(folds.map((f) => f[k]!));
  return { testScore: folds.map((f) => f[rankBy]!), mean: means[rankBy]!, std: stds[rankBy]!, folds, means, stds };
}

/** One row of {@link GridSearchCV.results}. */
export interface GridResult<P> {
  params: P;
  /** Mean and standard deviation over the folds of the ranked score. */
  meanScore: number;
  stdScore: number;
  /** Every named score's mean and standard deviation over the folds. */
  meanScores: Record<string, number>;
  stdScores: Record<string, number>;
}

/** Options of {@link GridSearchCV}: cross-validation's, and whether to refit the best on all rows. */
export interface GridSearchOptions<E, X extends Rows = Matrix> extends CrossValidateOptions<E, X> {
  /** Refit the best parameters on all rows (default true; bestEstimator needs it). */
  refit?: boolean;
}

/**
 * Every combination of the grid's values, in order (the last key varies fastest).
 * @example parameterGrid({ a: [1, 2], b: ['x'] }); // [{a:1,b:'x'}, {a:2,b:'x'}]
 */
export function parameterGrid<P extends Record<string, unknown>>(grid: { [K in keyof P]: readonly P[K][] }): P[] {
  let out: Record<string, unknown>[] = [{}];
  for (const key of Object.keys(grid)) {
    const vals = grid[key as keyof P] as readonly unknown[];
    if (!Array.isArray(vals) || vals.length === 0) throw new Error(`parameterGrid: ${key} must be a non-empty array of values, got ${Array.isArray(vals) ? '[]' : JSON.stringify(vals)}`);
    out = out.flatMap((o) => vals.map((v) => ({ ...o, [key]: v })));
  }
  return out as P[];
}

/**
 * Refuses a fold whose ranked score is NaN (or not a number): any comparison with NaN is false, so
 * a NaN mean would win when it came first and lose anywhere else, silently. scikit-learn ranks it
 * last with a warning; with no error_score-like option here, a clear error is the honest answer.
 */
function checkRankable(r: CrossValidateResult, rankBy: string | undefined, params: object): void {
  const name = rankBy ?? Object.keys(r.folds[0] ?? {})[0] ?? 'score';
  r.testScore.forEach((v, fold) => {
    if (typeof v === 'number' && !Number.isNaN(v)) return;
    const what = typeof v === 'number' ? 'NaN' : `${String(v)}, not a number,`;
    throw new Error(`GridSearchCV: score '${name}' is ${what} on fold ${fold} for parameters ${JSON.stringify(params)}; a NaN score cannot be ranked (check the scorer or the estimator for these parameters)`);
  });
}

/**
 * Exhaustive search: cross-validates every parameter combination on the same folds, then refits the
 * best on all data. Works on matrices and, like {@link crossValidate}, on tables.
 * @example
 * const gs = new GridSearchCV((p) => new Ridge(p), { alpha: [0.1, 1, 10] }, { cv: 5 }).fit(X, y);
 * gs.bestParams; gs.bestEstimator.predict(Xt);
 */
export class GridSearchCV<P extends Record<string, unknown>, E extends Fittable<X>, X extends Rows = Matrix> {
  results: GridResult<P>[] = [];
  #best: { params: P; score: number; estimator: E | null } | null = null;

  constructor(
    readonly make: (params: P) => E,
    readonly grid: { [K in keyof P]: readonly P[K][] },
    readonly options: GridSearchOptions<E, X> = {},
  ) {}

  fit(X: X extends Table ? Table : MatrixLike, y: VectorLike): this {
    const rows = rowsOf(X);
    const yv = toVector(y, rows.n);
    const folds = makeFolds(yv, this.options);
    const combos = parameterGrid<P>(this.grid);
    if (combos.length === 0) throw new Error('GridSearchCV: the grid has no combinations (a key with no values?)');
    this.results = combos.map((params) => {
      const r = runFolds(() => this.make(params) as Fittable<Rows>, rows, yv, { ...this.options, cv: folds } as CrossValidateOptions<Fittable<Rows>, Rows>);
      checkRankable(r, this.options.rankBy, params);
      return { params, meanScore: r.mean, stdScore: r.std, meanScores: r.means, stdScores: r.stds };
    });
    // The first best wins ties, as scikit-learn's rank.
    const best = this.results.reduce((a, b) => (b.meanScore > a.meanScore ? b : a));
    let estimator: E | null = null;
    if (this.options.refit ?? true) {
      estimator = this.make(best.params);
      estimator.fit(rows.data as X, yv);
    }
    this.#best = { params: best.params, score: best.meanScore, estimator };
    return this;
  }

  private get best(): { params: P; score: number; estimator: E | null } {
    if (!this.#best) throw new Error('GridSearchCV is not fitted yet: call fit() first');
    return this.#best;
  }
  get bestParams(): P { return this.best.params; }
  get bestScore(): number { return this.best.score; }
  get bestEstimator(): E {
    const e = this.best.estimator;
    if (!e) throw new Error('GridSearchCV was fitted with refit: false: no bestEstimator');
    return e;
  }
}
