// Saved state checked at load: every kind's real state passes; a damaged field is named, with its kind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyEstimator } from './base.js';
import { ESTIMATORS, loadModel } from './registry.js';
import { STATE_SCHEMAS } from './state-schemas.js';
import { table } from '../data/table.js';
import { Pipeline } from './pipeline.js';
import { Ridge } from './linear.js';
import { StandardScaler } from './preprocessing/scalers.js';

// 20 rows, 2 columns; y with two or three classes, or a ramp.
const X = { data: Float64Array.from({ length: 40 }, (_, i) => ((i * 7) % 11) + (i % 3)), rows: 20, cols: 2 };
const y3 = Float64Array.from({ length: 20 }, (_, i) => i % 3);
const y2 = Float64Array.from({ length: 20 }, (_, i) => i % 2);
const yr = Float64Array.from({ length: 20 }, (_, i) => i * 0.5);

/** Every registered kind fitted small (classifiers on `y`); the inputs that are not matrices by kind. */
function fitted(kind: string, y: Float64Array): AnyEstimator {
  const C = ESTIMATORS[kind]!;
  type Fit = AnyEstimator & { fit(...a: unknown[]): AnyEstimator };
  if (kind === 'CNNClassifier') return (new C({ imageShape: [1, 1, 2], channels: [2], kernelSize: 1, maxIter: 2 }) as Fit).fit(X, y);
  if (kind === 'ColumnTransformer') return (new C() as Fit).fit(table([{ kind: 'numeric', name: 'a', values: Float64Array.of(1, 2, NaN) }, { kind: 'categorical', name: 'b', values: ['x', null, 'y'] }]));
  if (kind === 'OneHotEncoder') return (new C({ minFrequency: 2 }) as Fit).fit([['a', 'b'], ['c', null], ['a', 'b']]);
  if (kind === 'CountVectorizer' || kind === 'TfidfVectorizer') return (new C() as Fit).fit(['hello world', 'world peace']);
  if (kind === 'LabelEncoder') return (new C() as Fit).fit(['b', 'a']);
  const small: Record<string, unknown> = { maxIter: 5, nEstimators: 3, hiddenLayerSizes: [4], k: 2, nComponents: 1 };
  const defaults = new C().params as Record<string, unknown>;
  const e = new C(Object.fromEntries(Object.entries(small).filter(([k]) => k in defaults))) as Fit;
  return e.fit(X, /Classifier|Logistic|NB$/.test(kind) ? y : yr);
}

test('every kind has a state schema, and its real fitted state passes it (two and three classes)', () => {
  for (const kind of Object.keys(ESTIMATORS)) {
    assert.ok(STATE_SCHEMAS[kind], `${kind} has no state schema`);
    for (const y of [y2, y3]) {
      const e = fitted(kind, y);
      const back = loadModel(JSON.parse(JSON.stringify(e)));
      assert.deepEqual(JSON.stringify(back), JSON.stringify(e), kind);
    }
  }
  // Categorical splits: their bitsets' offsets point inside `bits`.
  const HGB = ESTIMATORS.HistGradientBoostingRegressor!;
  const cats = (new HGB({ maxIter: 3, minSamplesLeaf: 2, categoricalFeatures: [0] }) as AnyEstimator & { fit(X: unknown, y: unknown): AnyEstimator }).fit(X, yr);
  const json = JSON.parse(JSON.stringify(cats)) as { state: { trees: { catOffset: { $i32: number[] } }[] } };
  assert.ok(json.state.trees.some((t) => t.catOffset.$i32.some((o) => o >= 0)), 'a categorical split was made');
  loadModel(json);
});

/** A Ridge's, a forest's or another model's saved JSON with `patch` applied to its state. */
function damaged(e: AnyEstimator, patch: (state: Record<string, any>) => void): unknown {
  const json = JSON.parse(JSON.stringify(e)) as { state: Record<string, any> };
  patch(json.state);
  return json;
}

