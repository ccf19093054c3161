// The centered normal equations (XcᵀXc, Xcᵀyc) of least squares, with mostly-zero columns (one-hot
// categories) kept sparse: only their nonzeros are visited, and centering is a rank-one correction.

import type { Matrix } from './matrix.js';
import { gemm, kernelArray } from './gemm.js';

/** The normal equations of centered data. */
export interface NormalEquations {
  /** XcᵀXc (p x p, symmetric, row-major). */
  G: Float64Array;
  /** Xcᵀyc (p). */
  b: Float64Array;
  /** ycᵀyc. */
  yy: number;
  xMean: Float64Array;
  yMean: number;
  /**
   * Whether every value of X was finite: the copy below reads each one, so a caller can skip its own
   * pass over X (toMatrix's) and ask for the error only when this is false.
   */
  finite: boolean;
}

// A column goes sparse when at most this fraction of its entries is nonzero: a sparse pair costs a
// scattered multiply-add per shared nonzero, the dense block a fraction of that per entry (GEMM).
const SPARSE_FRACTION = 0.125;

/**
 * XcᵀXc and Xcᵀyc, where Xc, yc are X, y less their column means (no centering without an intercept).
 * Dense columns are centered and multiplied by one GEMM; a sparse column a enters as
 * Σᵢ xᵢₐxᵢᵦ − n μₐμᵦ over its nonzeros, so one-hot blocks cost their nonzeros, not n·p².
 * @example const { G, b } = normalEquations(X, y, true); // G = XcᵀXc, b = Xcᵀyc
 */
export function normalEquations(X: Matrix, y: Float64Array, fitIntercept: boolean): NormalEquations {
  const { rows: n, cols: p, data } = X;
  // Which columns are sparse only decides the speed, not the result: judge it on a sample of rows.
  const step = Math.max(1, Math.floor(n / 256));
  const seen = new Int32Array(p);
  let sampled = 0;
  for (let i = 0; i < n; i += step, sampled++) {
    const o = i * p;
    for (let j = 0; j < p; j++) if (data[o + j] !== 0) seen[j]++;
  }
  const dense: number[] = [];
  const sparse: number[] = [];
  for (let j = 0; j < p; j++) (seen[j]! <= SPARSE_FRACTION * sampled ? sparse : dense).push(j);
  const d = dense.length;
  const s = sparse.length;
  const denseIdx = Int32Array.from(dense);
  const sparseIdx = Int32Array.from(sparse);

  // One pass over X: dense columns into a contiguous copy (n x d) summed for their means, sparse ones
  // into row lists; v * 0 is 0 for finite v and NaN otherwise, so the sums z0, z1 check every value
  // (a sparse column's zeros are finite; anything else is stored).
  const Xd = kernelArray(n * d);
  const md = new Float64Array(d);
  let z0 = 0;
  let z1 = 0;
  const rowStart = new Int32Array(n + 1);
  let cap = Math.max(16, Math.ceil(n * s * SPARSE_FRACTION));
  let idx = new Int32Array(cap);
  let val = new Float64Array(cap);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const o = i * p;
    const od = i * d;
    for (let c = 0; c < d; c++) { const v = data[o + denseIdx[c]!]!; Xd[od + c] = v; md[c] += v; z0 += v * 0; }
    rowStart[i] = t;
    if (t + s > cap) {
      cap = Math.max(2 * cap, t + s);
      const ni = new Int32Array(cap); ni.set(idx); idx = ni;
      const nv = new Float64Array(cap); nv.set(val); val = nv;
    }
    for (let c = 0; c < s; c++) { const v = data[o + sparseIdx[c]!]!; if (v !== 0) { idx[t] = c; val[t] = v; t++; z1 += v * 0; } }
  }
  rowStart[n] = t;
  const finite = z0 + z1 === 0;

  const xMean = new Float64Array(p);
  let yMean = 0;
  if (fitIntercept) {
    for (let c = 0; c < d; c++) md[c] /= n;
    for (let c = 0; c < d; c++) xMean[denseIdx[c]!] = md[c]!;
    for (let u = 0; u < t; u++) xMean[sparseIdx[idx[u]!]!] += val[u]!;
    for (let c = 0; c < s; c++) xMean[sparseIdx[c]!] /= n;
    for (let i = 0; i < n; i++) yMean += y[i]!;
    yMean /= n;
  }
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  let yy = 0;
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) { yc[i] = y[i]! - yMean; yy += yc[i]! * yc[i]!; }

  // Dense block: centered in the same pass that takes Xdᵀyc, then XdᵀXd by GEMM.
  if (d > 0) {
    const bd = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const w = yc[i]!;
      const od = i * d;
      if (fitIntercept) for (let c = 0; c < d; c++) { const v = Xd[od + c]! - md[c]!; Xd[od + c] = v; bd[c] += v * w; }
      else for (let c = 0; c < d; c++) bd[c] += Xd[od + c]! * w;
    }
    for (let c = 0; c < d; c++) b[dense[c]!] = bd[c]!;
    const Gd = kernelArray(d * d);
    gemm(Xd, Xd, Gd, d, d, n, true, false);
    for (let a = 0; a < d; a++) for (let c = 0; c < d; c++) G[dense[a]! * p + dense[c]!] = Gd[a * d + c]!;
  }
  if (s === 0) return { G, b, yy, xMean, yMean, finite };

  // Uncentered sums: Gss (s x s), Gsd (s x d, against the centered dense columns), Xsᵀy.
  const Gss = new Float64Array(s * s);
  const Gsd = new Float64Array(s * d);
  const bs = new Float64Array(s);
  for (let i = 0; i < n; i++) {
    const e = rowStart[i + 1]!;
    const od = i * d;
    const yi = y[i]!;
    for (let u = rowStart[i]!; u < e; u++) {
      const a = idx[u]!;
      const va = val[u]!;
      bs[a] += va * yi;
      const ga = a * s;
      for (let w = u; w < e; w++) Gss[ga + idx[w]!] += va * val[w]!;
      const gd = a * d;
      for (let c = 0; c < d; c++) Gsd[gd + c] += va * Xd[od + c]!;
    }
  }
  // Centering: Σ(xₐ−μₐ)(xᵦ−μᵦ) = Σxₐxᵦ − nμₐμᵦ; the dense columns are centered already (μ = 0 there).
  for (let a = 0; a < s; a++) {
    const ja = sparse[a]!;
    const ma = xMean[ja]!;
    b[ja] = bs[a]! - n * ma * yMean;
    for (let c = a; c < s; c++) {
      const jc = sparse[c]!;
      const g = Gss[a * s + c]! - n * ma * xMean[jc]!;
      G[ja * p + jc] = g;
      G[jc * p + ja] = g;
    }
    for (let c = 0; c < d; c++) {
      const jc = dense[c]!;
      const g = Gsd[a * d + c]!;
      G[ja * p + jc] = g;
      G[jc * p + ja] = g;
    }
  }
  return { G, b, yy, xMean, yMean, finite };
}
