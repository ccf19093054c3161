import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './hist-gbm.js';
import { binForHist, MISSING_BIN } from './hist-binning.js';
import { loadModel } from './registry.js';
import { Rng } from '../tensor/random.js';
import type { Matrix } from './matrix.js';

/** y = sin(x0) * 3 + x1² + noise, with x2 pure noise. */
function regression(n: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = new Rng(seed);
  const data = new Float64Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.normal() * 2;
    const b = rng.normal();
    data.set([a, b, rng.normal()], i * 3);
    y[i] = 3 * Math.sin(a) + b * b + 0.1 * rng.normal();
  }
  return { X: { data, rows: n, cols: 3 }, y };
}

test('binning: exact bins for few values, quantiles for many, bin 255 for NaN', () => {
  const X: Matrix = { data: Float64Array.of(1, 0.5, 2, NaN, 1, 0.25, 3, 0.75), rows: 4, cols: 2 };
  const B = binForHist(X, 255, new Set());
  assert.deepEqual(Array.from(B.codes.subarray(0, 4)), [0, 1, 0, 2]);
  assert.deepEqual(Array.from(B.cuts[0]!), [1.5, 2.5]);
  assert.equal(B.codes[4 + 1], MISSING_BIN);
  assert.equal(B.hasMissing[1], 1);
  const many = regression(2000, 1).X;
  const Bm = binForHist(many, 32, new Set());
  assert.equal(Bm.nBins[0], 32);
  assert.throws(() => binForHist(X, 255, new Set([1])), /categorical feature 1: value 0.5/);
});

test('HistGradientBoostingRegressor fits a smooth function and round-trips through JSON', () => {
  const { X, y } = regression(1500, 2);
  const te = regression(500, 3);
  const m = new HistGradientBoostingRegressor({ maxIter: 100 }).fit(X, y);
  const r2 = m.score(te.X, te.y);
  assert.ok(r2 > 0.95, `R² ${r2}`);
  const same = loadModel(JSON.parse(JSON.stringify(m))) as HistGradientBoostingRegressor;
  assert.deepEqual(Array.from(same.predict(te.X)), Array.from(m.predict(te.X)));
});

test('missing values go the way that gains most', () => {
  // x0 is missing exactly when y is high: the learned direction must separate them.
  const rng = new Rng(4);
  const n = 1000;
  const data = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const missing = rng.next() < 0.3;
    const v = rng.normal();
    data[i * 2] = missing ? NaN : v;
    data[i * 2 + 1] = rng.normal();
    y[i] = missing ? 10 : v;
  }
  const m = new HistGradientBoostingRegressor({ maxIter: 50 }).fit({ data, rows: n, cols: 2 }, y);
  const p = m.predict({ data: Float64Array.of(NaN, 0, 0.5, 0), rows: 2, cols: 2 });
  assert.ok(Math.abs(p[0]! - 10) < 0.5, `NaN row predicted ${p[0]}`);
  assert.ok(Math.abs(p[1]! - 0.5) < 0.5, `0.5 predicted ${p[1]}`);
});

test('a categorical feature splits by a set of categories in one split', () => {
  // Categories 1, 4, 6 are class 1: no single threshold separates them, one categorical split does.
  const rng = new Rng(5);
  const n = 800;
  const data = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { const c = rng.int(8); data[i] = c; y[i] = c === 1 || c === 4 || c === 6 ? 1 : 0; }
  const X: Matrix = { data, rows: n, cols: 1 };
  const stump = { maxIter: 1, maxLeafNodes: 2, learningRate: 1 };
  const cat = new HistGradientBoostingClassifier({ ...stump, categoricalFeatures: [0] }).fit(X, y);
  const num = new HistGradientBoostingClassifier(stump).fit(X, y);
  assert.equal(cat.score(X, y), 1);
  assert.ok(num.score(X, y) < 1);
  assert.equal(cat.state.trees[0]!.catOffset[0], 0);
  // Unseen categories and NaN are handled without error.
  const P = cat.predictProba({ data: Float64Array.of(200, NaN), rows: 2, cols: 1 });
  assert.equal(P.rows, 2);
});

test('early stopping holds out a part and stops when its loss stalls; three classes', () => {
  const rng = new Rng(6);
  const n = 1200;
  const data = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.int(3);
    data[i * 2] = k * 2 + rng.normal() * 0.8;
    data[i * 2 + 1] = (k === 1 ? 1 : -1) + rng.normal() * 0.8;
    y[i] = k;
  }
  const m = new HistGradientBoostingClassifier({ maxIter: 500, earlyStopping: true, nIterNoChange: 5 }).fit({ data, rows: n, cols: 2 }, y);
  assert.ok(m.state.nIter < 500, `stopped after ${m.state.nIter}`);
  assert.equal(m.state.validationLoss.length, m.state.nIter);
  assert.equal(m.state.trees.length, 3 * m.state.nIter);
  assert.ok(m.score({ data, rows: n, cols: 2 }, y) > 0.85);
});
