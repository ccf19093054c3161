// Every estimator against an independent reference: scikit-learn fixtures (scripts/make-ml-fixtures.py) on real data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadDataset } from './test-helpers.js';
import { matrix, takeRows, take, type Matrix } from './matrix.js';
import { LinearRegression, Ridge, Lasso, ElasticNet } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './tree.js';
import { GaussianNB, MultinomialNB } from './naive-bayes.js';
import { KNeighborsClassifier, KNeighborsRegressor } from './knn.js';
import { KMeans } from './kmeans.js';
import { PCA } from './pca.js';
import { StandardScaler } from './preprocessing/scalers.js';
import { PolynomialFeatures } from './preprocessing/polynomial.js';
import { CountVectorizer, TfidfVectorizer } from './preprocessing/text.js';
import * as M from './metrics/index.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/sklearn.json', import.meta.url), 'utf8'));

function close(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    assert.ok(d <= tol * Math.max(1, Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}
const range = (a: number, b: number, step = 1): Int32Array => Int32Array.from({ length: Math.ceil((b - a) / step) }, (_, i) => a + i * step);

const diabetes = loadDataset('diabetes/diabetes_raw.csv', 'target', 200);
const cancer = loadDataset('breast_cancer/wdbc_diagnostic_sklearn.csv', 'diagnosis');
const iris = loadDataset('iris/iris_sklearn.csv', 'species');
const digits = loadDataset('digits/digits_8x8.csv', 'label');

test('LinearRegression and Ridge equal scikit-learn on diabetes', () => {
  const lin = new LinearRegression().fit(diabetes.X, diabetes.y);
  close(lin.state.coef, fx.linear.coef, 1e-6, 'ols coef');
  close([lin.state.intercept], [fx.linear.intercept], 1e-6, 'ols intercept');
  const r = new Ridge({ alpha: 1 }).fit(diabetes.X, diabetes.y);
  close(r.state.coef, fx.ridge.coef, 1e-8, 'ridge coef');
  close([r.state.intercept], [fx.ridge.intercept], 1e-8, 'ridge intercept');
});

test('Lasso and ElasticNet (coordinate descent) equal scikit-learn on standardized diabetes', () => {
  const Xs = new StandardScaler().fitTransform(diabetes.X);
  const la = new Lasso({ alpha: 1, tol: 1e-10, maxIter: 100000 }).fit(Xs, diabetes.y);
  close(la.state.coef, fx.lasso.coef, 1e-5, 'lasso coef');
  assert.ok(la.state.coef.some((c) => c === 0), 'lasso zeroes some coefficients');
  const en = new ElasticNet({ alpha: 0.5, l1Ratio: 0.3, tol: 1e-10, maxIter: 100000 }).fit(Xs, diabetes.y);
  close(en.state.coef, fx.elasticnet.coef, 1e-5, 'enet coef');
  close([en.state.intercept], [fx.elasticnet.intercept], 1e-8, 'enet intercept');
});

test('LogisticRegression (L-BFGS) converges to scikit-learn\'s solution: binary and multinomial', () => {
  const Xs = new StandardScaler().fitTransform(cancer.X);
  const b = new LogisticRegression({ C: 0.5, tol: 1e-10, maxIter: 10000 }).fit(Xs, cancer.y);
  assert.ok(b.state.converged);
  close(b.state.coef, fx.logisticBinary.coef, 1e-4, 'binary coef');
  close(b.predictProba(takeRows(Xs, range(0, 10))).data, fx.logisticBinary.proba, 1e-5, 'binary proba');
  const m = new LogisticRegression({ C: 1, tol: 1e-10, maxIter: 10000 }).fit(iris.X, iris.y);
  close(m.state.coef, fx.logisticMultinomial.coef, 1e-3, 'multinomial coef');
  close(m.predictProba(takeRows(iris.X, range(0, iris.X.rows, 10))).data, fx.logisticMultinomial.proba, 1e-4, 'multinomial proba');
});

test('decision trees grow the same CART trees as scikit-learn', () => {
  const r = new DecisionTreeRegressor({ maxDepth: 3 }).fit(diabetes.X, diabetes.y);
  close(r.predict(diabetes.X), fx.treeRegressor.pred, 1e-9, 'tree regressor');
  assert.equal(r.parameterCount(), fx.treeRegressor.nodes);
  const train = range(0, 300);
  const c = new DecisionTreeClassifier({ maxDepth: 2, criterion: 'entropy' }).fit(takeRows(cancer.X, train), take(cancer.y, train));
  const test = takeRows(cancer.X, range(300, cancer.X.rows));
  assert.deepEqual(Array.from(c.predict(test)), fx.treeClassifier.pred);
  close(c.predictProba(takeRows(test, range(0, 20))).data, fx.treeClassifier.proba, 1e-12, 'tree proba');
});

test('naive Bayes equals scikit-learn', () => {
  const g = new GaussianNB().fit(iris.X, iris.y);
  close(g.predictProba(takeRows(iris.X, range(0, iris.X.rows, 7))).data, fx.gaussianNB.proba, 1e-6, 'gaussian');
  const tr = range(0, 1000);
  const mn = new MultinomialNB().fit(takeRows(digits.X, tr), take(digits.y, tr));
  close(mn.predictProba(takeRows(digits.X, range(1000, 1010))).data, fx.multinomialNB.proba, 1e-6, 'multinomial');
  const rest = range(1000, digits.X.rows);
  assert.equal(mn.score(takeRows(digits.X, rest), take(digits.y, rest)), fx.multinomialNB.accuracy);
});

test('k-nearest neighbours equal scikit-learn', () => {
  const even = range(0, iris.X.rows, 2);
  const odd = range(1, iris.X.rows, 2);
  const c = new KNeighborsClassifier({ nNeighbors: 5 }).fit(takeRows(iris.X, even), take(iris.y, even));
  assert.deepEqual(Array.from(c.predict(takeRows(iris.X, odd))), fx.knnClassifier.pred);
  close(c.predictProba(takeRows(iris.X, odd)).data, fx.knnClassifier.proba, 1e-12, 'knn proba');
  const tr = range(0, 150);
  const r = new KNeighborsRegressor({ nNeighbors: 4, weights: 'distance' }).fit(takeRows(diabetes.X, tr), take(diabetes.y, tr));
  close(r.predict(takeRows(diabetes.X, range(150, 200))), fx.knnRegressor.pred, 1e-9, 'knn regressor');
});

test('KMeans finds scikit-learn\'s optimum on iris; PCA matches its explained variance on digits', () => {
  const km = new KMeans({ k: 3, nInit: 10, seed: 0 }).fit(iris.X);
  close([km.state.inertia], [fx.kmeansIris.inertia], 1e-6, 'inertia');
  close([M.adjustedRandScore(iris.y, km.predict(iris.X))], [fx.kmeansIris.ari], 1e-9, 'ari');
  close([M.inertia(iris.X, km.predict(iris.X), matrix(3, 4, km.state.centers))], [km.state.inertia], 1e-9, 'metric inertia');
  const pca = new PCA({ nComponents: 5 }).fit(digits.X);
  close(pca.state.explainedVariance, fx.pca.explainedVariance, 1e-8, 'explained variance');
  close(pca.state.explainedVarianceRatio, fx.pca.ratio, 1e-8, 'ratio');
  // Components are orthonormal: project and reconstruct with all 64 components is the identity.
  const full = new PCA().fit(digits.X);
  const back = full.inverseTransform(full.transform(takeRows(digits.X, range(0, 5))));
  close(back.data, Array.from(takeRows(digits.X, range(0, 5)).data), 1e-8, 'reconstruction');
});

test('PolynomialFeatures and text vectorizers (Chinese character n-grams) equal scikit-learn', () => {
  const X: Matrix = matrix(2, 3, Float64Array.from(fx.polynomial.X));
  const P = new PolynomialFeatures({ degree: 3 }).fitTransform(X);
  assert.equal(P.cols, fx.polynomial.cols);
  close(P.data, fx.polynomial.out, 1e-12, 'poly');
  const docs: string[] = fx.text.docs;
  const cv = new CountVectorizer({ analyzer: 'char', ngramRange: [1, 2] }).fit(docs);
  assert.deepEqual(cv.featureNames(), fx.text.charVocab);
  assert.deepEqual(Array.from(cv.transform(docs).data), fx.text.charCounts);
  const tv = new TfidfVectorizer({ analyzer: 'char', ngramRange: [1, 2] });
  close(tv.fitTransform(docs).data, fx.text.charTfidf, 1e-12, 'char tfidf');
  const tw = new TfidfVectorizer({ sublinearTf: true }).fit(docs);
  assert.deepEqual(tw.featureNames(), fx.text.wordVocab);
  close(tw.transform(docs).data, fx.text.wordTfidfSublinear, 1e-12, 'word tfidf');
});

test('metrics equal scikit-learn; hand-checked cases', () => {
  const m = fx.metrics;
  assert.equal(M.accuracyScore(m.yTrue, m.yPred), m.accuracy);
  close([M.f1Score(m.yTrue, m.yPred, { average: 'macro' })], [m.f1Macro], 1e-12, 'f1 macro');
  close([M.f1Score(m.yTrue, m.yPred, { average: 'weighted' })], [m.f1Weighted], 1e-12, 'f1 weighted');
  close([M.precisionScore(m.yTrue, m.yPred)], [m.precisionMacro], 1e-12, 'precision');
  close([M.recallScore(m.yTrue, m.yPred, { average: 'weighted' })], [m.recallWeighted], 1e-12, 'recall');
  assert.deepEqual(M.confusionMatrix(m.yTrue, m.yPred).matrix, m.confusion);
  close([M.rocAucScore(m.yBin, m.scores)], [m.rocAuc], 1e-12, 'auc');
  close([M.logLoss(m.yTrue, matrix(60, 3, Float64Array.from(m.proba)))], [m.logLoss], 1e-12, 'log loss');
  close([M.silhouetteScore(matrix(40, 2, Float64Array.from(m.X)), m.labels)], [m.silhouette], 1e-12, 'silhouette');
  close([M.adjustedRandScore(m.yTrue, m.yPred)], [m.ari], 1e-12, 'ari');
  // Hand-checked: (0 + 4) / 2 = 2; perfect and constant predictions.
  assert.equal(M.meanSquaredError([1, 2], [1, 4]), 2);
  assert.equal(M.rootMeanSquaredError([0, 0], [3, 3]), 3);
  assert.equal(M.meanAbsoluteError([1, 2], [2, 4]), 1.5);
  assert.equal(M.r2Score([1, 2, 3], [2, 2, 2]), 0);
  assert.equal(M.rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
});
