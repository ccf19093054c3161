// crossValidate and GridSearchCV: hand-checked fold scores, ranking and refit, and tables with their pipeline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { table } from '../../data/table.js';
import { matrix, type Matrix } from '../matrix.js';
import { Ridge } from '../linear.js';
import { TabularPipeline } from '../tabular/pipeline.js';
import { crossValidateTabular } from '../tabular/cross-validate.js';
import { crossValidate, GridSearchCV, parameterGrid, type Fittable } from './cross-validate.js';

/** Predicts the training mean plus `shift`; scored by minus the mean absolute error. */
class MeanPredictor implements Fittable {
  mean = NaN;
  constructor(readonly shift = 0) {}
  fit(_X: Matrix, y: Float64Array): this {
    this.mean = y.reduce((s, v) => s + v, 0) / y.length;
    return this;
  }
  score(_X: Matrix, y: Float64Array): number {
    return -y.reduce((s, v) => s + Math.abs(v - this.mean - this.shift), 0) / y.length;
  }
}

const X4 = matrix(4, 1, Float64Array.of(0, 1, 2, 3));
const y4 = Float64Array.of(1, 3, 5, 11);
// Fold A trains on rows 0,1 (mean 2) and tests 5, 11: MAE (3 + 9) / 2 = 6.
// Fold B trains on rows 1,2,3 (mean 19/3) and tests 1: MAE 16/3.
const splits = [
  { train: Int32Array.of(0, 1), test: Int32Array.of(2, 3) },
  { train: Int32Array.of(1, 2, 3), test: Int32Array.of(0) },
];

test('crossValidate: hand-checked fold scores, their mean and population std', () => {
  const r = crossValidate(() => new MeanPredictor(), X4, y4, { cv: splits });
  assert.deepEqual(r.testScore.map((s) => +s.toFixed(6)), [-6, -5.333333]);
  assert.ok(Math.abs(r.mean - -17 / 3) < 1e-12); // (-6 - 16/3) / 2
  assert.ok(Math.abs(r.std - 1 / 3) < 1e-12); // half the gap of 2/3
  assert.deepEqual(r.folds.map((f) => Object.keys(f)), [['score'], ['score']]);
  assert.equal(r.fitTimeMs.length, 2);
});

test('crossValidate: named scores, ranked by rankBy', () => {
  const scoring = (e: MeanPredictor, _X: Matrix, y: Float64Array) => ({ negMae: e.score(_X, y), maxError: Math.max(...Array.from(y, (v) => Math.abs(v - e.mean))) });
  const r = crossValidate(() => new MeanPredictor(), X4, y4, { cv: splits, scoring, rankBy: 'maxError' });
  assert.deepEqual(r.folds.map((f) => f.maxError), [9, 16 / 3]);
  assert.deepEqual(r.testScore, [9, 16 / 3]);
  assert.ok(Math.abs(r.means.negMae! - -17 / 3) < 1e-12);
  assert.ok(Math.abs(r.mean - (9 + 16 / 3) / 2) < 1e-12);
  assert.throws(() => crossValidate(() => new MeanPredictor(), X4, y4, { cv: splits, scoring, rankBy: 'r2' }), /rankBy 'r2' is not a score \(scores: negMae, maxError\)/);
});

test('crossValidate: returnTrainScore scores each fold on its own training rows; onFold counts the folds', () => {
  const seen: string[] = [];
  const r = crossValidate(() => new MeanPredictor(), X4, y4, { cv: splits, returnTrainScore: true, onFold: (d, n) => seen.push(`${d}/${n}`) });
  // Fold A: rows 1, 3 around their mean 2 -> MAE 1. Fold B: rows 3, 5, 11 around 19/3 -> (10/3 + 4/3 + 14/3) / 3 = 28/9.
  assert.deepEqual(r.train!.testScore.map((s) => +s.toFixed(6)), [-1, -3.111111]);
  assert.ok(Math.abs(r.train!.mean - -(1 + 28 / 9) / 2) < 1e-12);
  assert.deepEqual(seen, ['1/2', '2/2']);
  assert.equal(crossValidate(() => new MeanPredictor(), X4, y4, { cv: splits }).train, undefined);
});

test('crossValidate: an exact linear law scores R² = 1 on every fold', () => {
  const x = Float64Array.from({ length: 30 }, (_, i) => i);
  const r = crossValidate(() => new Ridge({ alpha: 0 }), matrix(30, 1, x), x.map((v) => 2 * v + 1), { cv: 5, seed: 3 });
  assert.equal(r.testScore.length, 5);
  for (const s of r.testScore) assert.ok(Math.abs(s - 1) < 1e-9, `R² ${s}`);
});

