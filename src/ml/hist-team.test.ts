import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './hist-gbm.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gbm.js';
import { Rng } from '../tensor/random.js';
import type { Matrix } from './matrix.js';
import { C_NEXT, takeTask } from './hist-team.js';

/** 12 columns: numeric ones (one with missing values), one-hot ones, a categorical code; a target mixing them. */
function data(n: number, seed: number): { X: Matrix; y: Float64Array; cls: Float64Array } {
  const rng = new Rng(seed);
  const p = 12;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const cls = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < 6; j++) X[o + j] = rng.normal();
    if (rng.int(10) === 0) X[o + 1] = NaN;
    const hot = rng.int(5);
    for (let j = 0; j < 5; j++) X[o + 6 + j] = j === hot ? 1 : 0;
    X[o + 11] = rng.int(7);
    const x1 = Number.isNaN(X[o + 1]!) ? 1 : X[o + 1]!;
    y[i] = 2 * X[o]! - x1 * x1 + (hot === 2 ? 1.5 : 0) + (X[o + 11]! % 3) * 0.7 + 0.2 * rng.normal();
    cls[i] = y[i]! < -0.5 ? 0 : y[i]! < 1 ? 1 : 2;
  }
  return { X: { data: X, rows: n, cols: p }, y, cls };
}

test('histogram boosters grown on two threads equal the one-thread models to the bit', () => {
  const { X, y, cls } = data(700, 5);
  const both = <T extends { state: unknown }>(make: (nJobs: number) => T): [T, T] => [make(1), make(2)];
  const [r1, r2] = both((nJobs) => new HistGradientBoostingRegressor({ maxIter: 30, categoricalFeatures: [11], nJobs }).fit(X, y));
  assert.equal(JSON.stringify(r2.state), JSON.stringify(r1.state));
  assert.ok(r1.score(X, y) > 0.9);
  const binary = Float64Array.from(cls, (c) => (c === 2 ? 1 : 0));
  const [b1, b2] = both((nJobs) => new HistGradientBoostingClassifier({ maxIter: 20, nJobs }).fit(X, binary));
  assert.equal(JSON.stringify(b2.state), JSON.stringify(b1.state));
  const [c1, c2] = both((nJobs) => new HistGradientBoostingClassifier({ maxIter: 15, nJobs: nJobs === 1 ? 1 : -1 }).fit(X, cls));
  assert.equal(JSON.stringify(c2.state), JSON.stringify(c1.state));
  assert.ok(c1.score(X, cls) > 0.85);
});

test('gradient boosting on two threads equals one thread; nJobs is checked', () => {
  const { X, y, cls } = data(400, 6);
  const Xc: Matrix = { ...X, data: X.data.map((v) => (Number.isNaN(v) ? 0 : v)) };
  const g1 = new GradientBoostingRegressor({ nEstimators: 20 }).fit(Xc, y);
  const g2 = new GradientBoostingRegressor({ nEstimators: 20, nJobs: 2 }).fit(Xc, y);
  assert.equal(JSON.stringify(g2.state), JSON.stringify(g1.state));
  const k1 = new GradientBoostingClassifier({ nEstimators: 10 }).fit(Xc, cls);
  const k2 = new GradientBoostingClassifier({ nEstimators: 10, nJobs: 2 }).fit(Xc, cls);
  assert.deepEqual(Array.from(k2.predictProba(Xc).data), Array.from(k1.predictProba(Xc).data));
  assert.throws(() => new HistGradientBoostingRegressor({ nJobs: 0 }).fit(X, y), /nJobs/);
  assert.throws(() => new GradientBoostingRegressor({ nJobs: 1.5 }).fit(Xc, y), /nJobs/);
});

test('a team call hands out each task once, and none to a thread still in an earlier call', () => {
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * 48));
  Atomics.store(ctrl, C_NEXT, 7 << 16); // call 7 starts
  assert.deepEqual([takeTask(ctrl, 7), takeTask(ctrl, 7), takeTask(ctrl, 7)], [0, 1, 2]);
  assert.equal(takeTask(ctrl, 6), -1); // a helper whose call 6 ended takes nothing (and moves nothing)
  assert.equal(takeTask(ctrl, 7), 3);
});

