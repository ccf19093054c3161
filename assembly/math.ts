// Vector float32 math (four lanes): exp after Cephes' expf, and the tanh/sigmoid/GELU built on it.

import { madd } from './simd';

// 1.5 * 2^23: adding it rounds a float below 2^22 in magnitude to an integer (round to nearest even)
// and leaves that integer in the low mantissa bits, so no float-to-int conversion is needed.
const ROUND_MAGIC: f32 = 12582912.0;

/**
 * e^x per lane, about 1 ulp; underflows to 0 below -88.37, overflows to +Inf above 88.72.
 * pmin/pmax (one instruction each on x64) rather than min/max, whose NaN and -0 rules cost several:
 * x comes first so a NaN passes through.
 */
@inline
export function expv(x: v128): v128 {
  const big = f32x4.gt(x, f32x4.splat(88.72283935546875));
  // Clamping keeps 2^n a normal float.
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.3762626647949)), f32x4.splat(-88.3762626647949));
  const j = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), f32x4.splat(ROUND_MAGIC));
  const fx = f32x4.sub(j, f32x4.splat(ROUND_MAGIC));
  // r = x - n ln2, ln2 split in two parts so the product is exact.
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.add(r, f32x4.mul(fx, f32x4.splat(2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = madd(y, r, f32x4.splat(1.3981999507e-3));
  y = madd(y, r, f32x4.splat(8.3334519073e-3));
  y = madd(y, r, f32x4.splat(4.1665795894e-2));
  y = madd(y, r, f32x4.splat(1.6666665459e-1));
  y = madd(y, r, f32x4.splat(5.0000001201e-1));
  y = madd(y, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  // bits(j) = bits(ROUND_MAGIC) + n, and bits(ROUND_MAGIC) << 23 overflows away: (n + 127) << 23 = 2^n.
  const pow2 = i32x4.shl(i32x4.add(j, i32x4.splat(127)), 23);
  return v128.bitselect(f32x4.splat(Infinity), f32x4.mul(y, pow2), big);
}

/** 1 / (1 + e^-x) per lane. */
@inline
export function sigmoidv(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expv(f32x4.neg(x))));
}

/** tanh per lane: an odd Taylor polynomial near 0 (where 1 - e^-2|x| cancels), the exp form elsewhere. */
@inline
export function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const t = expv(f32x4.mul(ax, f32x4.splat(-2)));
  const far = f32x4.div(f32x4.sub(f32x4.splat(1), t), f32x4.add(f32x4.splat(1), t));
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(62.0 / 2835.0);
  p = madd(p, x2, f32x4.splat(-17.0 / 315.0));
  p = madd(p, x2, f32x4.splat(2.0 / 15.0));
  p = madd(p, x2, f32x4.splat(-1.0 / 3.0));
  const near = madd(f32x4.mul(p, x2), x, x);
  // copysign(far, x): the sign bit of x onto |tanh|.
  const signed = v128.or(far, v128.and(x, f32x4.splat(-0.0)));
  return v128.bitselect(near, signed, f32x4.lt(ax, f32x4.splat(0.3)));
}

// GPT-2's tanh-approximated GELU: u = sqrt(2/pi) (x + 0.044715 x^3); 0.5 (1 + tanh u) = sigmoid(2u).
const GELU_K2: f32 = 1.5957691216057308; // 2 sqrt(2/pi)
const GELU_C: f32 = 0.044715;

/** GELU per lane as x * sigmoid(2u): no cancellation in 1 + tanh(u) for negative x. */
@inline
export function geluv(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u2 = f32x4.mul(f32x4.mul(x, f32x4.splat(GELU_K2)), madd(x2, f32x4.splat(GELU_C), f32x4.splat(1)));
  return f32x4.mul(x, sigmoidv(u2));
}

/** d GELU / dx per lane: s + 2 x s (1 - s) du/dx with s = sigmoid(2u). */
@inline
export function geluGradv(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const u2 = f32x4.mul(f32x4.mul(x, f32x4.splat(GELU_K2)), madd(x2, f32x4.splat(GELU_C), f32x4.splat(1)));
  const s = sigmoidv(u2);
  // du/dx = sqrt(2/pi) (1 + 3c x^2); times 2 folds into GELU_K2.
  const dInner2 = f32x4.mul(f32x4.splat(GELU_K2), madd(x2, f32x4.splat(3 * GELU_C), f32x4.splat(1)));
  const ds = f32x4.mul(f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)), f32x4.mul(x, dInner2));
  return f32x4.add(s, ds);
}

/** Horizontal sum of four lanes. */
@inline
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Horizontal max of four lanes. */
@inline
export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}
