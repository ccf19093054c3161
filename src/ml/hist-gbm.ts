// Histogram gradient boosting (scikit-learn's HistGradientBoostingRegressor / Classifier, LightGBM's
// method): features binned once into uint8 codes, best-first trees grown on gradient and hessian
// histograms (src/ml/hist-tree.ts), missing values routed the way that gains most, categorical
// splits, early stopping on a held-out part.

import { Classifier, Regressor, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, takeRows, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { binForHistShared } from './hist-bin-team.js';
import { HistGrower, addTree, type HistTree } from './hist-tree.js';
import { wakeHistHelpers } from './hist-team.js';
import { expFast } from './fast-exp.js';
import { SOFTMAX_HGB } from './hist-softmax.js';
import { STAGE_LOGISTIC, STAGE_SQUARED } from './hist-stage.js';
import { Rng } from '../tensor/random.js';
import { resolveJobs } from './forest-pool.js';

/** Parameters of the histogram gradient boosters (scikit-learn's names and defaults). */
export interface HistGradientBoostingParams {
  learningRate: number;
  /** Boosting iterations (one tree each, one per class for more than two classes). */
  maxIter: number;
  maxLeafNodes: number;
  /** null: depth limited only by maxLeafNodes. */
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2Regularization: number;
  /** Bins for non-missing values, at most 255 (one more bin holds missing values). */
  maxBins: number;
  /** Columns holding category codes (integers in [0, maxBins)); split by sets of categories. */
  categoricalFeatures: number[] | null;
  /** 'auto': on when there are more than 10,000 rows. */
  earlyStopping: boolean | 'auto';
  validationFraction: number;
  nIterNoChange: number;
  /** An iteration must lower the validation loss by more than tol to count as progress. */
  tol: number;
  seed: number;
  /**
   * Threads (-1: every core) growing an iteration's trees side by side, one per class, for more than
   * two classes; with one tree per iteration (regression, two classes) two threads grow each tree in
   * lockstep, each on its half of the features (src/ml/hist-best-first.ts). The model is the same for any value.
   */
  nJobs: number;
}

const DEFAULTS: HistGradientBoostingParams = {
  learningRate: 0.1, maxIter: 100, maxLeafNodes: 31, maxDepth: null, minSamplesLeaf: 20, l2Regularization: 0, maxBins: 255,
  categoricalFeatures: null, earlyStopping: 'auto', validationFraction: 0.1, nIterNoChange: 10, tol: 1e-7, seed: 0, nJobs: 1,
};

/** Learned state: raw score = baseline + Σ trees; trees[iteration * K + k] adds to score k. */
export interface HistBoostingState {
  baseline: Float64Array;
  trees: HistTree[];
  nIter: number;
  nFeatures: number;
  /** Validation loss after each iteration (empty without early stopping). */
  validationLoss: number[];
}

/** The loss being boosted over its own rows: squared error, binary or multinomial log loss (K scores). */
interface Loss {
  K: number;
  baseline: Float64Array;
  /**
   * One score (K = 1): the grower's per-row stage work (src/ml/hist-stage.ts), its kind and the rows'
   * targets; more (K > 2): gradients and hessians (null: all 1) of every row for score k, from raw
   * scores F (rows, K).
   */
  stage?: { kind: number; y: ArrayLike<number> };
  gradients?(F: Float64Array, k: number, g: Float64Array, h: Float64Array | null): void;
  /** Mean loss of raw scores F (rows, K). */
  value(F: Float64Array): number;
  constantHessian: boolean;
  /** The multinomial loss (K > 2): each row's class, for softmax stages on helper threads (src/ml/hist-softmax.ts). */
  softmaxLabels?: Int32Array;
}

function squaredLoss(y: Float64Array): Loss {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  return {
    K: 1, baseline: Float64Array.of(mean), constantHessian: true, stage: { kind: STAGE_SQUARED, y },
    value(F) { let s = 0; for (let i = 0; i < y.length; i++) s += (F[i]! - y[i]!) ** 2; return s / (2 * y.length); },
  };
}

function logLoss(y: Int32Array, nClasses: number): Loss {
  const n = y.length;
  const prior = new Float64Array(nClasses);
  for (let i = 0; i < n; i++) prior[y[i]!]++;
  const eps = 1e-15;
  if (nClasses === 2) {
    const p = Math.min(Math.max(prior[1]! / n, eps), 1 - eps);
    return {
      K: 1, baseline: Float64Array.of(Math.log(p / (1 - p))), constantHessian: false, stage: { kind: STAGE_LOGISTIC, y },
      value(F) {
        let s = 0;
        for (let i = 0; i < n; i++) { const z = F[i]!; s += Math.max(z, 0) - (y[i] === 1 ? z : 0) + Math.log1p(expFast(-Math.abs(z))); }
        return s / n;
      },
    };
  }
  const K = nClasses;
  const P = new Float64Array(n * K);
  return {
    K, baseline: Float64Array.from(prior, (c) => Math.log(Math.max(c / n, eps))), constantHessian: false, softmaxLabels: y,
    gradients(F, k, g, h) {
      // Every class's tree of an iteration sees the same probabilities: computed once, at k = 0.
      if (k === 0) {
        for (let i = 0; i < n; i++) {
          const o = i * K;
          let mx = -Infinity;
          for (let c = 0; c < K; c++) mx = Math.max(mx, F[o + c]!);
          let s = 0;
          for (let c = 0; c < K; c++) { const e = expFast(F[o + c]! - mx); P[o + c] = e; s += e; }
          for (let c = 0; c < K; c++) P[o + c] = P[o + c]! / s;
        }
      }
      for (let i = 0; i < n; i++) { const q = P[i * K + k]!; g[i] = q - (y[i] === k ? 1 : 0); h![i] = q * (1 - q); }
    },
    value(F) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const o = i * K;
        let mx = -Infinity;
        for (let c = 0; c < K; c++) mx = Math.max(mx, F[o + c]!);
        let z = 0;
        for (let c = 0; c < K; c++) z += expFast(F[o + c]! - mx);
        s += mx + Math.log(z) - F[o + y[i]!]!;
      }
      return s / n;
    },
  };
}

