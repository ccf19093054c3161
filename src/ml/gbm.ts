// Gradient boosting (Friedman 2001) of histogram CART trees: squared error for regression, log loss (binary or softmax) with Newton leaf steps for classification.

import { Classifier, Regressor, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { binData, type Binned } from './binning.js';
import { applyTree, buildTree, type GrownTree, type TreeArrays } from './tree-builder.js';
import { growOptions, type MaxFeatures } from './tree.js';
import { binForHistShared } from './hist-bin-team.js';
import { SOFTMAX_GBM } from './hist-softmax.js';
import { HistGrower, type GrowResult, type HistGrowOptions, type HistLeaf } from './hist-tree.js';
import { wakeHistHelpers } from './hist-team.js';
import { expFast } from './fast-exp.js';
import { STAGE_RESIDUAL, STAGE_SQUARED, residualRows } from './hist-stage.js';
import { Rng } from '../tensor/random.js';
import { resolveJobs } from './forest-pool.js';

/** Parameters of the gradient boosting models (scikit-learn's defaults). */
export interface GradientBoostingParams {
  nEstimators: number;
  learningRate: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Fraction of rows drawn (without replacement) for each stage; < 1 is stochastic boosting. */
  subsample: number;
  maxFeatures: MaxFeatures;
  maxBins: number;
  seed: number;
  /**
   * Threads (-1: every core) growing an iteration's trees side by side, one per class, for more than
   * two classes; with one tree per iteration (regression, two classes) two threads grow each tree in
   * lockstep, each on its half of the features (src/ml/hist-best-first.ts). The model is the same for any value.
   */
  nJobs: number;
}

const DEFAULTS: GradientBoostingParams = {
  nEstimators: 100, learningRate: 0.1, maxDepth: 3, minSamplesSplit: 2, minSamplesLeaf: 1, subsample: 1, maxFeatures: null, maxBins: 256, seed: 0, nJobs: 1,
};

/** Learned state of a boosted ensemble: trees[stage * K + k] adds to raw score k. */
export interface BoostingState {
  init: Float64Array;
  trees: TreeArrays[];
  nFeatures: number;
}

/** Grows one stage's regression tree on `target` (the negative gradient) and returns it with its leaves. */
function stageTree(B: Binned, target: Float64Array, params: GradientBoostingParams, rng: Rng): GrownTree & { samples: Int32Array } {
  const samples = drawSamples(B.rows, params, rng);
  const opts = growOptions({ ...params, criterion: 'squared_error', maxDepth: params.maxDepth }, B.cols, 1, rng);
  return { ...buildTree(B, target, samples, opts), samples };
}

/** 0, 1, ..., n - 1 (a loop: Int32Array.from with a callback cost 20 ns a row, a tenth of a digits stage). */
function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** The rows of one stage: all of them, or a draw without replacement (stochastic boosting). */
function drawSamples(n: number, params: GradientBoostingParams, rng: Rng): Int32Array {
  if (params.subsample >= 1) return identity(n);
  const m = Math.max(1, Math.round(params.subsample * n));
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) { const j = i + rng.int(n - i); const t = perm[i]!; perm[i] = perm[j]!; perm[j] = t; }
  return perm.slice(0, m);
}

/**
 * Stages can grow on gradient histograms (src/ml/hist-tree.ts) when every feature is tried at every
 * node: the grower's gain Σ_L²/n_L + Σ_R²/n_R − Σ²/n is scikit-learn's friedman_mse improvement
 * n_L n_R / n (mean_L − mean_R)², and best-first growth to 2^maxDepth leaves within maxDepth gives the
 * depth-first tree. Bins come from the booster's binning (255 quantile bins).
 */
function histEligible(p: GradientBoostingParams): boolean {
  return p.maxFeatures === null && p.minSamplesSplit <= 2 * p.minSamplesLeaf && p.maxDepth <= 16;
}

/** The histogram grower's options for a stage: depth-first trees' leaf count, leaves as mean residuals. */
function histOptions(params: GradientBoostingParams): HistGrowOptions {
  return { maxLeafNodes: 2 ** params.maxDepth, maxDepth: params.maxDepth, minSamplesLeaf: params.minSamplesLeaf, l2: 0, learningRate: 1 };
}

/** A histogram tree as a CART tree's arrays. */
function histTreeArrays({ tree, nodeRows }: GrowResult): TreeArrays {
  return { feature: tree.feature, threshold: tree.threshold, left: tree.left, right: tree.right, value: tree.value, nOutputs: 1, nSamples: nodeRows };
}

