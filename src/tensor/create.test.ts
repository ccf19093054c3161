import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, randn, tensor, zeros } from './create.js';

test('creation refuses negative or fractional sizes, an unknown dtype and an endless arange, before allocating', () => {
  assert.throws(() => zeros([-1, 2]), /full: shape \[-1, 2\] has size -1 at axis 0; sizes are whole numbers >= 0/);
  assert.throws(() => randn([NaN]), /randn: shape \[NaN\] has size NaN at axis 0/);
  assert.throws(() => tensor([1, 2], { dtype: 'float16x' as never }), /dtype must be 'float32', 'float64' or 'int32', got "float16x"/);
  assert.throws(() => arange(0, 5, 0), /step non-zero/);
  assert.throws(() => arange(0, Infinity), /must be finite/);
  assert.deepEqual(zeros([0, 3]).shape, [0, 3]); // empty tensors stay allowed
});