function checkParams(p: HistGradientBoostingParams): void {
  if (!(p.maxIter >= 1)) throw new Error(`maxIter must be >= 1, got ${p.maxIter}`);
  if (!(p.learningRate > 0)) throw new Error(`learningRate must be > 0, got ${p.learningRate}`);
  if (!(p.maxLeafNodes >= 2)) throw new Error(`maxLeafNodes must be >= 2, got ${p.maxLeafNodes}`);
  if (!(p.minSamplesLeaf >= 1)) throw new Error(`minSamplesLeaf must be >= 1, got ${p.minSamplesLeaf}`);
  if (!(p.l2Regularization >= 0)) throw new Error(`l2Regularization must be >= 0, got ${p.l2Regularization}`);
  if (!(p.validationFraction > 0 && p.validationFraction < 1)) throw new Error(`validationFraction must be in (0, 1), got ${p.validationFraction}`);
}

/**
 * The boosting loop shared by both estimators; makeLoss builds the loss over the given rows' targets
 * (the training rows, and with early stopping the held-out ones).
 */
function boost(p: HistGradientBoostingParams, X: Matrix, makeLoss: (rows: Int32Array) => Loss): HistBoostingState {
  checkParams(p);
  const n = X.rows;
  const early = p.earlyStopping === 'auto' ? n > 10000 : p.earlyStopping;
  let train = Int32Array.from({ length: n }, (_, i) => i);
  let val: Int32Array | null = null;
  if (early) {
    const perm = new Rng(p.seed).permutation(n);
    const nVal = Math.max(1, Math.floor(p.validationFraction * n));
    if (n - nVal < 2) throw new Error('earlyStopping needs more rows than the validation part');
    val = perm.slice(0, nVal).sort();
    train = perm.slice(nVal).sort();
  }
  const loss = makeLoss(train);
  const threads = resolveJobs(p.nJobs);
  if (threads > 1) wakeHistHelpers(threads - 1); // while this thread bins
  const Xt = val ? takeRows(X, train) : X;
  const B = binForHistShared(Xt, p.maxBins, new Set(p.categoricalFeatures ?? []), threads);
  // One tree per class and iteration: with threads, whole trees grow side by side (one tree per
  // iteration: both threads on each tree, src/ml/hist-best-first.ts).
  const grower = new HistGrower(B, threads, loss.K);
  try {
    return boostOn(p, X, Xt, grower, loss, makeLoss, val);
  } finally {
    grower.close();
  }
}