test('parameterGrid: every combination, the last key fastest', () => {
  assert.deepEqual(parameterGrid({ a: [1, 2], b: ['x', 'y'] }), [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
});

test('GridSearchCV: each combination is crossValidate on the same folds; the best is refit on all rows', () => {
  // Minus the squared error of the predicted mean: fold A -(2 + s - 8)², fold B -(19/3 + s - 1)²,
  // so the mean score peaks at s = 1/3 and the grid's best is the value nearest to it.
  const avg = (v: Float64Array): number => v.reduce((a, b) => a + b, 0) / v.length;
  const scoring = (e: MeanPredictor, _X: Matrix, y: Float64Array): number => -((e.mean + e.shift - avg(y)) ** 2);
  const make = (p: { shift: number }): MeanPredictor => new MeanPredictor(p.shift);
  const gs = new GridSearchCV(make, { shift: [-4, 0, 1, 3] }, { cv: splits, scoring }).fit(X4, y4);
  for (const row of gs.results) {
    const alone = crossValidate(() => make(row.params), X4, y4, { cv: splits, scoring });
    assert.equal(row.meanScore, alone.mean);
    assert.equal(row.stdScore, alone.std);
  }
  assert.deepEqual(gs.results.map((r) => r.params.shift), [-4, 0, 1, 3]);
  assert.deepEqual(gs.bestParams, { shift: 0 });
  assert.ok(Math.abs(gs.bestScore - -290 / 9) < 1e-12); // -(36 + 256/9) / 2
  assert.equal(gs.bestEstimator.mean, 5); // refit on all four rows: (1 + 3 + 5 + 11) / 4
  assert.equal(gs.bestEstimator.shift, 0);
  // Equal means: the first combination wins, as scikit-learn's rank_test_score.
  const tie = new GridSearchCV(make, { shift: [0, 0.5, 1 / 6] }, { cv: splits, scoring: () => 1 }).fit(X4, y4);
  assert.deepEqual(tie.bestParams, { shift: 0 });
  const noRefit = new GridSearchCV(make, { shift: [0] }, { cv: splits, refit: false }).fit(X4, y4);
  assert.throws(() => noRefit.bestEstimator, /refit: false/);
  assert.throws(() => new GridSearchCV(make, { shift: [0] }).bestParams, /not fitted/);
});

test('GridSearchCV: a NaN score is an error naming the parameter set and fold, whether it came first (won) or later (lost)', () => {
  const make = (p: { shift: number }): MeanPredictor => new MeanPredictor(p.shift);
  // NaN for shift 1 on fold 1 (fold B): one NaN fold makes the mean NaN, and NaN > x is always false.
  const scoring = (e: MeanPredictor, _X: Matrix, y: Float64Array): number => (e.shift === 1 && y.length === 1 ? NaN : -e.shift);
  for (const shift of [[1, 0, 2], [0, 2, 1]]) {
    assert.throws(
      () => new GridSearchCV(make, { shift }, { cv: splits, scoring }).fit(X4, y4),
      { message: 'GridSearchCV: score \'score\' is NaN on fold 1 for parameters {"shift":1}; a NaN score cannot be ranked (check the scorer or the estimator for these parameters)' },
    );
  }
  // Named scores: only the ranked one must be a number (the others are reported as they are).
  const named = (e: MeanPredictor): Record<string, number> => ({ r: -e.shift, other: NaN });
  const gs = new GridSearchCV(make, { shift: [1, 0] }, { cv: splits, scoring: named, rankBy: 'r' }).fit(X4, y4);
  assert.deepEqual(gs.bestParams, { shift: 0 });
  assert.ok(Number.isNaN(gs.results[0]!.meanScores.other));
});

test('crossValidate on a table: the pipeline refits its preprocessing per fold, as crossValidateTabular does', () => {
  const n = 40;
  const x = Float64Array.from({ length: n }, (_, i) => i % 10);
  const color = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'red' : 'blue'));
  const y = Float64Array.from(x, (v, i) => 3 * v + (color[i] === 'red' ? 5 : 0));
  const t = table([
    { kind: 'numeric', name: 'x', values: x },
    { kind: 'categorical', name: 'color', values: color },
    { kind: 'numeric', name: 'y', values: y },
  ]);
  const spec = { model: 'linear' as const, task: 'regression' as const, target: 'y', params: {}, seed: 0 };
  const r = crossValidate(() => new TabularPipeline(spec), t, y, { cv: 4, seed: 0, scoring: (p, rows) => p.metrics(rows), rankBy: 'r2' });
  for (const s of r.testScore) assert.ok(Math.abs(s - 1) < 1e-9, `R² ${s}`); // y is exactly linear in x and the one-hot color
  const viaTabular = crossValidateTabular(t, { target: 'y', model: 'linear', folds: 4 });
  assert.deepEqual(viaTabular.folds, r.folds);
  assert.deepEqual(viaTabular.mean, r.means);
});
