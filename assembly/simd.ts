// Shared SIMD helpers: multiply-add that becomes one relaxed-SIMD FMA when the build enables it.

/** a * b + c on four lanes: one fused instruction in the relaxed build, mul + add otherwise. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