/** The boosting iterations on the training rows Xt (of X) with their grower. */
function boostOn(p: HistGradientBoostingParams, X: Matrix, Xt: Matrix, grower: HistGrower, loss: Loss, makeLoss: (rows: Int32Array) => Loss, val: Int32Array | null): HistBoostingState {
  const K = loss.K;
  const nt = Xt.rows;
  // One score: the grower keeps the scores and does each iteration's row work (src/ml/hist-stage.ts),
  // by halves on a pair; more: the raw scores of the training rows are kept here.
  const stage = loss.stage ?? null;
  if (stage) grower.startStage(stage.kind, stage.y, loss.baseline[0]!);
  const F = new Float64Array(stage ? 0 : nt * K);
  if (!stage) for (let i = 0; i < nt; i++) F.set(loss.baseline, i * K);
  const valLoss = val ? makeLoss(val) : null;
  const Xv = val ? takeRows(X, val) : null;
  const Fv = Xv ? new Float64Array(Xv.rows * K) : null;
  if (Fv) for (let i = 0; i < Xv!.rows; i++) Fv.set(loss.baseline, i * K);
  // Per class: gradients, hessians and the rows each tree permutes. Every class's gradients of an
  // iteration come from the scores before it, so all K trees can grow before any is added.
  const tasks = Array.from({ length: stage ? 0 : K }, () => ({
    g: new Float64Array(nt), h: loss.constantHessian ? null : new Float64Array(nt), rows: new Int32Array(nt), m: nt,
  }));
  const trees: HistTree[] = [];
  const validationLoss: number[] = [];
  const opts = { maxLeafNodes: p.maxLeafNodes, maxDepth: p.maxDepth ?? Infinity, minSamplesLeaf: p.minSamplesLeaf, l2: p.l2Regularization, learningRate: p.learningRate };
  // With helper threads and more than two classes, a stage's rows and classes are shared out too
  // (HistGrower.softmaxStage): the same arithmetic, element for element, on the shared scores.
  const shared = loss.softmaxLabels ? grower.softmaxBuffers() : null;
  if (shared) { shared.y.set(loss.softmaxLabels!); shared.F.set(F); }
  let it = 0;
  while (it < p.maxIter) {
    if (shared) for (const { tree } of grower.softmaxStage(K, p.learningRate, opts, SOFTMAX_HGB)) trees.push(tree);
    else if (stage) {
      const { tree, leaves } = grower.stageTree(opts);
      grower.stageLeaves(leaves, (leaf) => leaf.value);
      trees.push(tree);
    } else growStage();
    it++;
    if (Xv && Fv && valLoss) {
      for (let k = 0; k < K; k++) addTree(trees[(it - 1) * K + k]!, Xv.data, Xv.rows, Xv.cols, Fv, K, k);
      validationLoss.push(valLoss.value(Fv));
      if (shouldStop(validationLoss, p.nIterNoChange, p.tol)) break;
    }
  }
  return { baseline: loss.baseline, trees, nIter: it, nFeatures: X.cols, validationLoss };

  function growStage(): void {
    for (let k = 0; k < K; k++) {
      const t = tasks[k]!;
      loss.gradients!(F, k, t.g, t.h);
      for (let i = 0; i < nt; i++) t.rows[i] = i;
    }
    const grown = grower.growMany(tasks, opts);
    for (let k = 0; k < K; k++) {
      const { tree, leaves } = grown[k]!;
      const rows = tasks[k]!.rows;
      // Each leaf's rows are contiguous in `rows`: the training scores need no tree walk.
      for (const leaf of leaves) for (let t = leaf.start; t < leaf.end; t++) F[rows[t]! * K + k] += leaf.value;
      trees.push(tree);
    }
  }
}