/** A stage grown on histograms: g holds the gradient (prediction − target); leaves are mean residuals. */
function histStage(grower: HistGrower, g: Float64Array, params: GradientBoostingParams, rng: Rng, rows: Int32Array): { tree: TreeArrays; leaves: HistLeaf[]; m: number } {
  const drawn = drawSamples(rows.length, params, rng);
  rows.set(drawn);
  const grown = grower.grow(g, null, rows, drawn.length, histOptions(params));
  return { tree: histTreeArrays(grown), leaves: grown.leaves, m: drawn.length };
}

/**
 * Every stage on every row with one tree each (regression, two classes): the grower does each
 * stage's row work (src/ml/hist-stage.ts; by halves on a lockstep pair) from the targets y and the
 * starting score; for two-class log loss (STAGE_RESIDUAL) the leaves come with their Newton steps.
 */
function histStages(grower: HistGrower, kind: number, y: ArrayLike<number>, base: number, params: GradientBoostingParams): TreeArrays[] {
  grower.startStage(kind, y, base);
  const trees: TreeArrays[] = [];
  const lr = params.learningRate;
  for (let s = 0; s < params.nEstimators; s++) {
    const grown = grower.stageTree(histOptions(params));
    const tree = histTreeArrays(grown);
    grower.stageLeaves(grown.leaves, (leaf) => lr * tree.value[leaf.node]!);
    trees.push(tree);
  }
  return trees;
}

/** The histogram grower of a fit (its helper threads woken first, to be ready when binning is done). */
function newGrower(M: Matrix, params: GradientBoostingParams, treesPerCall: number): HistGrower {
  const threads = resolveJobs(params.nJobs);
  if (threads > 1) wakeHistHelpers(threads - 1);
  return new HistGrower(binForHistShared(M, Math.min(255, params.maxBins), new Set(), threads), threads, treesPerCall);
}

/** Newton step per leaf: Σ r / Σ p(1 - p) over its samples, scaled by (K - 1) / K for softmax. */
function newtonLeaves(tree: TreeArrays, leaves: readonly { node: number; start: number; end: number }[], samples: Int32Array, r: Float64Array, K: number): void {
  for (const { node, start, end } of leaves) {
    let num = 0;
    let den = 0;
    for (let t = start; t < end; t++) { const i = samples[t]!; const v = r[i]!; num += v; den += Math.abs(v) * (1 - Math.abs(v)); }
    const scale = K === 1 ? 1 : (K - 1) / K;
    tree.value[node] = den < 1e-150 ? 0 : (scale * num) / den;
  }
}

/** Adds lr * tree(x) to the raw scores F (column k of K) of every training row. */
function addStage(F: Float64Array, K: number, k: number, tree: TreeArrays, X: Matrix, lr: number): void {
  const leaf = applyTree(tree, X.data, X.rows, X.cols);
  for (let i = 0; i < X.rows; i++) F[i * K + k] += lr * tree.value[leaf[i]!]!;
}

/**
 * addStage for a stage grown on every row: each leaf's rows are contiguous in `rows`, so no tree walk
 * (a binned row goes where its value goes: x <= threshold exactly when its bin <= the split's bin).
 */
function addLeaves(F: Float64Array, K: number, k: number, tree: TreeArrays, leaves: readonly { node: number; start: number; end: number }[], rows: Int32Array, lr: number): void {
  for (const { node, start, end } of leaves) {
    const v = lr * tree.value[node]!;
    for (let t = start; t < end; t++) F[rows[t]! * K + k] += v;
  }
}

function rawScores(state: BoostingState, X: Matrix, lr: number): Matrix {
  const K = state.init.length;
  const F = new Float64Array(X.rows * K);
  for (let i = 0; i < X.rows; i++) for (let k = 0; k < K; k++) F[i * K + k] = state.init[k]!;
  state.trees.forEach((t, s) => addStage(F, K, s % K, t, X, lr));
  return { data: F, rows: X.rows, cols: K };
}

function checkParams(p: GradientBoostingParams): void {
  if (!(p.nEstimators >= 1)) throw new Error('nEstimators must be >= 1');
  if (!(p.learningRate > 0)) throw new Error('learningRate must be > 0');
  if (!(p.subsample > 0 && p.subsample <= 1)) throw new Error('subsample must be in (0, 1]');
}

