// MLPClassifier / MLPRegressor against scikit-learn's scores on real data (fixtures from scripts/make-ml-fixtures.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDataset } from './test-helpers.js';
import { takeRows, take, type Matrix } from './matrix.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { StandardScaler } from './preprocessing/scalers.js';
import { loadModel } from './registry.js';
import { makeModel } from './tabular/models.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/sklearn.json', import.meta.url), 'utf8'));

/** Every 4th row is the test part, as in the fixture script. */
function split(X: Matrix, y: Float64Array) {
  const te = Int32Array.from({ length: Math.floor((X.rows + 0) / 4) }, (_, i) => 4 * i + 3).filter((i) => i < X.rows);
  const tr = Int32Array.from({ length: X.rows }, (_, i) => i).filter((i) => i % 4 !== 3);
  return { Xtr: takeRows(X, tr), ytr: take(y, tr), Xte: takeRows(X, te), yte: take(y, te) };
}

test('MLPClassifier on digits scores within 2 points of scikit-learn (same layers, epochs, Adam)', () => {
  const d = loadDataset('digits/digits_8x8.csv', 'label');
  const X: Matrix = { ...d.X, data: d.X.data.map((v) => v / 16) };
  const { Xtr, ytr, Xte, yte } = split(X, d.y);
  const ref = fx.mlpDigits;
  const m = new MLPClassifier({ hiddenLayerSizes: ref.hiddenLayerSizes, maxIter: ref.maxIter, seed: 0 }).fit(Xtr, ytr);
  const acc = m.score(Xte, yte);
  assert.ok(acc >= ref.accuracy - 0.02, `moxing ${acc} vs scikit-learn ${ref.accuracy}`);
  assert.equal(m.parameterCount(), 64 * 64 + 64 + 64 * 10 + 10);
  // The loss curve falls, and the model survives JSON.
  const c = m.state.lossCurve;
  assert.ok(c[c.length - 1]! < c[0]! / 4, `loss ${c[0]} -> ${c[c.length - 1]}`);
  const same = loadModel(JSON.parse(JSON.stringify(m))) as MLPClassifier;
  assert.deepEqual(Array.from(same.predict(Xte)), Array.from(m.predict(Xte)));
});

test('MLPRegressor on Boston housing: R² near scikit-learn\'s and above ridge', () => {
  const d = loadDataset('boston_housing/boston_MASS.csv', 'medv');
  const { Xtr, ytr, Xte, yte } = split(d.X, d.y);
  const sc = new StandardScaler().fit(Xtr);
  const ref = fx.mlpBoston;
  const m = new MLPRegressor({ hiddenLayerSizes: ref.hiddenLayerSizes, learningRateInit: ref.learningRateInit, maxIter: ref.maxIter, seed: 0 })
    .fit(sc.transform(Xtr), ytr);
  const r2 = m.score(sc.transform(Xte), yte);
  assert.ok(r2 >= ref.r2 - 0.08, `moxing R² ${r2} vs scikit-learn ${ref.r2}`);
  assert.ok(r2 > ref.ridgeR2, `moxing R² ${r2} vs ridge ${ref.ridgeR2}`);
});

test('early stopping keeps the best validation weights; the CLI name mlp builds both tasks', () => {
  const d = loadDataset('iris/iris_sklearn.csv', 'species');
  const Xs = new StandardScaler().fitTransform(d.X);
  const m = new MLPClassifier({ hiddenLayerSizes: [8], learningRateInit: 0.02, maxIter: 300, earlyStopping: true, validationFraction: 0.2, nIterNoChange: 20, seed: 1 }).fit(Xs, d.y);
  assert.ok(m.state.bestValidationScore! >= 0.8, `validation ${m.state.bestValidationScore}`);
  assert.ok(m.state.nIter < 300, 'stopped early');
  const cls = makeModel('mlp', 'classification', { hiddenLayerSizes: '8,4' }, 0) as MLPClassifier;
  assert.deepEqual(cls.params.hiddenLayerSizes, [8, 4]);
  assert.equal(makeModel('mlp', 'regression', { hiddenLayerSizes: 5 }, 0).kind, 'MLPRegressor');
  assert.throws(() => new MLPClassifier({ hiddenLayerSizes: [0] }).fit(Xs, d.y), /hiddenLayerSizes/);
});
