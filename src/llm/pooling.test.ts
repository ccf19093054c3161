// Pooling: padded batches, and texts longer than the context read in windows and pooled as one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from './gpt.js';
import { GPTClassifier, type ClassifyTask } from './classify.js';
import { padBatch, pool, poolGroups } from './pooling.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('poolGroups averages every real token of a group\'s windows and takes the last token of its last window', () => {
  // 3 windows of T=2, C=1: values 1..6; window lengths 2, 1, 2; windows 0 and 1 are text 0.
  const h = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2, 1]);
  close(poolGroups(h, [2, 1, 2], [0, 0, 1], 2, 'mean').dataSync(), [(1 + 2 + 3) / 3, (5 + 6) / 2]);
  close(poolGroups(h, [2, 1, 2], [0, 0, 1], 2, 'last').dataSync(), [3, 6]);
  // One window per group is the plain pool.
  close(pool(h, [2, 1, 2], 'mean').dataSync(), [1.5, 3, 5.5]);
  assert.throws(() => poolGroups(h, [2, 1], [0, 0, 1], 2, 'mean'), /3 windows but 2 lengths/);
});

test('a classifier reads a text longer than its context in windows: the features are the token-weighted mean of the windows', () => {
  const tokenizer = Tokenizer.train(['the tea was great and lovely', 'the soup was awful and stale'], { vocabSize: 280, specialTokens: ['<|endoftext|>'] });
  const model = new GPT({ vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0, bias: true }, { seed: 3 });
  const task: ClassifyTask = { type: 'classify', labels: ['great', 'other'], pooling: 'mean', maxLength: 8, maxWindows: 3 };
  const clf = new GPTClassifier(model, tokenizer, task);
  const ids = Array.from({ length: 30 }, (_, i) => 3 + ((i * 7) % 200));
  assert.equal(clf.encode(tokenizer.decode(ids)).length <= 24, true, 'cut after maxWindows windows');
  const seq = ids.slice(0, 19); // windows of 8, 8 and 3 tokens
  noGrad(() => {
    const whole = clf.features([seq]).dataSync();
    const parts = [seq.slice(0, 8), seq.slice(8, 16), seq.slice(16)].map((w) => {
      const { ids: t, lengths } = padBatch([w], 0);
      return { v: pool(model.hidden(t), lengths, 'mean').dataSync(), n: w.length };
    });
    const expected = new Float32Array(16);
    for (const { v, n } of parts) for (let c = 0; c < 16; c++) expected[c] += (v[c] * n) / 19;
    close(whole, expected, 1e-5);
    // A batch mixing a long and a short text gives each the same features as alone.
    const mixed = clf.features([seq, seq.slice(0, 5)]).dataSync();
    close(mixed.subarray(0, 16), whole, 1e-5);
    close(mixed.subarray(16), clf.features([seq.slice(0, 5)]).dataSync(), 1e-5);
  });
  // Models fine-tuned before windows (no maxWindows) keep reading the beginning only.
  const old = new GPTClassifier(model, tokenizer, { ...task, maxWindows: undefined });
  assert.deepEqual(old.encode(tokenizer.decode(ids)), tokenizer.encode(tokenizer.decode(ids), { allowSpecial: false }).slice(0, 8));
});