/**
 * Gradient boosting for regression (squared error): each tree fits the residuals.
 * @example new GradientBoostingRegressor({ nEstimators: 100, maxDepth: 3 }).fit(X, y).predict(Xt);
 */
export class GradientBoostingRegressor extends Regressor<GradientBoostingParams, BoostingState> {
  readonly kind = 'GradientBoostingRegressor';
  constructor(params: Partial<GradientBoostingParams> = {}) {
    super(DEFAULTS, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    checkParams(this.params);
    const M = toMatrix(X);
    const yv = toVector(y, M.rows);
    const mean = yv.reduce((s, v) => s + v, 0) / M.rows;
    const hist = histEligible(this.params);
    const grower = hist ? newGrower(M, this.params, 1) : null;
    try {
      return this.setState({ init: Float64Array.of(mean), trees: this.stages(M, yv, mean, grower), nFeatures: M.cols });
    } finally {
      grower?.close();
    }
  }

  private stages(M: Matrix, yv: Float64Array, mean: number, grower: HistGrower | null): TreeArrays[] {
    const n = M.rows;
    const rng = new Rng(this.params.seed);
    const F = new Float64Array(n).fill(mean);
    const r = new Float64Array(n);
    const trees: TreeArrays[] = [];
    const B = grower ? null : binData(M, this.params.maxBins);
    const rows = new Int32Array(n);
    if (grower && this.params.subsample >= 1) return histStages(grower, STAGE_SQUARED, yv, mean, this.params);
    for (let s = 0; s < this.params.nEstimators; s++) {
      if (grower) {
        for (let i = 0; i < n; i++) r[i] = F[i]! - yv[i]!; // the gradient; leaves are −Σg/n = mean residual
        const { tree, leaves, m } = histStage(grower, r, this.params, rng, rows);
        if (m === n) addLeaves(F, 1, 0, tree, leaves, rows, this.params.learningRate);
        else addStage(F, 1, 0, tree, M, this.params.learningRate);
        trees.push(tree);
        continue;
      }
      for (let i = 0; i < n; i++) r[i] = yv[i]! - F[i]!;
      const { tree } = stageTree(B!, r, this.params, rng);
      addStage(F, 1, 0, tree, M, this.params.learningRate);
      trees.push(tree);
    }
    return trees;
  }
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    return rawScores(this.state, M, this.params.learningRate).data;
  }
  /** Total number of tree nodes. */
  parameterCount(): number {
    return this.state.trees.reduce((s, t) => s + t.feature.length, 0) + 1;
  }
}

/**
 * Gradient boosting for classification with log loss: one tree per stage for two classes, one per
 * class (softmax) for more; leaf values are one Newton step, as scikit-learn.
 * @example new GradientBoostingClassifier().fit(X, y).predictProba(Xt);
 */
