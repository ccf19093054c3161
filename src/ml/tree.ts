// Decision trees (CART, Breiman et al. 1984): DecisionTreeClassifier (gini, entropy) and DecisionTreeRegressor (squared error).

import { Classifier, Regressor, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { binData } from './binning.js';
import { applyTree, buildTree, type Criterion, type TreeArrays } from './tree-builder.js';
import { Rng } from '../tensor/random.js';

/** How many features each split considers: all (null), 'sqrt', 'log2', a count (>= 1) or a fraction (< 1). */
export type MaxFeatures = number | 'sqrt' | 'log2' | null;

/** Parameters shared by the trees. */
export interface TreeParams {
  criterion: Criterion;
  /** null: grow until leaves are pure or too small. */
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxFeatures: MaxFeatures;
  /**
   * Features are binned into at most maxBins (<= 65536) values; splits are exact (as CART) when a
   * feature has no more distinct values. Single trees default to exact (65536), ensembles to 256 bins
   * (histogram trees, as LightGBM: faster, and the ensemble averages the coarser thresholds out).
   */
  maxBins: number;
  seed: number;
}

/**
 * The number of features a split considers.
 * @example resolveMaxFeatures('sqrt', 64); // 8
 */
export function resolveMaxFeatures(mf: MaxFeatures, p: number): number {
  if (mf === null) return p;
  if (mf === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(p)));
  if (mf === 'log2') return Math.max(1, Math.floor(Math.log2(p)));
  if (!(mf > 0)) throw new Error(`maxFeatures must be > 0, got ${mf}`);
  return mf < 1 ? Math.max(1, Math.floor(mf * p)) : Math.min(p, Math.floor(mf));
}

/** Options for growing one tree from already binned data (used by forests and boosting). */
export function growOptions(params: TreeParams, p: number, nClasses: number, rng: Rng) {
  if (params.minSamplesSplit < 2) throw new Error('minSamplesSplit must be >= 2');
  if (params.minSamplesLeaf < 1) throw new Error('minSamplesLeaf must be >= 1');
  return {
    criterion: params.criterion,
    nClasses,
    maxDepth: params.maxDepth ?? Infinity,
    minSamplesSplit: params.minSamplesSplit,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: resolveMaxFeatures(params.maxFeatures, p),
    rng,
  };
}

/**
 * Average of the leaf values of several trees for each row of X, (n, nOutputs).
 * @example predictTrees([tree], X); // one row per sample
 */
export function predictTrees(trees: readonly TreeArrays[], X: Matrix): Matrix {
  const K = trees[0]!.nOutputs;
  const out = new Float64Array(X.rows * K);
  for (const t of trees) {
    const leaf = applyTree(t, X.data, X.rows, X.cols);
    for (let i = 0; i < X.rows; i++) for (let k = 0; k < K; k++) out[i * K + k] += t.value[leaf[i]! * K + k]!;
  }
  if (trees.length > 1) for (let i = 0; i < out.length; i++) out[i] /= trees.length;
  return { data: out, rows: X.rows, cols: K };
}

function normalise(v: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
  return v;
}

/** Learned state of a decision tree classifier. */
export interface TreeClassifierState extends ClassifierState {
  tree: TreeArrays;
  featureImportances: Float64Array;
  nFeatures: number;
}

/**
 * A CART classification tree.
 * @example new DecisionTreeClassifier({ maxDepth: 3 }).fit(X, y).predict(X);
 */
export class DecisionTreeClassifier extends Classifier<TreeParams, TreeClassifierState> {
  readonly kind = 'DecisionTreeClassifier';
  constructor(params: Partial<TreeParams> = {}) {
    super({ criterion: 'gini', maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: null, maxBins: 65536, seed: 0 }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    if (this.params.criterion === 'squared_error') throw new Error('DecisionTreeClassifier: criterion must be gini or entropy');
    const M = toMatrix(X);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    const B = binData(M, this.params.maxBins);
    const samples = Int32Array.from({ length: M.rows }, (_, i) => i);
    const grown = buildTree(B, index, samples, growOptions(this.params, M.cols, classes.length, new Rng(this.params.seed)));
    return this.setState({ classes, tree: grown.tree, featureImportances: normalise(grown.importances), nFeatures: M.cols });
  }
  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    return predictTrees([this.state.tree], M);
  }
  /** Number of nodes (each holds a split or a leaf value). */
  parameterCount(): number {
    return this.state.tree.feature.length;
  }
}

/** Learned state of a decision tree regressor. */
export interface TreeRegressorState {
  tree: TreeArrays;
  featureImportances: Float64Array;
  nFeatures: number;
}

/**
 * A CART regression tree (squared error).
 * @example new DecisionTreeRegressor({ maxDepth: 4 }).fit(X, y).predict(X);
 */
export class DecisionTreeRegressor extends Regressor<TreeParams, TreeRegressorState> {
  readonly kind = 'DecisionTreeRegressor';
  constructor(params: Partial<TreeParams> = {}) {
    super({ criterion: 'squared_error', maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: null, maxBins: 65536, seed: 0 }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    if (this.params.criterion !== 'squared_error') throw new Error('DecisionTreeRegressor: criterion must be squared_error');
    const M = toMatrix(X);
    const yv = toVector(y, M.rows);
    const B = binData(M, this.params.maxBins);
    const samples = Int32Array.from({ length: M.rows }, (_, i) => i);
    const grown = buildTree(B, yv, samples, growOptions(this.params, M.cols, 1, new Rng(this.params.seed)));
    return this.setState({ tree: grown.tree, featureImportances: normalise(grown.importances), nFeatures: M.cols });
  }
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    return predictTrees([this.state.tree], M).data;
  }
  parameterCount(): number {
    return this.state.tree.feature.length;
  }
}
