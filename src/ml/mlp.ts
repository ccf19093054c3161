// Multi-layer perceptrons (scikit-learn's MLPClassifier / MLPRegressor): dense float64 networks with GEMM forward and backward passes, Adam.

import { Classifier, Regressor, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { expFast } from './fast-exp.js';
import type { DenseNet, MLPActivation } from './mlp-net.js';
import { initNet, predictDense, trainDense, type DenseTargets, type DenseTrainOptions } from './mlp-train.js';
import { kernelArray } from './gemm.js';
import { Rng } from '../tensor/random.js';

export type { MLPActivation } from './mlp-net.js';

/** Parameters shared by {@link MLPClassifier} and {@link MLPRegressor} (scikit-learn's names and defaults). */
export interface MLPParams extends DenseTrainOptions {
  /** Width of each hidden layer, input to output. */
  hiddenLayerSizes: readonly number[];
  activation: MLPActivation;
  seed: number;
}

/** Parameters of {@link MLPRegressor}. */
export interface MLPRegressorParams extends MLPParams {
  /** Standardize targets before training (one learning rate then fits prices and fractions alike). */
  standardizeTarget: boolean;
}

/** One Linear layer's learned values: weight (out, in) and bias (out), row-major. */
export interface DenseState {
  weight: Float32Array;
  bias: Float32Array;
}

/** Learned state common to both MLPs. */
export interface MLPNetState {
  /** Layer widths from input to output. */
  sizes: number[];
  layers: DenseState[];
  nIter: number;
  lossCurve: number[];
  bestValidationScore: number | null;
}

/** Learned state of {@link MLPClassifier}. */
export type MLPClassifierState = ClassifierState & MLPNetState;

/** Learned state of {@link MLPRegressor}: the target's mean and scale undo the standardization. */
export interface MLPRegressorState extends MLPNetState {
  yMean: number;
  yScale: number;
}

const DEFAULTS: MLPParams = {
  hiddenLayerSizes: [100], activation: 'relu', alpha: 1e-4, learningRateInit: 1e-3, maxIter: 200, batchSize: 200,
  tol: 1e-4, nIterNoChange: 10, earlyStopping: false, validationFraction: 0.1, seed: 0,
};

function checkParams(p: MLPParams): number[] {
  const sizes = Array.from(p.hiddenLayerSizes);
  if (sizes.some((h) => !Number.isInteger(h) || h < 1)) throw new Error(`hiddenLayerSizes must be positive integers, got [${sizes.join(', ')}]`);
  if (!(p.learningRateInit > 0)) throw new Error(`learningRateInit must be > 0, got ${p.learningRateInit}`);
  if (!(p.maxIter >= 1)) throw new Error(`maxIter must be >= 1, got ${p.maxIter}`);
  if (!(p.batchSize >= 1)) throw new Error(`batchSize must be >= 1, got ${p.batchSize}`);
  if (!(p.alpha >= 0)) throw new Error(`alpha must be >= 0, got ${p.alpha}`);
  return sizes;
}

function fitNet(p: MLPParams, X: Matrix, targets: DenseTargets, outCols: number): MLPNetState {
  const hidden = checkParams(p);
  const sizes = [X.cols, ...hidden, outCols];
  const rng = new Rng(p.seed);
  const net = initNet(sizes, p.activation, rng);
  const report = trainDense(net, p.activation, X.data, X.rows, targets, p, rng);
  // Saved as (out, in) float32 weights, the layout of a Linear layer's checkpoint.
  const layers: DenseState[] = net.W.map((w, l) => {
    const nin = sizes[l]!;
    const nout = sizes[l + 1]!;
    const weight = new Float32Array(nin * nout);
    for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) weight[j * nin + i] = w[i * nout + j]!;
    return { weight, bias: Float32Array.from(net.b[l]!) };
  });
  return { sizes, layers, nIter: report.nIter, lossCurve: report.lossCurve, bestValidationScore: report.bestValidationScore };
}

