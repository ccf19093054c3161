// k-nearest neighbours (Fix & Hodges 1951; Cover & Hart 1967): brute-force Euclidean search, uniform or distance weights.

import { Classifier, Regressor, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';

/** Parameters of the k-nearest-neighbour models. */
export interface KNeighborsParams {
  nNeighbors: number;
  /** 'distance': neighbours weigh 1 / distance (an exact match takes all the weight). */
  weights: 'uniform' | 'distance';
}

/** Learned state: the training data itself (X by reference when fit was given a Matrix). */
export interface KNeighborsState {
  X: Float64Array;
  y: Float64Array;
  nFeatures: number;
}

/** For each query row, the indices and distances of its k nearest training rows (nearest first). */
function neighbors(train: Float64Array, p: number, Q: Matrix, k: number, visit: (i: number, idx: Int32Array, dist: Float64Array) => void): void {
  const n = train.length / p;
  const tn = new Float64Array(n);
  for (let t = 0; t < n; t++) { let s = 0; for (let j = 0; j < p; j++) s += train[t * p + j]! ** 2; tn[t] = s; }
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  for (let i = 0; i < Q.rows; i++) {
    const o = i * p;
    let qn = 0;
    for (let j = 0; j < p; j++) qn += Q.data[o + j]! ** 2;
    let filled = 0;
    for (let t = 0; t < n; t++) {
      let dot = 0;
      const to = t * p;
      for (let j = 0; j < p; j++) dot += Q.data[o + j]! * train[to + j]!;
      const d = Math.max(0, qn + tn[t]! - 2 * dot);
      if (filled === k && d >= dist[k - 1]!) continue;
      // Insertion into the sorted k-best list; ties keep the earlier training row, as scikit-learn's brute force.
      let pos = filled < k ? filled++ : k - 1;
      while (pos > 0 && dist[pos - 1]! > d) { dist[pos] = dist[pos - 1]!; idx[pos] = idx[pos - 1]!; pos--; }
      dist[pos] = d;
      idx[pos] = t;
    }
    for (let j = 0; j < k; j++) dist[j] = Math.sqrt(dist[j]!);
    visit(i, idx, dist);
  }
}

function weightsOf(dist: Float64Array, mode: 'uniform' | 'distance'): Float64Array {
  const w = new Float64Array(dist.length).fill(1);
  if (mode === 'uniform') return w;
  if (dist.some((d) => d === 0)) return Float64Array.from(dist, (d) => (d === 0 ? 1 : 0));
  return Float64Array.from(dist, (d) => 1 / d);
}

function checkK(k: number, n: number): void {
  if (!(k >= 1 && k <= n)) throw new Error(`nNeighbors must be in [1, ${n}], got ${k}`);
}

/**
 * k-nearest-neighbour classifier: class shares among the neighbours.
 * @example new KNeighborsClassifier({ nNeighbors: 5 }).fit(X, y).predict(Xt);
 */
export class KNeighborsClassifier extends Classifier<KNeighborsParams, KNeighborsState & ClassifierState> {
  readonly kind = 'KNeighborsClassifier';
  constructor(params: Partial<KNeighborsParams> = {}) {
    super({ nNeighbors: 5, weights: 'uniform' }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    checkK(this.params.nNeighbors, M.rows);
    const yv = toVector(y, M.rows);
    const { classes, index } = encodeLabels(yv);
    // The training matrix is kept by reference, as scikit-learn's brute force keeps its array: fitting
    // stores data, and a copy of a 2,000 x 300 matrix cost more than scikit-learn's whole fit.
    return this.setState({ classes, X: M.data, y: new Float64Array(index), nFeatures: M.cols });
  }
  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const s = this.state;
    checkCols(M, s.nFeatures);
    const K = s.classes.length;
    const out = new Float64Array(M.rows * K);
    neighbors(s.X, s.nFeatures, M, this.params.nNeighbors, (i, idx, dist) => {
      const w = weightsOf(dist, this.params.weights);
      let total = 0;
      for (let j = 0; j < idx.length; j++) { out[i * K + s.y[idx[j]!]!] += w[j]!; total += w[j]!; }
      for (let c = 0; c < K; c++) out[i * K + c] /= total;
    });
    return { data: out, rows: M.rows, cols: K };
  }
  /** The stored training values. */
  parameterCount(): number {
    return this.state.X.length + this.state.y.length;
  }
}

/**
 * k-nearest-neighbour regressor: (weighted) mean of the neighbours' targets.
 * @example new KNeighborsRegressor({ nNeighbors: 5, weights: 'distance' }).fit(X, y).predict(Xt);
 */
export class KNeighborsRegressor extends Regressor<KNeighborsParams, KNeighborsState> {
  readonly kind = 'KNeighborsRegressor';
  constructor(params: Partial<KNeighborsParams> = {}) {
    super({ nNeighbors: 5, weights: 'uniform' }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    checkK(this.params.nNeighbors, M.rows);
    return this.setState({ X: M.data, y: toVector(y, M.rows).slice(), nFeatures: M.cols }); // X by reference, as above
  }
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X);
    const s = this.state;
    checkCols(M, s.nFeatures);
    const out = new Float64Array(M.rows);
    neighbors(s.X, s.nFeatures, M, this.params.nNeighbors, (i, idx, dist) => {
      const w = weightsOf(dist, this.params.weights);
      let num = 0;
      let den = 0;
      for (let j = 0; j < idx.length; j++) { num += w[j]! * s.y[idx[j]!]!; den += w[j]!; }
      out[i] = num / den;
    });
    return out;
  }
  parameterCount(): number {
    return this.state.X.length + this.state.y.length;
  }
}