test('multiclass histogram boosting with helpers equals one thread with early stopping on held-out rows', () => {
  const { X, cls } = data(500, 9);
  const fit = (nJobs: number) => new HistGradientBoostingClassifier({ maxIter: 40, earlyStopping: true, validationFraction: 0.2, nIterNoChange: 3, nJobs }).fit(X, cls);
  const a = fit(1);
  const b = fit(2);
  assert.equal(JSON.stringify(b.state), JSON.stringify(a.state));
  assert.ok(a.state.validationLoss.length > 3);
});

test('softmax gradient boosting with helpers equals one thread with row subsampling and with more classes', () => {
  const { X, y } = data(300, 8);
  const Xc: Matrix = { ...X, data: X.data.map((v) => (Number.isNaN(v) ? 0 : v)) };
  const five = Float64Array.from(y, (v) => Math.min(4, Math.max(0, Math.floor(v + 2))));
  for (const subsample of [1, 0.7]) {
    const a = new GradientBoostingClassifier({ nEstimators: 8, subsample }).fit(Xc, five);
    const b = new GradientBoostingClassifier({ nEstimators: 8, subsample, nJobs: 2 }).fit(Xc, five);
    assert.equal(JSON.stringify(b.state), JSON.stringify(a.state));
  }
});

test('boosters on two threads equal one thread over random data shapes (one to forty columns, five to a thousand rows)', () => {
  // Two rounds: the first starts the helper thread (trees grow alone until it has loaded), the second
  // finds it ready and grows in lockstep after the pace's first trees.
  for (let c = 0; c < 24; c++) {
    const rng = new Rng(100 + (c % 12));
    const n = [5, 30, 200, 600, 1000][c % 5]!;
    const p = c % 6 === 0 ? 1 : 2 + rng.int(38);
    const X = new Float64Array(n * p);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < p; j++) X[i * p + j] = j % 3 === 2 ? rng.int(3) : j % 5 === 1 && rng.int(6) === 0 ? NaN : rng.normal();
      y[i] = X[i * p]! + (p > 1 && !Number.isNaN(X[i * p + 1]!) ? X[i * p + 1]! : 0.5) + 0.3 * rng.normal();
    }
    const M: Matrix = { data: X, rows: n, cols: p };
    const Mc: Matrix = { data: X.map((v) => (Number.isNaN(v) ? 0 : v)), rows: n, cols: p };
    const cls = Float64Array.from(y, (v) => (v > 0.5 ? 1 : 0));
    const two = new Set(cls).size > 1;
    const o = { maxLeafNodes: 2 + rng.int(40), minSamplesLeaf: 1 + rng.int(20), maxIter: 12, maxDepth: rng.int(3) === 0 ? 1 + rng.int(6) : null };
    const depth = 1 + rng.int(5);
    const fits: [string, (nJobs: number) => unknown][] = [
      ['hgb regressor', (nJobs) => new HistGradientBoostingRegressor({ ...o, nJobs }).fit(M, y).state],
      ['hgb classifier', (nJobs) => (two ? new HistGradientBoostingClassifier({ ...o, nJobs }).fit(M, cls).state : null)],
      ['gbm regressor', (nJobs) => new GradientBoostingRegressor({ nEstimators: 12, maxDepth: depth, nJobs }).fit(Mc, y).state],
      ['gbm classifier', (nJobs) => (two ? new GradientBoostingClassifier({ nEstimators: 12, nJobs }).fit(Mc, cls).state : null)],
    ];
    for (const [name, fit] of fits) assert.equal(JSON.stringify(fit(2)), JSON.stringify(fit(1)), `${name}, ${n} rows, ${p} columns, ${JSON.stringify(o)}`);
  }
});
