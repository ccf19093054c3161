import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../tensor/random.js';
import { lengthGroupedBatches } from './length-batches.js';

const lengths = Array.from({ length: 1003 }, (_, i) => 5 + ((i * 7919) % 400));

/** Tokens a batch costs when padded to its longest sequence. */
const padded = (batches: number[][]) => batches.reduce((sum, b) => sum + b.length * Math.max(...b.map((i) => lengths[i])), 0);

test('each index once per epoch, in ceil(n / batch) batches, and far less padding than random batches', () => {
  const batches = lengthGroupedBatches(lengths, 16, new Rng(0));
  assert.equal(batches.length, Math.ceil(lengths.length / 16));
  assert.deepEqual(batches.flat().sort((a, b) => a - b), lengths.map((_, i) => i));
  assert.equal(batches.filter((b) => b.length !== 16).length, 1);
  const order = Array.from(new Rng(0).permutation(lengths.length));
  const random = Array.from({ length: batches.length }, (_, k) => order.slice(16 * k, 16 * k + 16));
  const real = lengths.reduce((a, b) => a + b, 0);
  assert.ok(padded(batches) < 1.1 * real, `grouped: ${padded(batches)} padded tokens for ${real}`);
  assert.ok(padded(random) > 1.6 * real, `random: ${padded(random)} padded tokens for ${real}`);
});

test('the same seed gives the same batches; another seed other batches; the batch order is shuffled', () => {
  assert.deepEqual(lengthGroupedBatches(lengths, 8, new Rng(3)), lengthGroupedBatches(lengths, 8, new Rng(3)));
  assert.notDeepEqual(lengthGroupedBatches(lengths, 8, new Rng(3)), lengthGroupedBatches(lengths, 8, new Rng(4)));
  // Not longest-first across the epoch: the first batches are not simply the longest texts.
  const firsts = lengthGroupedBatches(lengths, 8, new Rng(3)).map((b) => lengths[b[0]]);
  assert.ok(firsts.some((len, i) => i > 0 && len > firsts[i - 1]));
  assert.throws(() => lengthGroupedBatches(lengths, 0, new Rng(0)), /batchSize must be a whole number >= 1 \(got 0\)/);
  assert.deepEqual(lengthGroupedBatches([], 4, new Rng(0)), []);
});
