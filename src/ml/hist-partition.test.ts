import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MISSING_BIN } from './hist-binning.js';
import { partition, splitRows } from './hist-partition.js';
import { Rng } from '../tensor/random.js';

/** Where a code goes by the rule the trees predict with: numeric (code <= bin, missing by missingLeft) or a category set. */
function goesLeft(code: number, bin: number, missingLeft: number, bits: Int32Array | null): boolean {
  if (code === MISSING_BIN) return missingLeft === 1;
  if (bits) return ((bits[code >> 5]! >>> (code & 31)) & 1) === 1;
  return code <= bin;
}

/** One column of codes (some missing) for n rows, and a row order. */
function column(n: number, rng: Rng): { codes: Uint8Array; rows: Int32Array } {
  const codes = new Uint8Array(2 * n); // the column at offset n, after another
  for (let i = 0; i < n; i++) codes[n + i] = rng.int(10) === 0 ? MISSING_BIN : rng.int(40);
  return { codes, rows: rng.permutation(n) };
}

const splits: { bin: number; missingLeft: number; bits: Int32Array | null }[] = [
  { bin: 17, missingLeft: 0, bits: null },
  { bin: 17, missingLeft: 1, bits: null },
  { bin: -1, missingLeft: 1, bits: null }, // only missing values go left
  { bin: 254, missingLeft: 0, bits: null }, // every value left, missing right
  { bin: 0, missingLeft: 0, bits: Int32Array.of(0b1010_0110, 1 << 3, 0, 0, 0, 0, 0, 0) },
];

test('partition keeps each side of a node in its former order, and leaves the other rows alone', () => {
  const rng = new Rng(3);
  const n = 500;
  for (const s of splits) {
    const { codes, rows } = column(n, rng);
    const before = Int32Array.from(rows);
    const start = 37;
    const end = 411;
    const node = Array.from(before.subarray(start, end));
    const left = node.filter((i) => goesLeft(codes[n + i]!, s.bin, s.missingLeft, s.bits));
    const right = node.filter((i) => !goesLeft(codes[n + i]!, s.bin, s.missingLeft, s.bits));
    const a = partition(codes, n, rows, start, end, s.bin, s.missingLeft, s.bits, new Int32Array(n));
    assert.equal(a, start + left.length);
    assert.deepEqual(Array.from(rows.subarray(start, end)), [...left, ...right]);
    assert.deepEqual(rows.subarray(0, start), before.subarray(0, start));
    assert.deepEqual(rows.subarray(end), before.subarray(end));
  }
});

test('two halves split by splitRows and placed by the left count equal one partition', () => {
  const rng = new Rng(4);
  const n = 301;
  for (const s of splits) {
    const { codes, rows } = column(n, rng);
    const whole = Int32Array.from(rows);
    const a = partition(codes, n, whole, 0, n, s.bin, s.missingLeft, s.bits, new Int32Array(n));
    // As two threads do (src/ml/hist-best-first.ts): each half into its own scratch, then placed.
    const dst = new Int32Array(n);
    const mid = n >>> 1;
    const nLeft = a;
    for (const [from, to, first] of [[0, mid, true], [mid, n, false]] as const) {
      const left = new Int32Array(n);
      const right = new Int32Array(n);
      const l = splitRows(codes, n, rows, from, to, s.bin, s.missingLeft, s.bits, left, right, 0);
      const r = to - from - l;
      const l0 = first ? 0 : nLeft - l;
      const r0 = first ? nLeft : n - r;
      dst.set(left.subarray(0, l), l0);
      dst.set(right.subarray(0, r), r0);
    }
    assert.deepEqual(dst, whole);
  }
});
