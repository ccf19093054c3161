// Tests for F16/BF16 conversions: hand-computed bit patterns, ties, specials, an exhaustive round trip,
// and a brute-force nearest-value oracle for rounding.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bf16ToFloat32, f16ToFloat32, float32ToBF16, float32ToF16 } from './half.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function fromBits(bits: number): number {
  u32[0] = bits;
  return f32[0];
}
const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

test('float32ToF16: hand-computed bit patterns', () => {
  const cases: Array<[number, number]> = [
    [1, 0x3c00], // exp 15, mantissa 0
    [-2, 0xc000],
    [0.5, 0x3800],
    [0.1, 0x2e66], // 0.1 = 1.6 * 2^-4: mantissa 0.6 * 1024 = 614.4 -> 614 = 0x266
    [Math.PI, 0x4248], // 1.5707963 * 2^1: exp 16 -> 0x4000, 0.5707963 * 1024 = 584.5 - 0.005 -> 584 = 0x248
    [65504, 0x7bff], // largest finite: (2 - 2^-10) * 2^15
    [65519, 0x7bff], // below the midpoint 65520
    [65520, 0x7c00], // the midpoint to 65536 rounds to even, which is Infinity
    [1e6, 0x7c00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [1023.5 * 2 ** -24, 0x0400], // tie between 0x03ff (odd) and 0x0400: to even, the smallest normal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24: to even, zero
    [1.5 * 2 ** -24, 0x0002], // tie between 1 and 2 ulps: to even, 2
    [1.25 * 2 ** -24, 0x0001],
    [2 ** -25 + 2 ** -40, 0x0001], // just above the tie
    [1e-8, 0x0000], // below half the smallest subnormal
    [-1e-8, 0x8000],
    [1 + 2 ** -11, 0x3c00], // tie (half an ulp above 1): to even
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: to even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [2049, 0x6800], // ulp is 2 at 2048: tie, to even 2048
    [2051, 0x6802], // tie between 2050 (0x6801) and 2052: to even 2052
    [0, 0x0000],
    [-0, 0x8000],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ];
  for (const [value, bits] of cases) {
    assert.equal(hex(float32ToF16(value)), hex(bits), `float32ToF16(${value})`);
  }
  const nan = float32ToF16(NaN);
  assert.equal(nan & 0x7c00, 0x7c00);
  assert.notEqual(nan & 0x3ff, 0);
  // a float32 NaN whose payload lies only in bits F16 drops must still be NaN
  assert.ok(Number.isNaN(f16ToFloat32(float32ToF16(fromBits(0x7f800001)))));
  assert.equal(float32ToF16(fromBits(0xffc00000)) & 0x8000, 0x8000, 'NaN keeps its sign');
});

test('f16ToFloat32: hand-computed values', () => {
  assert.equal(f16ToFloat32(0x3c00), 1);
  assert.equal(f16ToFloat32(0xc000), -2);
  assert.equal(f16ToFloat32(0x7bff), 65504);
  assert.equal(f16ToFloat32(0x0400), 2 ** -14);
  assert.equal(f16ToFloat32(0x0001), 2 ** -24);
  assert.equal(f16ToFloat32(0x03ff), 1023 * 2 ** -24);
  assert.equal(f16ToFloat32(0x3555), 0.333251953125); // (1 + 341/1024) / 4
  assert.ok(Object.is(f16ToFloat32(0x8000), -0));
  assert.equal(f16ToFloat32(0x7c00), Infinity);
  assert.equal(f16ToFloat32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(f16ToFloat32(0x7e00)));
  assert.ok(Number.isNaN(f16ToFloat32(0xfc01)));
});

test('F16: every bit pattern round-trips through float32', () => {
  for (let h = 0; h < 0x10000; h++) {
    const v = f16ToFloat32(h);
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(f16ToFloat32(float32ToF16(v))), hex(h));
      assert.equal((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0, true, hex(h));
    } else if (float32ToF16(v) !== h) {
      assert.fail(`${hex(h)} -> ${v} -> ${hex(float32ToF16(v))}`);
    }
  }
});