/** The network of a saved state, cached per state object (rebuilt after fit or loadModel). */
const nets = new WeakMap<MLPNetState, DenseNet>();
function netOf(s: MLPNetState): DenseNet {
  let net = nets.get(s);
  if (!net) {
    const W = s.layers.map((l, k) => {
      const nin = s.sizes[k]!;
      const nout = s.sizes[k + 1]!;
      const w = kernelArray(nin * nout);
      for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) w[i * nout + j] = l.weight[j * nin + i]!;
      return w;
    });
    const b = s.layers.map((l) => { const v = kernelArray(l.bias.length); v.set(l.bias); return v; });
    net = { sizes: s.sizes, W, b };
    nets.set(s, net);
  }
  return net;
}

function forward(s: MLPNetState, activation: MLPActivation, X: MatrixLike): Float64Array {
  const M = toMatrix(X);
  checkCols(M, s.sizes[0]!);
  return predictDense(netOf(s), activation, M.data, M.rows);
}

/** Row-wise softmax in place over (rows, K) logits. */
function softmaxRows(Z: Float64Array, K: number): Float64Array {
  for (let o = 0; o < Z.length; o += K) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, Z[o + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) { Z[o + k] = expFast(Z[o + k]! - mx); s += Z[o + k]!; }
    for (let k = 0; k < K; k++) Z[o + k] = Z[o + k]! / s;
  }
  return Z;
}

function countParams(s: MLPNetState): number {
  return s.layers.reduce((n, l) => n + l.weight.length + l.bias.length, 0);
}

/**
 * A feed-forward classifier: softmax over the classes, cross-entropy loss, Adam, L2 `alpha`.
 * @example new MLPClassifier({ hiddenLayerSizes: [64], maxIter: 50, seed: 0 }).fit(X, y).score(Xtest, yTest);
 */
export class MLPClassifier extends Classifier<MLPParams, MLPClassifierState> {
  readonly kind = 'MLPClassifier';
  constructor(params: Partial<MLPParams> = {}) {
    super(DEFAULTS, params);
  }

  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    if (classes.length < 2) throw new Error('MLPClassifier needs at least two classes in y');
    const net = fitNet(this.params, M, { kind: 'classes', y: index }, classes.length);
    return this.setState({ classes, ...net });
  }

  predictProba(X: MatrixLike): Matrix {
    const K = this.state.classes.length;
    const Z = forward(this.state, this.params.activation, X);
    return { data: softmaxRows(Z, K), rows: Z.length / K, cols: K };
  }

  parameterCount(): number {
    return countParams(this.state);
  }
}

/**
 * A feed-forward regressor: identity output, squared loss, Adam, L2 `alpha`.
 * @example new MLPRegressor({ hiddenLayerSizes: [32], learningRateInit: 0.01 }).fit(X, y).predict(X);
 */
export class MLPRegressor extends Regressor<MLPRegressorParams, MLPRegressorState> {
  readonly kind = 'MLPRegressor';
  constructor(params: Partial<MLPRegressorParams> = {}) {
    super({ ...DEFAULTS, standardizeTarget: true }, params);
  }

  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const v = toVector(y, M.rows);
    let yMean = 0;
    let yScale = 1;
    if (this.params.standardizeTarget) {
      for (const t of v) yMean += t;
      yMean /= v.length;
      let ss = 0;
      for (const t of v) ss += (t - yMean) ** 2;
      yScale = Math.sqrt(ss / v.length) || 1;
    }
    const yt = Float64Array.from(v, (t) => (t - yMean) / yScale);
    const net = fitNet(this.params, M, { kind: 'values', y: yt }, 1);
    return this.setState({ ...net, yMean, yScale });
  }

  predict(X: MatrixLike): Float64Array {
    const { yMean, yScale } = this.state;
    const out = forward(this.state, this.params.activation, X);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * yScale + yMean;
    return out;
  }

  parameterCount(): number {
    return countParams(this.state);
  }
}
