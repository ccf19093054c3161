// CNNClassifier on real images: digits (8x8) and a Fashion-MNIST subset, small and few epochs (the full
// runs are bench/cnn.ts; the 1,500-image run is in cnn.data.test.ts, `npm run test:data`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { readIdx } from '../data/idx.js';
import { fixturePath } from '../data/test-datasets.js';
import { loadDataset } from './test-helpers.js';
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

test('CNNClassifier on real Fashion-MNIST images (the committed cut): 600 training images, 4 epochs, >= 70% on 200 dev images', (t) => {
  const load = (part: string): { X: Matrix; y: Float64Array } => {
    const img = readIdx(fixturePath(`fashion_mnist/small/${part}-images-idx3-ubyte.gz`));
    const lab = readIdx(fixturePath(`fashion_mnist/small/${part}-labels-idx1-ubyte.gz`));
    return { X: { data: Float64Array.from(img.data, (v) => v / 255), rows: img.shape[0]!, cols: 784 }, y: Float64Array.from(lab.data) };
  };
  const train = load('train');
  const dev = load('dev');
  assert.equal(train.X.rows, 600);
  const m = new CNNClassifier({ imageShape: [1, 28, 28], channels: [8, 16], batchSize: 32, learningRateInit: 1e-2, maxIter: 4, seed: 0 }).fit(train.X, train.y);
  const acc = m.score(dev.X, dev.y);
  t.diagnostic(`fashion CNN dev accuracy ${acc.toFixed(4)}`);
  assert.ok(acc >= 0.7, `fashion CNN accuracy ${acc}`);
  assert.ok(m.state.lossCurve[1]! < m.state.lossCurve[0]!);
});