test('float32ToF16 agrees with a brute-force nearest-value oracle on random float32 inputs', () => {
  // All finite non-negative F16 values in increasing order; index = bit pattern.
  const values: number[] = [];
  for (let h = 0; h < 0x7c00; h++) values.push(f16ToFloat32(h));
  const maxFinite = 65504;
  const oracle = (x: number): number => {
    const a = Math.abs(x);
    const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
    if (a >= maxFinite + 16) return sign | 0x7c00; // 65520 and above: past the last midpoint
    let lo = 0;
    let hi = values.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (values[mid] <= a) lo = mid;
      else hi = mid;
    }
    if (values[hi] <= a) lo = hi;
    if (values[lo] === a || lo === values.length - 1) return sign | lo;
    const dLo = a - values[lo];
    const dHi = values[lo + 1] - a;
    if (dLo < dHi) return sign | lo;
    if (dHi < dLo) return sign | (lo + 1);
    return sign | (lo % 2 === 0 ? lo : lo + 1);
  };
  let seed = 12345;
  const next = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed;
  };
  for (let i = 0; i < 20000; i++) {
    // exponents concentrated around the F16 range, random mantissas; some exact ties
    const exp = 97 + (next() % 50); // 2^-30 .. 2^19
    let mant = next() & 0x7fffff;
    if (i % 4 === 0) mant = (mant & ~0x1fff) | 0x1000; // a normal-range tie
    const bits = ((next() & 1) << 31) | (exp << 23) | mant;
    const x = fromBits(bits >>> 0);
    assert.equal(hex(float32ToF16(x)), hex(oracle(x)), `x = ${x}`);
  }
});

test('float32ToBF16: hand-computed bit patterns and ties', () => {
  const cases: Array<[number, number]> = [
    [1, 0x3f80],
    [-2, 0xc000],
    [0.5, 0x3f00],
    [0, 0x0000],
    [-0, 0x8000],
    [Infinity, 0x7f80],
    [-Infinity, 0xff80],
    [fromBits(0x3f808000), 0x3f80], // 1 + 2^-8: tie, to even
    [fromBits(0x3f818000), 0x3f82], // 1 + 3 * 2^-8: tie between 0x3f81 and 0x3f82, to even
    [fromBits(0x3f808001), 0x3f81], // just above the tie
    [fromBits(0x3f80ffff), 0x3f81],
    [fromBits(0x7f7f7fff), 0x7f7f], // stays at the largest finite BF16
    [fromBits(0x7f7fffff), 0x7f80], // float32 max rounds past the largest BF16: Infinity
    [fromBits(0x00000001), 0x0000], // smallest float32 subnormal rounds to zero
    [fromBits(0x00008000), 0x0000], // tie, to even zero
    [fromBits(0x00018000), 0x0002], // tie, to even
    [fromBits(0x00008001), 0x0001],
  ];
  for (const [value, bits] of cases) {
    assert.equal(hex(float32ToBF16(value)), hex(bits), `float32ToBF16(${value})`);
  }
  assert.ok(Number.isNaN(bf16ToFloat32(float32ToBF16(NaN))));
  assert.ok(Number.isNaN(bf16ToFloat32(float32ToBF16(fromBits(0x7f800001)))));
  assert.equal(float32ToBF16(fromBits(0xffc00000)) & 0x8000, 0x8000, 'NaN keeps its sign');
});

test('BF16: every bit pattern round-trips through float32', () => {
  assert.equal(bf16ToFloat32(0x3f80), 1);
  assert.ok(Object.is(bf16ToFloat32(0x8000), -0));
  assert.equal(bf16ToFloat32(0x0001), fromBits(0x00010000)); // a BF16 subnormal
  for (let b = 0; b < 0x10000; b++) {
    const v = bf16ToFloat32(b);
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(bf16ToFloat32(float32ToBF16(v))));
    } else if (float32ToBF16(v) !== b) {
      assert.fail(`${hex(b)} -> ${v} -> ${hex(float32ToBF16(v))}`);
    }
  }
});
