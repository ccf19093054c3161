import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropout, Embedding, Linear } from './layers.js';
import { tensor } from '../tensor/create.js';
import { add, max } from '../ops/index.js';

test('layers refuse sizes that are not whole and positive, and a dropout p outside [0, 1)', () => {
  assert.throws(() => new Linear(0, 3), /layer sizes must be whole numbers >= 1, got \[3, 0\]/);
  assert.throws(() => new Linear(3, -1), /got \[-1, 3\]/);
  assert.throws(() => new Embedding(2.5, 4), /got \[2\.5, 4\]/);
  assert.throws(() => new Dropout(2), /Dropout: p must be in \[0, 1\), got 2/);
  assert.equal(new Linear(3, 2).weight.shape.join('x'), '2x3');
});

test('ops: an operand that is neither a tensor nor a number, and the max of nothing, are errors', () => {
  const x = tensor([1, 2]);
  assert.throws(() => add(x, undefined as never), /an operand must be a Tensor or a number, got undefined/);
  assert.throws(() => add(x, [1, 2] as never), /got an array \(make it a tensor first\)/);
  assert.throws(() => max(tensor([])), /max: the tensor is empty .*no maximum/);
});
