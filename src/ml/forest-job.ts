// One forest tree from its seed: the work a forest hands to each thread (src/ml/forest-pool.ts).

import type { Binned } from './binning.js';
import { buildTree, type TreeArrays } from './tree-builder.js';
import { growOptions, type TreeParams } from './tree.js';
import { Rng } from '../tensor/random.js';

/** What every tree of one fit shares. */
export interface ForestJob {
  B: Binned;
  target: Int32Array | Float64Array;
  nClasses: number;
  params: TreeParams & { bootstrap: boolean };
}

/** A grown tree and its impurity decreases per feature (unnormalised). */
export interface ForestTree {
  tree: TreeArrays;
  importances: Float64Array;
}

/**
 * Grows the tree whose randomness comes from `seed`: its bootstrap sample, then its feature draws.
 * @example growForestTree(job, seeds[e]);
 */
export function growForestTree(job: ForestJob, seed: number): ForestTree {
  const { B, target, nClasses, params } = job;
  const n = B.rows;
  const treeRng = new Rng(seed);
  const samples = new Int32Array(n);
  if (params.bootstrap) for (let i = 0; i < n; i++) samples[i] = treeRng.int(n);
  else for (let i = 0; i < n; i++) samples[i] = i;
  const grown = buildTree(B, target, samples, growOptions(params, B.cols, nClasses, treeRng));
  return { tree: grown.tree, importances: grown.importances };
}
