// Cross-validation and exhaustive grid search over hyperparameters (scikit-learn's cross_validate and GridSearchCV).

import { kFold, stratifiedKFold, type Split } from '../../data/split.js';
import { take, takeRows, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from '../matrix.js';

/** What cross-validation needs from an estimator. */
export interface Fittable {
  fit(X: Matrix, y: Float64Array): unknown;
  score(X: Matrix, y: Float64Array): number;
}

/** A scoring function on held-out data; higher is better. */
export type Scorer = (est: Fittable, X: Matrix, y: Float64Array) => number;

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions {
  /** Number of folds (stratified when `stratify` is set) or explicit splits. */
  cv?: number | Split[];
  /** Stratify folds by y (classification). */
  stratify?: boolean;
  shuffle?: boolean;
  seed?: number;
  /** Default: the estimator's own score (R² or accuracy). */
  scoring?: Scorer;
}

/** Per-fold scores and fit times (ms). */
export interface CrossValidateResult {
  testScore: number[];
  fitTimeMs: number[];
  mean: number;
  std: number;
}

/**
 * The folds a crossValidate call uses.
 * @example makeFolds(y, { cv: 5, stratify: true });
 */
export function makeFolds(y: Float64Array, opts: CrossValidateOptions): Split[] {
  if (Array.isArray(opts.cv)) return opts.cv;
  const k = (opts.cv as number | undefined) ?? 5;
  const fo = { nSplits: k, shuffle: opts.shuffle ?? true, seed: opts.seed ?? 0 };
  return opts.stratify ? stratifiedKFold(y, fo) : kFold(y.length, fo);
}

/**
 * Fits a fresh estimator on each training fold and scores it on the held-out fold.
 * @example crossValidate(() => new Ridge({ alpha: 1 }), X, y, { cv: 5 }).mean;
 */
export function crossValidate(make: () => Fittable, X: MatrixLike, y: VectorLike, opts: CrossValidateOptions = {}): CrossValidateResult {
  const M = toMatrix(X);
  const yv = toVector(y, M.rows);
  const testScore: number[] = [];
  const fitTimeMs: number[] = [];
  for (const { train, test } of makeFolds(yv, opts)) {
    const est = make();
    const t0 = performance.now();
    est.fit(takeRows(M, train), take(yv, train));
    fitTimeMs.push(performance.now() - t0);
    const Xt = takeRows(M, test);
    const yt = take(yv, test);
    testScore.push(opts.scoring ? opts.scoring(est, Xt, yt) : est.score(Xt, yt));
  }
  const mean = testScore.reduce((s, v) => s + v, 0) / testScore.length;
  const std = Math.sqrt(testScore.reduce((s, v) => s + (v - mean) ** 2, 0) / testScore.length);
  return { testScore, fitTimeMs, mean, std };
}

/** One row of {@link GridSearchCV.results}. */
export interface GridResult<P> {
  params: P;
  meanScore: number;
  stdScore: number;
}

/**
 * Every combination of the grid's values, in order (the last key varies fastest).
 * @example parameterGrid({ a: [1, 2], b: ['x'] }); // [{a:1,b:'x'}, {a:2,b:'x'}]
 */
export function parameterGrid<P extends Record<string, unknown>>(grid: { [K in keyof P]: readonly P[K][] }): P[] {
  let out: Record<string, unknown>[] = [{}];
  for (const key of Object.keys(grid)) {
    const vals = grid[key as keyof P] as readonly unknown[];
    out = out.flatMap((o) => vals.map((v) => ({ ...o, [key]: v })));
  }
  return out as P[];
}

/**
 * Exhaustive search: cross-validates every parameter combination, then refits the best on all data.
 * @example
 * const gs = new GridSearchCV((p) => new Ridge(p), { alpha: [0.1, 1, 10] }, { cv: 5 }).fit(X, y);
 * gs.bestParams; gs.bestEstimator.predict(Xt);
 */
export class GridSearchCV<P extends Record<string, unknown>, E extends Fittable> {
  results: GridResult<P>[] = [];
  #best: { params: P; score: number; estimator: E } | null = null;

  constructor(
    readonly make: (params: P) => E,
    readonly grid: { [K in keyof P]: readonly P[K][] },
    readonly options: CrossValidateOptions = {},
  ) {}

  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const yv = toVector(y, M.rows);
    const folds = makeFolds(yv, this.options);
    this.results = parameterGrid<P>(this.grid).map((params) => {
      const r = crossValidate(() => this.make(params), M, yv, { ...this.options, cv: folds });
      return { params, meanScore: r.mean, stdScore: r.std };
    });
    // The first best wins ties, as scikit-learn's rank.
    const best = this.results.reduce((a, b) => (b.meanScore > a.meanScore ? b : a));
    const estimator = this.make(best.params);
    estimator.fit(M, yv);
    this.#best = { params: best.params, score: best.meanScore, estimator };
    return this;
  }

  private get best(): { params: P; score: number; estimator: E } {
    if (!this.#best) throw new Error('GridSearchCV is not fitted yet: call fit() first');
    return this.#best;
  }
  get bestParams(): P { return this.best.params; }
  get bestScore(): number { return this.best.score; }
  get bestEstimator(): E { return this.best.estimator; }
}
