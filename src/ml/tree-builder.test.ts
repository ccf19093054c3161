import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTree, type GrownTree } from './tree-builder.js';
import { binData } from './binning.js';
import { Rng } from '../tensor/random.js';

// A bootstrap grown as distinct rows with their draw counts as weights must give the tree grown on
// the draws themselves (each repeat its own sample): class counts are the same integers either way.
// It exercises what the weighted growth carries along (targets and weights moved with the samples at
// each partition, two classes counted in registers, the classes present in a node renumbered, and
// features constant in an ancestor skipped), against the plain unweighted path.
function data(n: number, K: number, seed: number): { X: { data: Float64Array; rows: number; cols: number }; y: Int32Array } {
  const rng = new Rng(seed);
  const p = 7;
  const X = new Float64Array(n * p);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    X[o] = rng.normal();
    X[o + 1] = rng.normal();
    X[o + 2] = Math.round(rng.normal() * 40); // many distinct values: the sort path in small nodes
    X[o + 3] = rng.int(2); // one-hot-like columns, constant in many deep nodes
    X[o + 4] = rng.int(10) === 0 ? 1 : 0;
    X[o + 5] = rng.int(3);
    X[o + 6] = rng.int(4) === 0 ? rng.normal() : 0;
    const s = X[o]! + 0.5 * X[o + 3]! - X[o + 1]! * X[o + 5]! + 0.3 * rng.normal();
    y[i] = Math.min(K - 1, Math.max(0, Math.floor((s + 2) * K / 4)));
  }
  return { X: { data: X, rows: n, cols: p }, y };
}

function grow(K: number, maxBins: number, seed: number): [GrownTree, GrownTree] {
  const { X, y } = data(400, K, seed);
  const B = binData(X, maxBins);
  const rng = new Rng(seed + 1);
  const times = new Int32Array(X.rows);
  for (let i = 0; i < X.rows; i++) times[rng.int(X.rows)]++;
  const distinct: number[] = [];
  const draws: number[] = [];
  for (let i = 0; i < X.rows; i++) if (times[i]! > 0) { distinct.push(i); for (let r = 0; r < times[i]!; r++) draws.push(i); }
  const opts = (): Parameters<typeof buildTree>[3] => ({ criterion: 'gini', nClasses: K, maxDepth: Infinity, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 3, rng: new Rng(seed + 2) });
  return [buildTree(B, y, Int32Array.from(distinct), opts(), times), buildTree(B, y, Int32Array.from(draws), opts())];
}

test('a tree on distinct rows weighted by draw counts equals the tree on the draws, two and five classes', () => {
  for (const [K, bins, seed] of [[2, 256, 1], [5, 256, 2], [5, 16, 3], [2, 65536, 4]] as const) {
    const [weighted, repeated] = grow(K, bins, seed);
    assert.ok(weighted.tree.feature.length > 20, 'a deep tree');
    for (const k of ['feature', 'threshold', 'left', 'right', 'value', 'nSamples'] as const) {
      assert.deepEqual(Array.from(weighted.tree[k]), Array.from(repeated.tree[k]), `${k}, ${K} classes, ${bins} bins`);
    }
    assert.deepEqual(Array.from(weighted.importances), Array.from(repeated.importances));
  }
});
