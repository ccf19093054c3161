import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allFinite, toMatrix, toVector } from './matrix.js';

test('allFinite: a NaN or an infinity anywhere (the unrolled body or the remainder) is found', () => {
  for (const n of [1, 7, 8, 9, 16, 23]) {
    assert.equal(allFinite(new Float64Array(n).fill(1.5)), true, `n=${n}`);
    for (let at = 0; at < n; at++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const d = new Float64Array(n).fill(-2);
        d[at] = bad;
        assert.equal(allFinite(d), false, `n=${n} at=${at} value=${bad}`);
      }
    }
  }
  assert.equal(allFinite(new Float64Array(0)), true);
});

test('allFinite: finite values whose sum overflows are still all finite', () => {
  assert.equal(allFinite(new Float64Array(17).fill(Number.MAX_VALUE)), true);
  assert.equal(allFinite(Float64Array.of(Number.MAX_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, -Number.MAX_VALUE)), true);
  const d = new Float64Array(17).fill(Number.MAX_VALUE);
  d[16] = NaN;
  assert.equal(allFinite(d), false);
});

test('toMatrix and toVector name the first non-finite value, and pass huge finite ones', () => {
  assert.throws(() => toMatrix({ data: Float64Array.of(1, 2, 3, Infinity), rows: 2, cols: 2 }), /X has a missing or infinite value at row 1, column 1/);
  assert.throws(() => toVector([0, NaN], 2), /y has a missing or infinite value at index 1/);
  const big = new Float64Array(10).fill(1e308);
  assert.equal(toMatrix({ data: big, rows: 5, cols: 2 }).data, big);
  assert.equal(toVector(big, 10), big);
});
