// Inputs the estimators cannot use are refused by name, before any work (not read as 0, NaN or garbage).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ml from './index.js';
import { Tokenizer } from '../text/tokenizer.js';

test('toMatrix and toVector: null, strings, empty rows and a Matrix whose data does not match its shape', () => {
  assert.throws(() => ml.toMatrix([[1, null as unknown as number]]), /X: row 0, column 1 is null: X must hold numbers/);
  assert.throws(() => ml.toMatrix([['1' as unknown as number]]), /row 0, column 0 is the string '1'/);
  assert.throws(() => ml.toMatrix([[], []]), /X has no columns/);
  assert.throws(() => ml.toMatrix({ data: new Float64Array(3), rows: 2, cols: 2 }), /data holds 3 values, but rows x cols is 2 x 2 = 4/);
  assert.throws(() => ml.toVector(['a', 'b'] as unknown as number[], 2), /y\[0\] is the string 'a': y must be numbers \(encode class names with LabelEncoder first\)/);
  assert.throws(() => ml.toVector([1, null as unknown as number], 2), /y\[1\] is null/);
  assert.throws(() => ml.toVector(undefined as unknown as number[], 2), /y must be an array of numbers, got undefined/);
  assert.deepEqual([...ml.toVector(Float32Array.of(1, 2), 2)], [1, 2]); // typed arrays pass as before
  assert.throws(() => new ml.LogisticRegression().fit([[0], [1], [2], [3]], ['a', 'b', 'a', 'b'] as unknown as number[]), /LabelEncoder/);
});

test('PolynomialFeatures: the output width is counted before it is built', () => {
  const row = Array.from({ length: 10 }, (_, i) => i);
  assert.throws(() => new ml.PolynomialFeatures({ degree: 40 }).fit([row]), /degree 40 on 10 features makes .* columns \(more than 1,000,000\)/);
  assert.throws(() => new ml.PolynomialFeatures({ degree: 0 }).fit([row]), /degree must be a whole number >= 1, got 0/);
  assert.equal(new ml.PolynomialFeatures({ degree: 2 }).fit([row]).transform([row]).cols, 66); // C(12, 2)
  assert.equal(new ml.PolynomialFeatures({ degree: 2, interactionOnly: true, includeBias: false }).fit([row]).transform([row]).cols, 55); // 10 + 45
});

test('the histogram boosters are exported, and an empty special token is refused in tokenizer training', () => {
  assert.equal(typeof ml.HistGradientBoostingClassifier, 'function');
  assert.equal(new ml.HistGradientBoostingRegressor().kind, 'HistGradientBoostingRegressor');
  assert.throws(() => Tokenizer.train(['hello'], { vocabSize: 260, specialTokens: [''] }), /special tokens must be non-empty strings/);
});

test('hyper-parameters out of range are refused when the estimator is made, naming it, the parameter and what it takes', () => {
  assert.throws(() => new ml.DecisionTreeRegressor({ maxDepth: -1 }), /DecisionTreeRegressor: maxDepth must be null \(no limit\) or a whole number >= 1, got -1/);
  assert.throws(() => new ml.RandomForestClassifier({ nEstimators: 2.5 }), /nEstimators must be a whole number >= 1, got 2\.5/);
  assert.throws(() => new ml.KMeans({ k: 2.5 }), /KMeans: k must be a whole number >= 1, got 2\.5/);
  assert.throws(() => new ml.LogisticRegression({ C: 0 }), /C must be a finite number > 0, got 0/);
  assert.throws(() => new ml.MLPClassifier({ activation: 'bogus' as never }), /activation must be one of 'relu', 'tanh', 'logistic', 'gelu', got 'bogus'/);
  assert.throws(() => new ml.KNeighborsClassifier({ weights: 'bogus' as never }), /weights must be one of 'uniform', 'distance'/);
  assert.throws(() => new ml.SimpleImputer({ strategy: 'bogus' as never }), /strategy must be one of/);
  assert.throws(() => new ml.GaussianNB({ varSmoothing: -1 }), /varSmoothing must be a finite number >= 0, got -1/);
  // Conventions that stay: -1 cores, no depth limit.
  assert.equal(new ml.RandomForestRegressor({ nJobs: -1, maxDepth: null }).params.nJobs, -1);
});