/** scikit-learn's rule: stop when none of the last nIterNoChange losses beats the one before them by tol. */
function shouldStop(losses: number[], nIterNoChange: number, tol: number): boolean {
  if (losses.length <= nIterNoChange) return false;
  const ref = losses[losses.length - nIterNoChange - 1]!;
  for (let k = losses.length - nIterNoChange; k < losses.length; k++) if (losses[k]! < ref - tol) return false;
  return true;
}

function rawScores(s: HistBoostingState, X: Matrix): Float64Array {
  const K = s.baseline.length;
  const F = new Float64Array(X.rows * K);
  for (let i = 0; i < X.rows; i++) F.set(s.baseline, i * K);
  s.trees.forEach((t, q) => addTree(t, X.data, X.rows, X.cols, F, K, q % K));
  return F;
}

function countNodes(s: HistBoostingState): number {
  return s.trees.reduce((a, t) => a + t.feature.length, 0) + s.baseline.length;
}

/**
 * Histogram gradient boosting for regression (squared error); missing values (NaN) allowed.
 * @example new HistGradientBoostingRegressor({ maxIter: 200 }).fit(X, y).predict(Xt);
 */
export class HistGradientBoostingRegressor extends Regressor<HistGradientBoostingParams, HistBoostingState> {
  readonly kind = 'HistGradientBoostingRegressor';
  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(DEFAULTS, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X, { allowNaN: true });
    const yv = toVector(y, M.rows);
    return this.setState(boost(this.params, M, (rows) => squaredLoss(Float64Array.from(rows, (i) => yv[i]!))));
  }
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X, { allowNaN: true });
    checkCols(M, this.state.nFeatures);
    return rawScores(this.state, M);
  }
  /** Tree nodes plus the baseline. */
  parameterCount(): number {
    return countNodes(this.state);
  }
}

/**
 * Histogram gradient boosting for classification (log loss; one tree per class and iteration for
 * more than two classes); missing values (NaN) allowed.
 * @example new HistGradientBoostingClassifier().fit(X, y).predictProba(Xt);
 */
export class HistGradientBoostingClassifier extends Classifier<HistGradientBoostingParams, HistBoostingState & ClassifierState> {
  readonly kind = 'HistGradientBoostingClassifier';
  constructor(params: Partial<HistGradientBoostingParams> = {}) {
    super(DEFAULTS, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X, { allowNaN: true });
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    if (classes.length < 2) throw new Error('HistGradientBoostingClassifier needs at least two classes in y');
    return this.setState({ classes, ...boost(this.params, M, (rows) => logLoss(Int32Array.from(rows, (i) => index[i]!), classes.length)) });
  }
  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X, { allowNaN: true });
    checkCols(M, this.state.nFeatures);
    const F = rawScores(this.state, M);
    const K = this.state.baseline.length;
    const n = M.rows;
    if (K === 1) {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) { const q = 1 / (1 + Math.exp(-F[i]!)); out[2 * i] = 1 - q; out[2 * i + 1] = q; }
      return { data: out, rows: n, cols: 2 };
    }
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, F[o + k]!);
      let s = 0;
      for (let k = 0; k < K; k++) { F[o + k] = Math.exp(F[o + k]! - mx); s += F[o + k]!; }
      for (let k = 0; k < K; k++) F[o + k] = F[o + k]! / s;
    }
    return { data: F, rows: n, cols: K };
  }
  parameterCount(): number {
    return countNodes(this.state);
  }
}
