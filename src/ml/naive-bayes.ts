// Naive Bayes classifiers: GaussianNB (per-class normal features) and MultinomialNB (counts, Laplace/Lidstone smoothing).

import { Classifier, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';

/** Parameters of {@link GaussianNB}. */
export interface GaussianNBParams {
  /** Added to every variance: varSmoothing times the largest feature variance (numerical stability). */
  varSmoothing: number;
}

/** Learned state of {@link GaussianNB}. */
export interface GaussianNBState extends ClassifierState {
  /** (K, p) per-class means and variances. */
  theta: Float64Array;
  variance: Float64Array;
  classPrior: Float64Array;
  nFeatures: number;
}

/** Normalises log joint likelihoods (n, K) into probabilities in place. */
function logJointToProba(J: Float64Array, n: number, K: number): Matrix {
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, J[i * K + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) { const e = Math.exp(J[i * K + k]! - mx); J[i * K + k] = e; s += e; }
    for (let k = 0; k < K; k++) J[i * K + k] /= s;
  }
  return { data: J, rows: n, cols: K };
}

/**
 * Gaussian naive Bayes.
 * @example new GaussianNB().fit(X, y).predictProba(Xt);
 */
export class GaussianNB extends Classifier<GaussianNBParams, GaussianNBState> {
  readonly kind = 'GaussianNB';
  constructor(params: Partial<GaussianNBParams> = {}) {
    super({ varSmoothing: 1e-9 }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    const { rows: n, cols: p, data } = M;
    const K = classes.length;
    const theta = new Float64Array(K * p);
    const variance = new Float64Array(K * p);
    const count = new Float64Array(K);
    // Two passes over the rows, in memory order: sums, then squared deviations from the class means
    // and from the overall means (for epsilon) together.
    for (let i = 0; i < n; i++) { const c = index[i]!; count[c]++; const o = c * p; const r = i * p; for (let j = 0; j < p; j++) theta[o + j] += data[r + j]!; }
    const mean = new Float64Array(p);
    for (let c = 0; c < K; c++) for (let j = 0; j < p; j++) mean[j] += theta[c * p + j]!;
    for (let j = 0; j < p; j++) mean[j] /= n;
    for (let c = 0; c < K; c++) for (let j = 0; j < p; j++) theta[c * p + j] /= count[c]!;
    const total = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const o = index[i]! * p;
      const r = i * p;
      for (let j = 0; j < p; j++) {
        const x = data[r + j]!;
        const d = x - theta[o + j]!;
        const e = x - mean[j]!;
        variance[o + j] += d * d;
        total[j] += e * e;
      }
    }
    // epsilon = varSmoothing * the largest variance of any feature over all data.
    let maxVar = 0;
    for (let j = 0; j < p; j++) maxVar = Math.max(maxVar, total[j]! / n);
    const eps = this.params.varSmoothing * maxVar;
    for (let c = 0; c < K; c++) for (let j = 0; j < p; j++) variance[c * p + j] = variance[c * p + j]! / count[c]! + eps;
    const classPrior = Float64Array.from(count, (c) => c / n);
    return this.setState({ classes, theta, variance, classPrior, nFeatures: p });
  }
  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { theta, variance, classPrior, nFeatures: p } = this.state;
    checkCols(M, p);
    const K = classPrior.length;
    const J = new Float64Array(M.rows * K);
    for (let i = 0; i < M.rows; i++) {
      for (let c = 0; c < K; c++) {
        let s = Math.log(classPrior[c]!);
        for (let j = 0; j < p; j++) {
          const v = variance[c * p + j]!;
          const d = M.data[i * p + j]! - theta[c * p + j]!;
          s -= 0.5 * Math.log(2 * Math.PI * v) + (d * d) / (2 * v);
        }
        J[i * K + c] = s;
      }
    }
    return logJointToProba(J, M.rows, K);
  }
  parameterCount(): number {
    return this.state.theta.length * 2 + this.state.classPrior.length;
  }
}

/** Parameters of {@link MultinomialNB}. */
export interface MultinomialNBParams {
  /** Additive smoothing (1: Laplace). */
  alpha: number;
  /** Learn class priors (false: uniform). */
  fitPrior: boolean;
}

/** Learned state of {@link MultinomialNB}. */
export interface MultinomialNBState extends ClassifierState {
  /** (K, p) log P(feature | class). */
  featureLogProb: Float64Array;
  classLogPrior: Float64Array;
  nFeatures: number;
}

/**
 * Multinomial naive Bayes for counts (bag-of-words, tf-idf).
 * @example new MultinomialNB({ alpha: 1 }).fit(new CountVectorizer().fitTransform(docs), y);
 */
export class MultinomialNB extends Classifier<MultinomialNBParams, MultinomialNBState> {
  readonly kind = 'MultinomialNB';
  constructor(params: Partial<MultinomialNBParams> = {}) {
    super({ alpha: 1, fitPrior: true }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const { rows: n, cols: p, data } = M;
    for (let k = 0; k < data.length; k++) if (data[k]! < 0) throw new Error('MultinomialNB needs non-negative features (counts)');
    const { classes, index } = encodeLabels(toVector(y, n));
    const K = classes.length;
    const fc = new Float64Array(K * p);
    const count = new Float64Array(K);
    for (let i = 0; i < n; i++) { const c = index[i]!; count[c]++; for (let j = 0; j < p; j++) fc[c * p + j] += data[i * p + j]!; }
    const featureLogProb = new Float64Array(K * p);
    for (let c = 0; c < K; c++) {
      let total = 0;
      for (let j = 0; j < p; j++) total += fc[c * p + j]! + this.params.alpha;
      for (let j = 0; j < p; j++) featureLogProb[c * p + j] = Math.log(fc[c * p + j]! + this.params.alpha) - Math.log(total);
    }
    const classLogPrior = Float64Array.from(count, (c) => (this.params.fitPrior ? Math.log(c / n) : -Math.log(K)));
    return this.setState({ classes, featureLogProb, classLogPrior, nFeatures: p });
  }
  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { featureLogProb, classLogPrior, nFeatures: p } = this.state;
    checkCols(M, p);
    const K = classLogPrior.length;
    const J = new Float64Array(M.rows * K);
    for (let i = 0; i < M.rows; i++) {
      for (let c = 0; c < K; c++) {
        let s = classLogPrior[c]!;
        for (let j = 0; j < p; j++) { const x = M.data[i * p + j]!; if (x !== 0) s += x * featureLogProb[c * p + j]!; }
        J[i * K + c] = s;
      }
    }
    return logJointToProba(J, M.rows, K);
  }
  parameterCount(): number {
    return this.state.featureLogProb.length + this.state.classLogPrior.length;
  }
}