test('a field of the wrong type is refused at load, naming the kind and the field', () => {
  const ridge = new Ridge().fit(X, yr);
  // Before: "X has 1 features, but the model was fitted with 3" at predict, and NaN for a string intercept.
  assert.throws(() => loadModel(damaged(ridge, (s) => { s.coef = 'abc'; })), { name: 'ModelFormatError', message: 'Ridge: state.coef: expected float64 values {"$f64": [...]} (got string "abc")' });
  assert.throws(() => loadModel(damaged(ridge, (s) => { s.coef = [1, 2]; })), /^ModelFormatError: Ridge: state\.coef: expected float64 values \{"\$f64": \[\.\.\.\]\} \(got an array\)/);
  assert.throws(() => loadModel(damaged(ridge, (s) => { s.coef.$f64[1] = '2'; })), { message: 'Ridge: state.coef.$f64.1: expected a number (got string "2")' });
  assert.throws(() => loadModel(damaged(ridge, (s) => { s.intercept = 'x'; })), { message: 'Ridge: state.intercept: expected a number (got string "x")' });
  assert.throws(() => loadModel(damaged(ridge, (s) => { s.intercept = { $num: 'lots' }; })), /Ridge: state\.intercept: expected a number \(got an object\)/);
  assert.throws(() => loadModel(damaged(ridge, (s) => { delete s.nIter; })), /Ridge: state\.nIter: .+ \(it is missing\)/);
  const tree = fitted('DecisionTreeClassifier', y3);
  assert.throws(() => loadModel(damaged(tree, (s) => { s.tree.left.$i32[0] = 1.5; })), { message: 'DecisionTreeClassifier: state.tree.left.$i32.0: expected an int32 (a whole number in [-2^31, 2^31)) (got number 1.5)' });
});

test('a field of the wrong size is refused at load: arrays that disagree, trees that loop or split on no column', () => {
  const scaler = new StandardScaler().fit(X);
  assert.throws(() => loadModel(damaged(scaler, (s) => { s.scale.$f64.pop(); })), { message: 'StandardScaler: state.scale: has 1 values, expected 2 (one per column, as mean) (got an object)' });
  const forest = fitted('RandomForestClassifier', y3);
  // A child pointing back at the root made predict loop forever.
  assert.throws(() => loadModel(damaged(forest, (s) => { s.trees[1].left.$i32[0] = 0; })), /RandomForestClassifier: state\.trees\.1\.left\.\$i32\.0: node 0's child 0 is not a later node of the \d+/);
  assert.throws(() => loadModel(damaged(forest, (s) => { s.trees[0].feature.$i32[0] = 7; })), /RandomForestClassifier: state\.trees\.0\.feature\.\$i32\.0: splits on feature 7, but the model has 2 features/);
  assert.throws(() => loadModel(damaged(forest, (s) => { s.classes.pop(); })), /RandomForestClassifier: state\.trees\.0\.nOutputs: is 3, expected 2 \(one per class\)/);
  const logistic = fitted('LogisticRegression', y3);
  assert.throws(() => loadModel(damaged(logistic, (s) => { s.intercept.$f64.pop(); })), /LogisticRegression: state\.intercept: has 2 values, expected 3 \(one per weight row for 3 classes\)/);
  const ct = fitted('ColumnTransformer', y3);
  assert.throws(() => loadModel(damaged(ct, (s) => { s.encoder = null; })), /ColumnTransformer: state\.encoder: is null, but there are 1 categorical columns/);
});

test('a Pipeline names the step whose state is damaged; a pipeline without its steps is refused', () => {
  const pipe = new Pipeline([['scale', new StandardScaler()], ['model', new Ridge()]]).fit(X, yr);
  const json = JSON.parse(JSON.stringify(pipe)) as { state: { steps: { state: Record<string, unknown> }[] } };
  assert.deepEqual(Array.from((loadModel(json) as Pipeline).predict(X)), Array.from(pipe.predict(X)));
  json.state.steps[1]!.state.coef = null;
  assert.throws(() => loadModel(json), /^ModelFormatError: Pipeline: state\.steps\.1 \('model'\): Ridge: state\.coef: expected float64 values/);
  assert.throws(() => loadModel({ ...json, state: {} }), /Pipeline: "state\.steps" must be the 2 saved steps/);
});
