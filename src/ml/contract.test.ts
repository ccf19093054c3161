// The estimator contract, run over every estimator (scikit-learn's check_estimator, in miniature).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotFittedError, type AnyEstimator } from './base.js';
import { loadModel } from './registry.js';
import { loadDataset } from './test-helpers.js';
import { takeRows, take, type Matrix } from './matrix.js';
import { r2Score } from './metrics/regression.js';
import { accuracyScore } from './metrics/classification.js';
import { LinearRegression, Ridge, Lasso, ElasticNet } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './tree.js';
import { RandomForestClassifier, RandomForestRegressor } from './forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gbm.js';
import { KMeans } from './kmeans.js';
import { KNeighborsClassifier, KNeighborsRegressor } from './knn.js';
import { GaussianNB, MultinomialNB } from './naive-bayes.js';
import { PCA } from './pca.js';
import { StandardScaler, MinMaxScaler } from './preprocessing/scalers.js';
import { SimpleImputer } from './preprocessing/imputer.js';
import { PolynomialFeatures } from './preprocessing/polynomial.js';
import { extraContractCases } from './contract-cases.js';

type Kind = 'regressor' | 'classifier' | 'clusterer' | 'transformer';
/** One estimator under test: a factory (seeded) and what it is. */
export interface ContractCase {
  name: string;
  kind: Kind;
  make: (seed: number) => AnyEstimator;
}

const iris = loadDataset('iris/iris_sklearn.csv', 'species');
const diabetes = loadDataset('diabetes/diabetes_raw.csv', 'target');
// Every other row: small but covers all classes.
const every2 = Int32Array.from({ length: Math.floor(iris.X.rows / 2) }, (_, i) => 2 * i);
const clsX = takeRows(iris.X, every2);
const clsY = take(iris.y, every2);
const regIdx = Int32Array.from({ length: 120 }, (_, i) => i);
const regX = takeRows(diabetes.X, regIdx);
const regY = take(diabetes.y, regIdx);

const cases: ContractCase[] = [
  { name: 'LinearRegression', kind: 'regressor', make: () => new LinearRegression() },
  { name: 'Ridge', kind: 'regressor', make: () => new Ridge({ alpha: 0.5 }) },
  { name: 'Lasso', kind: 'regressor', make: () => new Lasso({ alpha: 0.1 }) },
  { name: 'ElasticNet', kind: 'regressor', make: () => new ElasticNet({ alpha: 0.1, l1Ratio: 0.5 }) },
  { name: 'DecisionTreeRegressor', kind: 'regressor', make: (seed) => new DecisionTreeRegressor({ maxDepth: 4, seed }) },
  { name: 'RandomForestRegressor', kind: 'regressor', make: (seed) => new RandomForestRegressor({ nEstimators: 5, maxDepth: 4, seed }) },
  { name: 'GradientBoostingRegressor', kind: 'regressor', make: (seed) => new GradientBoostingRegressor({ nEstimators: 10, subsample: 0.8, seed }) },
  { name: 'KNeighborsRegressor', kind: 'regressor', make: () => new KNeighborsRegressor({ nNeighbors: 3 }) },
  { name: 'LogisticRegression', kind: 'classifier', make: () => new LogisticRegression({ maxIter: 200 }) },
  { name: 'DecisionTreeClassifier', kind: 'classifier', make: (seed) => new DecisionTreeClassifier({ maxFeatures: 2, seed }) },
  { name: 'RandomForestClassifier', kind: 'classifier', make: (seed) => new RandomForestClassifier({ nEstimators: 5, seed }) },
  { name: 'GradientBoostingClassifier', kind: 'classifier', make: (seed) => new GradientBoostingClassifier({ nEstimators: 5, subsample: 0.8, seed }) },
  { name: 'KNeighborsClassifier', kind: 'classifier', make: () => new KNeighborsClassifier({ nNeighbors: 3, weights: 'distance' }) },
  { name: 'GaussianNB', kind: 'classifier', make: () => new GaussianNB() },
  { name: 'MultinomialNB', kind: 'classifier', make: () => new MultinomialNB() },
  { name: 'KMeans', kind: 'clusterer', make: (seed) => new KMeans({ k: 3, nInit: 2, seed }) },
  { name: 'PCA', kind: 'transformer', make: () => new PCA({ nComponents: 2 }) },
  { name: 'StandardScaler', kind: 'transformer', make: () => new StandardScaler() },
  { name: 'MinMaxScaler', kind: 'transformer', make: () => new MinMaxScaler() },
  { name: 'SimpleImputer', kind: 'transformer', make: () => new SimpleImputer({ strategy: 'median' }) },
  { name: 'PolynomialFeatures', kind: 'transformer', make: () => new PolynomialFeatures({ degree: 2 }) },
  ...extraContractCases,
];

