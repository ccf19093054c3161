// Tests for feature binning: every path (few values, hashed distinct values, sorted) gives codes ordered by value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binData } from './binning.js';
import { Rng } from '../tensor/random.js';

/** Asserts that codes are the ranks of the values and the cuts sit between neighbours. */
function checkExact(col: number[], codes: Uint16Array, cuts: Float64Array, values: Float64Array | null): void {
  const uniq = [...new Set(col.map((v) => (v === 0 ? 0 : v)))].sort((a, b) => a - b);
  assert.deepEqual(Array.from(values!, (v) => v + 0), uniq); // -0 + 0 is 0
  assert.equal(cuts.length, uniq.length - 1);
  col.forEach((v, i) => {
    assert.equal(codes[i], uniq.indexOf(v === 0 ? 0 : v));
    if (codes[i]! < cuts.length) assert.ok(v <= cuts[codes[i]!]!);
    if (codes[i]! > 0) assert.ok(v > cuts[codes[i]! - 1]!);
  });
}

test('binning: one-hot, hashed low-cardinality and sorted columns are all coded by rank', () => {
  const rng = new Rng(3);
  const n = 500;
  const levels = Array.from({ length: 17 }, (_, k) => (k - 8) / 3.7); // scaled pixel-like values
  const cols = [
    Array.from({ length: n }, () => rng.int(2)), // one-hot
    Array.from({ length: n }, () => levels[rng.int(17)]!), // hashed path
    Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0 : i % 11)), // -0 and 0 are one value
    Array.from({ length: n }, () => rng.int(1 << 30) / 7), // nearly all distinct: sorted path
  ];
  const data = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols.length; j++) data[i * cols.length + j] = cols[j]![i]!;
  const B = binData({ data, rows: n, cols: cols.length }, 65536);
  for (let j = 0; j < cols.length; j++) checkExact(cols[j]!, B.codes.subarray(j * n, (j + 1) * n), B.cuts[j]!, B.values[j]!);
});

test('binning: more distinct values than maxBins fall back to quantile cuts', () => {
  const n = 1000;
  const data = Float64Array.from({ length: n }, (_, i) => (i % 40) * 0.25);
  const B = binData({ data, rows: n, cols: 1 }, 16);
  assert.equal(B.values[0], null);
  assert.ok(B.cuts[0]!.length <= 15);
  for (let i = 1; i < n; i++) if (data[i]! > data[i - 1]!) assert.ok(B.codes[i]! >= B.codes[i - 1]!);
});
