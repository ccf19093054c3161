// The saved model file: a round trip, and one line naming the file and the field for each kind of damage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { table } from '../../data/table.js';
import { fitTabular } from './fit.js';
import { loadTabular, readModelFile } from './model-file.js';
import { predictTabular } from './predict.js';

const x = Float64Array.from({ length: 30 }, (_, i) => i);
const t = table([
  { kind: 'numeric', name: 'x', values: x },
  { kind: 'categorical', name: 'size', values: Array.from(x, (v) => (v < 15 ? 'small' : 'big')) },
  { kind: 'numeric', name: 'y', values: x.map((v) => 2 * v + 0.5) },
]);
const saved = JSON.parse(JSON.stringify(fitTabular(t, { target: 'y', model: 'ridge' }).file)) as Record<string, unknown>;

test('save -> load -> the same predictions', () => {
  const m = loadTabular(saved, 'm.json');
  const direct = fitTabular(t, { target: 'y', model: 'ridge' });
  assert.deepEqual(predictTabular(m, t), predictTabular(loadTabular(JSON.parse(JSON.stringify(direct.file))), t));
  assert.equal(m.file.task, 'regression');
});

test('damaged files: one line naming the file and the field', () => {
  const bad = (patch: Record<string, unknown>): Record<string, unknown> => ({ ...saved, ...patch });
  assert.throws(() => loadTabular([1, 2], 'm.json'), /m\.json: not a moxing model file/);
  assert.throws(() => loadTabular(bad({ formatVersion: 2 }), 'm.json'), /m\.json: model file format version 2 is not supported/);
  assert.throws(() => loadTabular(bad({ model: 'svm' }), 'm.json'), /m\.json: model: .+ \(got string "svm"\)/);
  const features = [{ name: 'x', kind: 'text' }];
  assert.throws(() => loadTabular(bad({ features }), 'm.json'), /m\.json: features\.0\.kind: .+ \(got string "text"\)/);
  assert.throws(() => loadTabular(bad({ target: undefined }), 'm.json'), /m\.json: target: .+ \(it is missing\)/);
  assert.throws(() => loadTabular(bad({ task: 'classification', labels: null }), 'm.json'), /m\.json: labels: a classifier's file needs its class labels/);
  assert.throws(() => loadTabular(bad({ task: 'clustering' }), 'm.json'), /m\.json: estimator: a Ridge cannot do the file's task \(clustering\)/);
  assert.throws(() => loadTabular(bad({ preprocessor: saved.estimator }), 'm.json'), /m\.json: preprocessor: expected a ColumnTransformer, got Ridge/);
  assert.throws(() => loadTabular(bad({ estimator: { kind: 'Nope', version: 1, params: {}, state: {} } }), 'm.json'), /m\.json: unknown model kind 'Nope'/);
  // A fitted state that is not there fails at load, not at the first prediction (or a server's first request).
  const estimator = saved.estimator as Record<string, unknown>;
  assert.throws(() => loadTabular(bad({ estimator: { ...estimator, state: null } }), 'm.json'), /m\.json: Ridge: "state" must be an object \(the fitted model\), got null/);
  // So does a fitted field of the wrong type or size, in the estimator or the preprocessor: named, with the file.
  const state = estimator.state as Record<string, unknown>;
  assert.throws(() => loadTabular(bad({ estimator: { ...estimator, state: { ...state, coef: 'abc' } } }), 'm.json'), { message: 'm.json: Ridge: state.coef: expected float64 values {"$f64": [...]} (got string "abc")' });
  const pre = saved.preprocessor as { state: Record<string, { mean: { $f64: unknown[] } }> };
  const scaler = { ...pre.state.scaler, mean: { $f64: [0, 0] } };
  assert.throws(() => loadTabular(bad({ preprocessor: { ...pre, state: { ...pre.state, scaler } } }), 'm.json'), /^TabularError: m\.json: ColumnTransformer: state\.scaler\.scale: has 1 values, expected 2 \(one per column, as mean\)/);
});

test('readModelFile: missing and unreadable files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-model-file-'));
  try {
    assert.throws(() => readModelFile(join(dir, 'none.json')), /none\.json: no such file/);
    writeFileSync(join(dir, 'junk.json'), '{"format": ');
    assert.throws(() => readModelFile(join(dir, 'junk.json')), /junk\.json: not a moxing model file \(not valid JSON\)/);
    assert.throws(() => readModelFile(dir), /: is a directory, expected a model file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
