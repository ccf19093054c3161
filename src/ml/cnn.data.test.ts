// Opt-in (`npm run test:data`): CNNClassifier on a larger Fashion-MNIST subset from the full shared data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { initBackends } from '../backends/index.js';
import { readIdx } from '../data/idx.js';
import { sharedDatasets } from '../data/test-datasets.js';
import type { Matrix } from './matrix.js';
import { CNNClassifier } from './cnn.js';

initBackends();

test('CNNClassifier on a Fashion-MNIST subset: 1,500 training images, 2 epochs, >= 70% on 500 dev images', (t) => {
  const dir = join(sharedDatasets(), 'fashion_mnist', 'small');
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
