import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomForestClassifier, RandomForestRegressor } from './forest.js';
import { Rng } from '../tensor/random.js';
import type { Matrix } from './matrix.js';

function data(n: number, seed: number): { X: Matrix; y: Float64Array; cls: Float64Array } {
  const rng = new Rng(seed);
  const X = new Float64Array(n * 4);
  const y = new Float64Array(n);
  const cls = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) X[i * 4 + j] = j === 3 ? rng.int(2) : rng.normal();
    y[i] = X[i * 4]! * 2 + X[i * 4 + 3]! - X[i * 4 + 1]! ** 2 + 0.1 * rng.normal();
    cls[i] = y[i]! > 0 ? 1 : 0;
  }
  return { X: { data: X, rows: n, cols: 4 }, y, cls };
}

test('forests grown on two threads equal the one-thread forests, tree for tree', () => {
  const { X, y, cls } = data(300, 1);
  const r1 = new RandomForestRegressor({ nEstimators: 9, seed: 3 }).fit(X, y);
  const r2 = new RandomForestRegressor({ nEstimators: 9, seed: 3, nJobs: 2 }).fit(X, y);
  assert.deepEqual(JSON.stringify(r2.state), JSON.stringify(r1.state));
  const c1 = new RandomForestClassifier({ nEstimators: 7, seed: 4 }).fit(X, cls);
  const c2 = new RandomForestClassifier({ nEstimators: 7, seed: 4, nJobs: -1 }).fit(X, cls);
  assert.deepEqual(Array.from(c2.predictProba(X).data), Array.from(c1.predictProba(X).data));
  assert.ok(r1.score(X, y) > 0.9);
  assert.throws(() => new RandomForestRegressor({ nJobs: 0 }).fit(X, y), /nJobs/);
});
