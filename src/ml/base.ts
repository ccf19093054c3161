// The estimator contract (scikit-learn's): frozen params, fit returns this, learned state apart, toJSON.

import { encodeState, type Json } from './serialize.js';
import { checkParams } from './check-params.js';
import { toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { r2Score } from './metrics/regression.js';
import { accuracyScore } from './metrics/classification.js';

/** Version of the `{kind, version, params, state}` model format written by {@link BaseEstimator.toJSON}. */
export const MODEL_VERSION = 1;

/** The serialized form of an estimator. */
export interface ModelJSON {
  kind: string;
  version: number;
  params: Json;
  state: Json;
}

/**
 * Thrown when an estimator is used before `fit`.
 * @example try { new Ridge().predict(X); } catch (e) { e instanceof NotFittedError; }
 */
export class NotFittedError extends Error {
  constructor(kind: string) {
    super(`this ${kind} is not fitted yet: call fit() first`);
    this.name = 'NotFittedError';
  }
}

/**
 * Base of every estimator: params merged with defaults and frozen; learned values only in `state`.
 * @example class Mean extends BaseEstimator<{}, { mean: number }> { readonly kind = 'Mean'; ... }
 */
export abstract class BaseEstimator<P extends object, S extends object> {
  /** The registry name, also written in `toJSON().kind`. */
  abstract readonly kind: string;
  /** Hyperparameters: defaults merged with the constructor's argument, frozen. */
  readonly params: Readonly<P>;
  #state: S | undefined;

  protected constructor(defaults: P, params: Partial<P> | undefined) {
    const merged = { ...defaults } as P;
    for (const [k, v] of Object.entries(params ?? {})) {
      if (!(k in defaults)) throw new Error(`unknown parameter '${k}'; known: ${Object.keys(defaults).join(', ')}`);
      if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    }
    checkParams(new.target.name, merged as Record<string, unknown>);
    this.params = Object.freeze(merged);
  }

  /** The learned state; throws {@link NotFittedError} before `fit`. */
  get state(): S {
    if (this.#state === undefined) throw new NotFittedError(this.kind);
    return this.#state;
  }

  /** True once `fit` has run (or state was loaded). */
  get fitted(): boolean {
    return this.#state !== undefined;
  }

  /** Replaces the learned state (used by `fit` and by `loadModel`). */
  setState(state: S): this {
    this.#state = state;
    return this;
  }

  /** Number of learned values (coefficients, tree nodes, stored samples...). */
  abstract parameterCount(): number;

  /** `{kind, version, params, state}`; `loadModel` restores it. */
  toJSON(): ModelJSON {
    return { kind: this.kind, version: MODEL_VERSION, params: encodeState(this.params), state: encodeState(this.state) };
  }
}

/** Fits on (X, y) and predicts numbers; `score` is R². */
export abstract class Regressor<P extends object, S extends object> extends BaseEstimator<P, S> {
  abstract fit(X: MatrixLike, y: VectorLike): this;
  abstract predict(X: MatrixLike): Float64Array;
  /** R² of the predictions on (X, y). */
  score(X: MatrixLike, y: VectorLike): number {
    // predict() checks X as the model requires (NaN allowed or not); this only needs its rows.
    const M = toMatrix(X, { allowNaN: true });
    return r2Score(toVector(y, M.rows), this.predict(M));
  }
}

/** State every classifier keeps: the sorted distinct labels seen in fit. */
export interface ClassifierState {
  classes: number[];
}

/** Fits on (X, labels); predicts labels and class probabilities; `score` is accuracy. */
export abstract class Classifier<P extends object, S extends ClassifierState> extends BaseEstimator<P, S> {
  abstract fit(X: MatrixLike, y: VectorLike): this;
  /** Class probabilities, one row per sample, columns in the order of `classes`. */
  abstract predictProba(X: MatrixLike): Matrix;
  /** The sorted distinct labels seen in fit. */
  get classes(): number[] {
    return this.state.classes;
  }
  /** The most probable label of each row. */
  predict(X: MatrixLike): Float64Array {
    const P = this.predictProba(X);
    return argmaxLabels(P, this.state.classes);
  }
  /** Accuracy of the predictions on (X, y). */
  score(X: MatrixLike, y: VectorLike): number {
    const M = toMatrix(X, { allowNaN: true }); // predict() checks X as the model requires
    return accuracyScore(toVector(y, M.rows), this.predict(M));
  }
}

/** Learns a mapping in fit and applies it in transform. */
export abstract class Transformer<P extends object, S extends object, In = MatrixLike> extends BaseEstimator<P, S> {
  abstract fit(X: In, y?: VectorLike): this;
  abstract transform(X: In): Matrix;
  /** fit then transform on the same data. */
  fitTransform(X: In, y?: VectorLike): Matrix {
    return this.fit(X, y).transform(X);
  }
}

/** Fits on X alone and assigns clusters; `score` is minus the inertia (higher is better). */
export abstract class Clusterer<P extends object, S extends object> extends BaseEstimator<P, S> {
  abstract fit(X: MatrixLike): this;
  abstract predict(X: MatrixLike): Float64Array;
  /** Sum of squared distances of X to its nearest center. */
  abstract inertia(X: MatrixLike): number;
  /** fit then predict on the same data. */
  fitPredict(X: MatrixLike): Float64Array {
    return this.fit(X).predict(X);
  }
  /** Minus the inertia on X. */
  score(X: MatrixLike): number {
    return -this.inertia(X);
  }
}

/** Any fitted model the registry knows. */
export type AnyEstimator = BaseEstimator<object, object>;

/**
 * Sorted distinct labels and each sample's class index.
 * @example encodeLabels([3, 1, 3]); // { classes: [1, 3], index: Int32Array [1, 0, 1] }
 */
export function encodeLabels(y: ArrayLike<number>): { classes: number[]; index: Int32Array } {
  const n = y.length;
  // Integer labels in a small range (the usual case) go through a table: a Set, a sort and a Map
  // lookup per label cost more than a naive Bayes or kNN fit's arithmetic.
  let lo = Infinity;
  let hi = -Infinity;
  let ints = true;
  for (let i = 0; i < n; i++) {
    const v = y[i]!;
    if ((v | 0) !== v) { ints = false; break; }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (ints && n > 0 && hi - lo <= 65536) {
    const table = new Int32Array(hi - lo + 1);
    for (let i = 0; i < n; i++) table[y[i]! - lo] = 1;
    const classes: number[] = [];
    for (let v = 0; v < table.length; v++) if (table[v] === 1) { table[v] = classes.length; classes.push(v + lo); }
    const index = new Int32Array(n);
    for (let i = 0; i < n; i++) index[i] = table[y[i]! - lo]!;
    return { classes, index };
  }
  const classes = Array.from(new Set(Array.from(y))).sort((a, b) => a - b);
  const pos = new Map(classes.map((c, i) => [c, i]));
  const index = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) index[i] = pos.get(y[i]!)!;
  return { classes, index };
}

/**
 * The label of the largest entry in each row of P.
 * @example argmaxLabels(matrix(1, 2, Float64Array.of(0.2, 0.8)), [5, 7]); // [7]
 */
export function argmaxLabels(P: Matrix, classes: readonly number[]): Float64Array {
  const out = new Float64Array(P.rows);
  for (let i = 0; i < P.rows; i++) {
    let best = 0;
    let bv = -Infinity;
    for (let k = 0; k < P.cols; k++) {
      const v = P.data[i * P.cols + k]!;
      if (v > bv) { bv = v; best = k; }
    }
    out[i] = classes[best]!;
  }
  return out;
}
