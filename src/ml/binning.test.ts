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

/** Quantile cuts as the sorted column gives them (weighted by frequency, deduplicated) and each value's bin by search. */
function quantileReference(col: Float64Array, maxBins: number): { cuts: number[]; codes: number[] } {
  const n = col.length;
  const sorted = Float64Array.from(col).sort();
  const cuts: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const pos = Math.floor((b * n) / maxBins);
    const lo = sorted[pos - 1]!;
    const hi = sorted[pos]!;
    let t = (lo + hi) / 2;
    if (lo === hi) { const next = sorted.find((v) => v > lo); t = next === undefined ? Infinity : (lo + next) / 2; }
    if (Number.isFinite(t) && (cuts.length === 0 || t > cuts[cuts.length - 1]!)) cuts.push(t);
  }
  const codes = Array.from(col, (x) => { const b = cuts.findIndex((c) => x <= c); return b < 0 ? cuts.length : b; });
  return { cuts, codes };
}

test('binning: quantile cuts from the hashed distinct values equal those of the sorted column (and the sorting path for very many values)', () => {
  const rng = new Rng(5);
  // Repeated values (runs straddling quantile positions), -0 beside 0, and more distinct values
  // than maxBins; the last column has more distinct values than the hash table takes.
  const cases: [number, number, number][] = [[342, 5000, 256], [1000, 400, 256], [1000, 120, 16], [2000, 2000, 256], [700, 90, 64], [40000, 1 << 30, 256]];
  for (const [n, levels, maxBins] of cases) {
    const col = Float64Array.from({ length: n }, () => { const u = rng.int(levels); return u % 13 === 0 ? -0 : (u - levels / 3) / 7; });
    const B = binData({ data: col, rows: n, cols: 1 }, maxBins);
    const ref = quantileReference(col, maxBins);
    assert.equal(B.values[0], null);
    assert.deepEqual(Array.from(B.cuts[0]!), ref.cuts, `cuts, ${n} rows of ${levels} levels`);
    assert.deepEqual(Array.from(B.codes), ref.codes, `codes, ${n} rows of ${levels} levels`);
  }
});