interface Duck {
  fit(X: Matrix, y?: Float64Array): unknown;
  predict?(X: Matrix): Float64Array;
  predictProba?(X: Matrix): Matrix;
  transform?(X: Matrix): Matrix;
  score?(X: Matrix, y?: Float64Array): number;
  readonly classes?: number[];
}

function output(e: AnyEstimator, kind: Kind, X: Matrix): number[] {
  const d = e as unknown as Duck;
  if (kind === 'transformer') return Array.from(d.transform!(X).data);
  if (kind === 'classifier') return Array.from(d.predictProba!(X).data);
  return Array.from(d.predict!(X));
}

for (const c of cases) {
  test(`contract: ${c.name}`, () => {
    const X = c.kind === 'regressor' ? regX : clsX;
    const y = c.kind === 'regressor' ? regY : clsY;
    const est = c.make(0);
    const d = est as unknown as Duck;
    // 1. params are frozen and the constructor does no work.
    assert.ok(Object.isFrozen(est.params), 'params frozen');
    assert.equal(est.fitted, false);
    assert.throws(() => (est as unknown as { params: Record<string, unknown> }).params.x = 1);
    // 3. using the model before fit throws NotFittedError.
    assert.throws(() => output(est, c.kind, X), NotFittedError);
    assert.throws(() => est.state, NotFittedError);
    assert.throws(() => est.toJSON(), NotFittedError);
    // 2. fit returns this and leaves params alone.
    const before = JSON.stringify(est.params);
    assert.equal(d.fit(X, y), est);
    assert.equal(JSON.stringify(est.params), before);
    assert.ok(est.fitted);
    assert.ok(est.parameterCount() >= 0);
    const out = output(est, c.kind, X);
    assert.ok(out.every(Number.isFinite), 'finite outputs');
    // 4. score from the base class.
    if (c.kind === 'regressor') assert.equal(d.score!(X, y), r2Score(y, d.predict!(X)));
    if (c.kind === 'classifier') {
      const P = d.predictProba!(X);
      assert.equal(P.cols, d.classes!.length);
      for (let i = 0; i < P.rows; i++) {
        let s = 0;
        for (let k = 0; k < P.cols; k++) s += P.data[i * P.cols + k]!;
        assert.ok(Math.abs(s - 1) < 1e-9, 'probabilities sum to 1');
      }
      assert.equal(d.score!(X, y), accuracyScore(y, d.predict!(X)));
      assert.ok(d.score!(X, y) > 0.6, `training accuracy ${d.score!(X, y)}`);
    }
    if (c.kind === 'clusterer') assert.ok(d.score!(X) <= 0);
    // 5. toJSON -> JSON text -> loadModel gives the same outputs.
    const json = JSON.parse(JSON.stringify(est));
    assert.equal(json.kind, est.kind);
    assert.equal(json.version, 1);
    const same = loadModel(json);
    assert.equal(same.kind, est.kind);
    assert.deepEqual(output(same, c.kind, X), out);
    // Refitting replaces state; the same seed gives the same model.
    const again = c.make(0);
    (again as unknown as Duck).fit(X, y);
    assert.deepEqual(output(again, c.kind, X), out);
    // Wrong number of features is a clear error.
    const narrow: Matrix = { data: new Float64Array(X.rows), rows: X.rows, cols: 1 };
    if (X.cols !== 1) assert.throws(() => output(est, c.kind, narrow), /features|columns/);
  });
}