export class GradientBoostingClassifier extends Classifier<GradientBoostingParams, BoostingState & ClassifierState> {
  readonly kind = 'GradientBoostingClassifier';
  constructor(params: Partial<GradientBoostingParams> = {}) {
    super(DEFAULTS, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    checkParams(this.params);
    const M = toMatrix(X);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    if (classes.length < 2) throw new Error('GradientBoostingClassifier needs at least two classes in y');
    const hist = histEligible(this.params);
    const K = classes.length === 2 ? 1 : classes.length;
    const grower = hist ? newGrower(M, this.params, K) : null;
    try {
      return this.setState({ classes, ...this.stages(M, index, classes.length, grower) });
    } finally {
      grower?.close();
    }
  }

  private stages(M: Matrix, index: Int32Array, nClasses: number, grower: HistGrower | null): BoostingState {
    const n = M.rows;
    const K = nClasses === 2 ? 1 : nClasses;
    const B = grower ? null : binData(M, this.params.maxBins);
    const rng = new Rng(this.params.seed);
    const prior = new Float64Array(nClasses);
    for (let i = 0; i < n; i++) prior[index[i]!]++;
    const init = new Float64Array(K);
    if (K === 1) init[0] = Math.log(prior[1]! / prior[0]!);
    else for (let k = 0; k < K; k++) init[k] = Math.log(Math.max(prior[k]!, 1e-300) / n);
    const F = new Float64Array(n * K);
    for (let i = 0; i < n; i++) F.set(init, i * K);
    const P = new Float64Array(n * K);
    const r = new Float64Array(n);
    const trees: TreeArrays[] = [];
    const lr = this.params.learningRate;
    // With helper threads, more than two classes and every row in every stage, a stage's rows and
    // classes are shared out too (HistGrower.softmaxStage): the same arithmetic, element for element.
    const shared = grower && K > 2 && this.params.subsample >= 1 ? grower.softmaxBuffers() : null;
    if (shared) {
      shared.y.set(index);
      shared.F.set(F);
      for (let s = 0; s < this.params.nEstimators; s++) {
        const grown = grower!.softmaxStage(K, lr, histOptions(this.params), SOFTMAX_GBM);
        for (let k = 0; k < K; k++) trees.push(histTreeArrays(grown[k]!));
      }
      return { init, trees, nFeatures: M.cols };
    }
    // The grower gives these trees' leaves their Newton steps (HistGrower.stageTree).
    if (grower && K === 1 && this.params.subsample >= 1) return { init, trees: histStages(grower, STAGE_RESIDUAL, index, init[0]!, this.params), nFeatures: M.cols };
    // Histogram stages: a stage's K trees (one per class) all grow from the same probabilities, so
    // they are grown together (side by side with threads), then given their Newton steps in order.
    const tasks = grower ? Array.from({ length: K }, () => ({ g: new Float64Array(n), h: null, rows: new Int32Array(n), m: n, r: new Float64Array(n) })) : [];
    let y01: Float64Array | undefined; // the classes as doubles, for residualRows
    for (let s = 0; s < this.params.nEstimators; s++) {
      if (grower) {
        // Two classes: the residuals in one pass (the loop shared with more classes, with Math.exp,
        // took 14 ns a row, a quarter of a credit fit on one thread).
        if (K === 1) residualRows(F, y01 ??= Float64Array.from(index), tasks[0]!.r, tasks[0]!.g, 0, n);
        else probabilities(F, P, n, K);
        for (let k = 0; k < K; k++) {
          const t = tasks[k]!;
          if (K > 1) for (let i = 0; i < n; i++) { const v = (index[i] === k ? 1 : 0) - P[i * K + k]!; t.r[i] = v; t.g[i] = -v; }
          const drawn = drawSamples(n, this.params, rng);
          t.rows.set(drawn);
          t.m = drawn.length;
        }
        const grown = grower.growMany(tasks, histOptions(this.params));
        for (let k = 0; k < K; k++) {
          const tree = histTreeArrays(grown[k]!);
          newtonLeaves(tree, grown[k]!.leaves, tasks[k]!.rows, tasks[k]!.r, K);
          if (tasks[k]!.m === n) addLeaves(F, K, k, tree, grown[k]!.leaves, tasks[k]!.rows, lr);
          else addStage(F, K, k, tree, M, lr);
          trees.push(tree);
        }
        continue;
      }
      probabilities(F, P, n, K);
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < n; i++) r[i] = (K === 1 ? index[i]! : index[i] === k ? 1 : 0) - P[i * K + k]!;
        const { tree, leaves, samples } = stageTree(B!, r, this.params, rng);
        newtonLeaves(tree, leaves, samples, r, K);
        addStage(F, K, k, tree, M, lr);
        trees.push(tree);
      }
    }
    return { init, trees, nFeatures: M.cols };
  }
  /** Raw scores (log-odds, or softmax logits), (n, K). */
  decisionFunction(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    return rawScores(this.state, M, this.params.learningRate);
  }
  predictProba(X: MatrixLike): Matrix {
    const F = this.decisionFunction(X);
    const K = F.cols;
    const n = F.rows;
    if (K === 1) {
      const out = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) { const p = 1 / (1 + Math.exp(-F.data[i]!)); out[2 * i] = 1 - p; out[2 * i + 1] = p; }
      return { data: out, rows: n, cols: 2 };
    }
    const P = new Float64Array(n * K);
    probabilities(F.data, P, n, K);
    return { data: P, rows: n, cols: K };
  }
  parameterCount(): number {
    return this.state.trees.reduce((s, t) => s + t.feature.length, 0) + this.state.init.length;
  }
}

/** P = σ(F), with expFast (src/ml/fast-exp.ts) in a function of its own, so that it inlines into the loop. */
function sigmoids(F: Float64Array, P: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) P[i] = 1 / (1 + expFast(-F[i]!));
}

function probabilities(F: Float64Array, P: Float64Array, n: number, K: number): void {
  if (K === 1) {
    sigmoids(F, P, n);
    return;
  }
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, F[i * K + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) { const e = Math.exp(F[i * K + k]! - mx); P[i * K + k] = e; s += e; }
    for (let k = 0; k < K; k++) P[i * K + k] /= s;
  }
}
