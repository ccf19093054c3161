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
  if (!params.bootstrap) {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const grown = buildTree(B, target, all, growOptions(params, B.cols, nClasses, treeRng));
    return { tree: grown.tree, importances: grown.importances };
  }
  // The bootstrap as scikit-learn draws it: each distinct row once, weighted by how often it was
  // drawn (about 63% of the rows), so every pass over a node reads a third fewer samples than the
  // draws with their repeats; the counts, and so the splits, are the same.
  const times = new Int32Array(n);
  for (let i = 0; i < n; i++) times[treeRng.int(n)]++;
  let distinct = 0;
  for (let i = 0; i < n; i++) if (times[i]! > 0) distinct++;
  const samples = new Int32Array(distinct);
  for (let i = 0, t = 0; i < n; i++) if (times[i]! > 0) samples[t++] = i;
  const grown = buildTree(B, target, samples, growOptions(params, B.cols, nClasses, treeRng), times);
  return { tree: grown.tree, importances: grown.importances };
}
