// Half-precision conversions: IEEE 754 binary16 (F16) and bfloat16 (BF16) to and from float32.

import type { SafeTensor } from './safetensors-dtype.js';

// One scratch word seen as both float32 and uint32: reinterpreting through a shared buffer is
// independent of host endianness, since both views use the same byte order.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

function bitsOfFloat32(value: number): number {
  scratchF32[0] = value;
  return scratchU32[0];
}

function float32OfBits(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0];
}

/**
 * Rounds a number to float32, then to the nearest F16 (ties to even), giving its 16 raw bits.
 * Values past the F16 range become ±Infinity; NaN stays NaN (sign and top payload bits kept, quiet
 * bit set); float32 values below the F16 range round to F16 subnormals or ±0.
 *
 * @example
 * float32ToF16(1);      // 0x3c00
 * float32ToF16(65504);  // 0x7bff, the largest finite F16
 */
export function float32ToF16(value: number): number {
  const x = bitsOfFloat32(value);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  const e16 = exp - 112; // rebias: 127 (float32) -> 15 (F16)
  if (e16 >= 0x1f) return sign | 0x7c00;
  if (e16 <= 0) {
    // F16 subnormal: value = q * 2^-24 with q = (1.mant) * 2^(exp - 126), i.e. a right shift by 14 - e16
    const shift = 14 - e16;
    if (shift > 24) return sign; // below half the smallest subnormal: rounds to zero
    const full = mant | 0x800000;
    return sign | roundShift(full, shift); // a carry out lands on the smallest normal, as it should
  }
  // A carry out of the mantissa bumps the exponent, and from the top one gives Infinity: both right.
  return sign | roundShift((e16 << 23) | mant, 13);
}

/** `value >>> shift` rounded to nearest, ties to even (shift in 1..24). */
function roundShift(value: number, shift: number): number {
  const q = value >>> shift;
  const rem = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rem > half || (rem === half && (q & 1) === 1) ? q + 1 : q;
}

/**
 * The float32 bit pattern of an F16 bit pattern (exact; NaN payloads kept).
 *
 * @example
 * f16BitsToFloat32Bits(0x3c00).toString(16); // '3f800000'
 */
export function f16BitsToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // subnormal: mant * 2^-24 is exact in float32
  return (sign | bitsOfFloat32(mant * 2 ** -24)) >>> 0;
}

/**
 * The value of 16 F16 bits, exactly.
 *
 * @example
 * f16ToFloat32(0x3c00); // 1
 * f16ToFloat32(0x0001); // 2^-24, the smallest subnormal
 */
export function f16ToFloat32(bits: number): number {
  return float32OfBits(f16BitsToFloat32Bits(bits & 0xffff));
}

/**
 * Rounds a number to float32, then to the nearest BF16 (ties to even), giving its 16 raw bits.
 * BF16 is the top half of a float32, so the range is the same; NaN stays NaN (quiet bit set).
 *
 * @example
 * float32ToBF16(1);   // 0x3f80
 * float32ToBF16(-2);  // 0xc000
 */
export function float32ToBF16(value: number): number {
  const x = bitsOfFloat32(value);
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  // Adding 0x7fff plus the lowest kept bit rounds to nearest, ties to even; a carry into the
  // exponent is the correct rounding, up to Infinity. The sum stays below 2^32 for non-NaN input.
  return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

/**
 * The value of 16 BF16 bits, exactly.
 *
 * @example
 * bf16ToFloat32(0x3f80); // 1
 */
export function bf16ToFloat32(bits: number): number {
  return float32OfBits(((bits & 0xffff) << 16) >>> 0);
}

/**
 * The values of a floating-point entry as float32: F32 data as is (not copied), F64 rounded to
 * nearest, F16 and BF16 widened exactly (NaN payloads kept). Integer dtypes are refused
 * with a TypeError.
 *
 * @example
 * toFloat32({ dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xc000]) }); // Float32Array [1, -2]
 */
export function toFloat32(entry: SafeTensor): Float32Array {
  const { dtype, data } = entry;
  if (dtype !== 'F32' && dtype !== 'F64' && dtype !== 'F16' && dtype !== 'BF16') {
    throw new TypeError(`toFloat32 needs a floating-point dtype, got ${String(dtype)}`);
  }
  const expected = dtype === 'F32' ? Float32Array : dtype === 'F64' ? Float64Array : Uint16Array;
  if (!(data instanceof expected)) {
    throw new TypeError(`toFloat32: ${dtype} data must be a ${expected.name}`);
  }
  if (data instanceof Float32Array) return data;
  if (data instanceof Float64Array) return new Float32Array(data);
  const bits = data as Uint16Array;
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  if (dtype === 'BF16') for (let i = 0; i < bits.length; i++) outBits[i] = bits[i] << 16;
  else for (let i = 0; i < bits.length; i++) outBits[i] = f16BitsToFloat32Bits(bits[i]);
  return out;
}

/**
 * An entry of `dtype` holding float32 values, rounded to nearest-even for F16 and BF16; F32 keeps
 * the array itself. The inverse of {@link toFloat32}, for saving weights in half precision.
 *
 * @example
 * const half = fromFloat32(new Float32Array([1, 0.1]), [2], 'F16'); // data: Uint16Array [0x3c00, 0x2e66]
 */
export function fromFloat32(
  data: Float32Array,
  shape: number[],
  dtype: 'F32' | 'F64' | 'F16' | 'BF16' = 'F32',
): SafeTensor {
  switch (dtype) {
    case 'F32':
      return { dtype, shape, data };
    case 'F64':
      return { dtype, shape, data: new Float64Array(data) };
    case 'F16':
      return { dtype, shape, data: Uint16Array.from(data, float32ToF16) };
    case 'BF16':
      return { dtype, shape, data: Uint16Array.from(data, float32ToBF16) };
  }
}
