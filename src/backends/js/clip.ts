// Global-norm gradient clipping over many tensors (Pascanu et al. 2013): the joint L2 norm, then one
// scale for all. Sums in float64, four accumulators so the loop is not one long dependency chain.

import type { FloatArray } from '../../tensor/dtype.js';

export function l2NormMulti(xs: readonly FloatArray[], out: FloatArray): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (const x of xs) {
    const n = x.length;
    const n4 = n - (n % 4);
    let i = 0;
    for (; i < n4; i += 4) {
      const a = x[i]!, b = x[i + 1]!, c = x[i + 2]!, d = x[i + 3]!;
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
    for (; i < n; i++) s0 += x[i]! * x[i]!;
  }
  out[0] = Math.sqrt(s0 + s1 + s2 + s3);
  return true;
}

/** outs[i] = xs[i] * min(1, maxNorm / (norm[0] + eps)); NaN when the norm is (overflowed gradients stay visible). */
export function clipScaleMulti(xs: readonly FloatArray[], norm: FloatArray, maxNorm: number, eps: number, outs: readonly FloatArray[]): boolean {
  const f = Math.min(1, maxNorm / (norm[0]! + eps));
  for (let t = 0; t < xs.length; t++) {
    const x = xs[t]!, o = outs[t]!;
    for (let i = 0; i < x.length; i++) o[i] = x[i]! * f;
  }
  return true;
}