test('metrics refuse NaN labels and values, and averaging options that do not apply, as scikit-learn does', () => {
  assert.throws(() => ml.accuracyScore([0, NaN, 1], [0, 1, 1]), /the true labels have NaN at index 1/);
  assert.throws(() => ml.meanSquaredError([1, 2], [1, NaN]), /the predictions have NaN at index 1/);
  assert.throws(() => ml.r2Score([1, Infinity], [1, 2]), /the true values have Infinity at index 1/);
  assert.throws(() => ml.precisionRecallF1([0, 1], [0, 1], { average: 'bogus' as never }), /average must be 'macro', 'micro', 'weighted' or 'binary', got 'bogus'/);
  assert.throws(() => ml.precisionRecallF1([0, 1, 2], [0, 1, 2], { average: 'binary' }), /average 'binary' needs two labels, the data has 3/);
  assert.throws(() => ml.precisionRecallF1([0, 1], [0, 1], { average: 'binary', posLabel: 7 }), /posLabel 7 is not one of the labels \(0, 1\)/);
  assert.equal(ml.precisionRecallF1([0, 1, 1], [0, 1, 1], { average: 'binary' }).f1, 1);
});

test('preprocessing: codes outside the classes, ragged category rows and inverse transforms of another width are refused', () => {
  const le = new ml.LabelEncoder().fit(['a', 'b']);
  assert.deepEqual(le.decode([1, 0]), ['b', 'a']);
  assert.throws(() => le.decode([5]), /code 5 at index 0 is not one of 0\.\.1/);
  assert.throws(() => le.decode([0.5]), /code 0\.5/);
  assert.throws(() => new ml.OneHotEncoder().fit([['a', 'b'], ['c']]), /row 1 has 1 values, expected 2/);
  const sc = new ml.StandardScaler().fit([[1, 2], [3, 4]]);
  assert.throws(() => sc.inverseTransform([[1, 2, 3]]), /3/);
});

test('model selection: given splits outside the rows, an empty grid entry and a scoring that is not a function are named', () => {
  const X = [[0], [1], [2], [3]];
  const y = [0, 1, 2, 3];
  const make = () => new ml.LinearRegression();
  assert.throws(() => ml.crossValidate(make, X, y, { cv: [{ train: Int32Array.of(0, 1), test: Int32Array.of(99) }] }), /split 0's test rows include 99, not a row of the 4/);
  assert.throws(() => ml.crossValidate(make, X, y, { cv: [] }), /cv is an empty list of splits/);
  assert.throws(() => ml.crossValidate(make, X, y, { cv: 2, scoring: 'r2' as never }), /scoring must be a function/);
  assert.throws(() => ml.parameterGrid({ alpha: 1 } as never), /parameterGrid: alpha must be a non-empty array of values, got 1/);
});

test('text and scaling inputs: non-string documents and texts, bad n-gram ranges, reversed feature ranges, PCA on one row', () => {
  assert.throws(() => new ml.CountVectorizer().fit(['a b', 42 as never]), /each document must be a string, got number/);
  assert.throws(() => new ml.CountVectorizer({ ngramRange: [2, 1] }).fit(['a b c']), /ngramRange must be \[min, max\] whole numbers with 1 <= min <= max, got \[2, 1\]/);
  assert.throws(() => new ml.MinMaxScaler({ featureRange: [1, 0] }), /featureRange must be \[min, max\] finite with min < max, got \[1, 0\]/);
  assert.throws(() => new ml.PCA().fit([[1, 2]]), /PCA: needs at least 2 rows, got 1/);
  const tok = Tokenizer.train(['hello world'], { vocabSize: 260 });
  assert.throws(() => tok.encode(null as never), /encode: the text must be a string, got null/);
  assert.throws(() => tok.encode(42 as never), /got number/);
});

test('clustering metrics: lengths, widths and labels that do not match are named (they returned NaN or a plausible wrong number)', () => {
  const X = [[0, 0], [1, 1], [9, 9]];
  assert.throws(() => ml.inertia(X, [0, 0, 1], [[0, 0, 0], [9, 9, 9]]), /centers have 3 columns, X has 2/);
  assert.throws(() => ml.inertia(X, [0, 0, 5], [[0, 0], [9, 9]]), /label 5 at row 2 is not a center \(0\.\.1\)/);
  assert.throws(() => ml.silhouetteScore(X, [0, 1]), /2 labels for 3 rows/);
  assert.throws(() => ml.adjustedRandScore([], []), /no samples/);
  assert.equal(ml.inertia(X, [0, 0, 1], [[0.5, 0.5], [9, 9]]), 1);
});

test('a tokenizer whose vocabulary gives one id to two tokens is refused (one would decode as the other)', () => {
  const t = Tokenizer.train(['hello world'], { vocabSize: 260 });
  const json = t.toJSON() as { model: { vocab: Record<string, number> } };
  const [a, b] = Object.keys(json.model.vocab);
  json.model.vocab[b!] = json.model.vocab[a!]!;
  assert.throws(() => Tokenizer.fromJSON(json as never), /gives id \d+ to both/);
});
