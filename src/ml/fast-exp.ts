// e^x in plain arithmetic (table of 2^(j/64) and a degree-5 polynomial), for the loops that take
// millions of exponentials (softmax, log loss): V8's Math.exp is a call that costs ~11 ns and keeps
// the loop from overlapping iterations; this inlines to ~3 ns and is within 2 ulp of it.

const N = 64;
const T = Float64Array.from({ length: N }, (_, j) => 2 ** (j / N));
// 2^k for k in [-1074, 1023], exact.
const POW2 = Float64Array.from({ length: 2098 }, (_, i) => 2 ** (i - 1074));
const INV_LN2_N = N / Math.LN2;
// Adding 1.5 * 2^52 pushes the fraction bits out of a double: the cheapest round-to-integer.
const SHIFT = 6755399441055744;
// ln2 / N split in two (Cody & Waite; fdlibm's constants): the high part has 32 significant bits, so
// n * LN2_HI is exact, and the low part carries ln2 beyond double precision.
const LN2_HI = 6.93147180369123816490e-01 / N;
const LN2_LO = 1.90821492927058770002e-10 / N;

/**
 * e^x for every double x (0 below -745.2, Infinity above 709.8, NaN for NaN).
 * @example expFast(1); // 2.718281828459045
 */
export function expFast(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x); // subnormal results, overflow, NaN: the slow path
  const n = x * INV_LN2_N + SHIFT - SHIFT; // round to nearest integer (ties to even)
  const r = x - n * LN2_HI - n * LN2_LO; // |r| <= ln2 / 128
  const j = n & (N - 1);
  const k = (n - j) / N;
  // e^r - 1 by its Taylor series to r⁵ (the r⁶ term is below 2^-55 for |r| <= 0.0055).
  const r2 = r * r;
  const p = r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120));
  const t = T[j]!;
  return POW2[k + 1074]! * (t + t * p);
}

/**
 * out[i] = expFast(x[i]) for i < n (out may be x), with expFast's arithmetic written out in the loop.
 * A loop that calls expFast relies on the JIT inlining it: when the loop's function is itself inlined
 * into a larger one, the inlining budget can run out first, and the call then boxes its argument and
 * result (two heap numbers per element: 13 MB of garbage per credit logistic fit). A loop here has
 * no call to lose, wherever it is inlined or not.
 * @example expFastInto(x, x, x.length); // e^x in place
 */
export function expFastInto(x: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!(v > -708 && v < 709)) { out[i] = Math.exp(v); continue; }
    const m = v * INV_LN2_N + SHIFT - SHIFT;
    const r = v - m * LN2_HI - m * LN2_LO;
    const j = m & (N - 1);
    const k = (m - j) / N;
    const r2 = r * r;
    const p = r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120));
    const t = T[j]!;
    out[i] = POW2[k + 1074]! * (t + t * p);
  }
}
