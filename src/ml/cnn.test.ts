// CNNClassifier on real images: digits (8x8) and a Fashion-MNIST subset, small and few epochs (the full runs are bench/cnn.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initBackends } from '../backends/index.js';
import { readIdx } from '../data/idx.js';
import { DATASETS, loadDataset } from './test-helpers.js';
import { takeRows, take, type Matrix } from './matrix.js';
import { CNNClassifier } from './cnn.js';
import { loadModel } from './registry.js';

// The fast kernels (checked against js by the backend conformance suite) keep this test to seconds.
initBackends();

test('CNNClassifier on digits: >= 95% test accuracy after 20 epochs; JSON round trip', (t) => {
  const d = loadDataset('digits/digits_8x8.csv', 'label');
  const X: Matrix = { ...d.X, data: d.X.data.map((v) => v / 16) };
  const tr = Int32Array.from({ length: X.rows }, (_, i) => i).filter((i) => i % 4 !== 3);
  const te = Int32Array.from({ length: X.rows }, (_, i) => i).filter((i) => i % 4 === 3);
  const m = new CNNClassifier({ imageShape: [1, 8, 8], channels: [8, 16], batchSize: 32, learningRateInit: 3e-3, maxIter: 20, seed: 0 })
    .fit(takeRows(X, tr), take(d.y, tr));
  const acc = m.score(takeRows(X, te), take(d.y, te));
  t.diagnostic(`digits CNN test accuracy ${acc.toFixed(4)}`);
  assert.ok(acc >= 0.95, `digits CNN accuracy ${acc}`);
  // conv 1->8 (3x3) + conv 8->16 (3x3) + dense 16·2·2 -> 10.
  assert.equal(m.parameterCount(), 8 * 9 + 8 + 16 * 8 * 9 + 16 + 64 * 10 + 10);
  const same = loadModel(JSON.parse(JSON.stringify(m))) as CNNClassifier;
  assert.deepEqual(Array.from(same.predictProba(takeRows(X, te.slice(0, 20))).data), Array.from(m.predictProba(takeRows(X, te.slice(0, 20))).data));
  assert.throws(() => m.predict({ data: new Float64Array(63), rows: 1, cols: 63 }), /features/);
});

test('CNNClassifier on a Fashion-MNIST subset: 1,500 training images, 2 epochs, >= 70% on 500 dev images', (t) => {
  const dir = join(DATASETS, 'fashion_mnist', 'small');
  const load = (part: string, n: number): { X: Matrix; y: Float64Array } => {
    const img = readIdx(join(dir, `${part}-images-idx3-ubyte.gz`));
    const lab = readIdx(join(dir, `${part}-labels-idx1-ubyte.gz`));
    return { X: { data: Float64Array.from(img.data.subarray(0, n * 784), (v) => v / 255), rows: n, cols: 784 }, y: Float64Array.from(lab.data.subarray(0, n)) };
  };
  const train = load('train', 1500);
  const dev = load('dev', 500);
  const m = new CNNClassifier({ imageShape: [1, 28, 28], channels: [8, 16], batchSize: 32, learningRateInit: 3e-3, maxIter: 2, seed: 0 }).fit(train.X, train.y);
  const acc = m.score(dev.X, dev.y);
  t.diagnostic(`fashion CNN dev accuracy ${acc.toFixed(4)}`);
  assert.ok(acc >= 0.7, `fashion CNN accuracy ${acc}`);
  assert.ok(m.state.lossCurve[1]! < m.state.lossCurve[0]!);
});
