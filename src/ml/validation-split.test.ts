import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/random.js';
import { earlyStoppingSplit } from './validation-split.js';

test('earlyStoppingSplit: a held-out tenth, disjoint from the rest, together every row once', () => {
  const { trainIdx, valIdx } = earlyStoppingSplit(25, true, 0.1, new Rng(3));
  assert.equal(valIdx!.length, 2); // floor(2.5)
  assert.equal(trainIdx.length, 23);
  assert.deepEqual([...trainIdx, ...valIdx!].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
  // The validation rows are the permutation's first: the same seed gives the same split.
  assert.deepEqual([...valIdx!], [...new Rng(3).permutation(25).slice(0, 2)]);
});

test('earlyStoppingSplit: without early stopping every row trains and no random number is drawn', () => {
  const rng = new Rng(7);
  const { trainIdx, valIdx } = earlyStoppingSplit(4, false, 0.5, rng);
  assert.deepEqual([...trainIdx], [0, 1, 2, 3]);
  assert.equal(valIdx, null);
  assert.equal(rng.next(), new Rng(7).next());
});

test('earlyStoppingSplit: at least one validation row, and one row left to train', () => {
  assert.equal(earlyStoppingSplit(5, true, 0.01, new Rng(0)).valIdx!.length, 1);
  assert.throws(() => earlyStoppingSplit(1, true, 0.1, new Rng(0)), /needs more rows than the validation part/);
});
