// Random forests (Breiman 2001): bootstrap samples, random feature subsets per split, averaged CART trees.

import { Classifier, Regressor, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { binData, type Binned } from './binning.js';
import type { TreeArrays } from './tree-builder.js';
import { growTrees, resolveJobs } from './forest-pool.js';
import { predictTrees, type TreeParams } from './tree.js';
import { Rng } from '../tensor/random.js';

/** Parameters of the random forests. */
export interface ForestParams extends TreeParams {
  nEstimators: number;
  bootstrap: boolean;
  /** Threads growing trees (-1: every core); the forest is the same for any value. */
  nJobs: number;
}

/** Learned state of a forest. */
export interface ForestState {
  trees: TreeArrays[];
  featureImportances: Float64Array;
  nFeatures: number;
}

function growForest(params: ForestParams, B: Binned, target: Int32Array | Float64Array, nClasses: number): { trees: TreeArrays[]; importances: Float64Array } {
  if (!(params.nEstimators >= 1)) throw new Error('nEstimators must be >= 1');
  const threads = resolveJobs(params.nJobs);
  const rng = new Rng(params.seed);
  // Each tree gets its own stream, so tree e does not depend on how earlier trees consumed randomness
  // (nor on which thread grows it).
  const seeds: number[] = [];
  for (let e = 0; e < params.nEstimators; e++) seeds.push((params.seed * 1000003 + e * 7919 + rng.nextUint32()) >>> 0);
  const grown = growTrees({ B, target, nClasses, params }, seeds, threads);
  const importances = new Float64Array(B.cols);
  for (const g of grown) {
    // Per-tree importances are normalised before averaging, as scikit-learn does.
    let s = 0;
    for (const v of g.importances) s += v;
    if (s > 0) for (let j = 0; j < B.cols; j++) importances[j] += g.importances[j]! / s / params.nEstimators;
  }
  return { trees: grown.map((g) => g.tree), importances };
}

const FOREST_DEFAULTS = { maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, maxBins: 256, seed: 0, nEstimators: 100, bootstrap: true, nJobs: 1 };

/**
 * Random forest classifier: averages the class probabilities of its trees.
 * @example new RandomForestClassifier({ nEstimators: 100, seed: 0 }).fit(X, y).score(Xt, yt);
 */
export class RandomForestClassifier extends Classifier<ForestParams, ForestState & ClassifierState> {
  readonly kind = 'RandomForestClassifier';
  constructor(params: Partial<ForestParams> = {}) {
    super({ ...FOREST_DEFAULTS, criterion: 'gini', maxFeatures: 'sqrt' }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    const { trees, importances } = growForest(this.params, binData(M, this.params.maxBins), index, classes.length);
    return this.setState({ classes, trees, featureImportances: importances, nFeatures: M.cols });
  }
  predictProba(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    return predictTrees(this.state.trees, M);
  }
  /** Total number of tree nodes. */
  parameterCount(): number {
    return this.state.trees.reduce((s, t) => s + t.feature.length, 0);
  }
}

/**
 * Random forest regressor: averages the predictions of its trees (all features per split by default, as scikit-learn >= 1.1).
 * @example new RandomForestRegressor({ nEstimators: 100 }).fit(X, y).predict(Xt);
 */
export class RandomForestRegressor extends Regressor<ForestParams, ForestState> {
  readonly kind = 'RandomForestRegressor';
  constructor(params: Partial<ForestParams> = {}) {
    super({ ...FOREST_DEFAULTS, criterion: 'squared_error', maxFeatures: null }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const { trees, importances } = growForest(this.params, binData(M, this.params.maxBins), toVector(y, M.rows), 1);
    return this.setState({ trees, featureImportances: importances, nFeatures: M.cols });
  }
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    return predictTrees(this.state.trees, M).data;
  }
  parameterCount(): number {
    return this.state.trees.reduce((s, t) => s + t.feature.length, 0);
  }
}
