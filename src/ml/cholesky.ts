// Cholesky factorizations for the normal equations: plain (ridge) and with diagonal pivoting (rank
// revealing, for the minimum-norm least-squares solution on collinear columns).

import { gemm, kernelArray } from './gemm.js';

// Block width of the right-looking factorization: panels are factored in JS, the trailing update
// (most of the p³/3 work) is one GEMM per block.
const BLOCK = 24;
// Rows per product of the trailing update.
const UPDATE_ROWS = 64;

/**
 * Overwrites the lower triangle of the symmetric p x p matrix A (row-major) with L, A = LLᵀ; false if A
 * is not positive definite. Blocked: each panel of BLOCK columns is factored row by row (contiguous
 * dot products), then the rest of the matrix is updated by one GEMM, A₂₂ −= L₂₁L₂₁ᵀ.
 * @example const A = Float64Array.of(4, 2, 2, 5); cholesky(A, 2); // A's lower triangle = [2, 1, 2]
 */
export function cholesky(A: Float64Array, p: number): boolean {
  if (p <= 2 * BLOCK) return factorPanel(A, p, 0, p);
  const P = kernelArray((p - BLOCK) * BLOCK);
  const C = kernelArray((p - BLOCK) * (p - BLOCK));
  for (let k0 = 0; k0 < p; k0 += BLOCK) {
    const kb = Math.min(BLOCK, p - k0);
    if (!factorPanel(A, p, k0, kb)) return false;
    const r0 = k0 + kb;
    const m = p - r0;
    if (m === 0) break;
    for (let i = 0; i < m; i++) {
      const o = (r0 + i) * p + k0;
      for (let k = 0; k < kb; k++) P[i * kb + k] = A[o + k]!;
    }
    // Only the lower triangle is read later: the product is taken by blocks of rows, each up to
    // its last row's diagonal, which skips most of the upper half (a full m x m product was half waste).
    for (let a = 0; a < m; a += UPDATE_ROWS) {
      const h = Math.min(UPDATE_ROWS, m - a);
      const w = a + h;
      gemm(P, P, C, h, w, kb, false, true, a * kb, 0); // C (h x w) = rows [a, a + h) of L₂₁ times L₂₁[0, w)ᵀ
      for (let i = 0; i < h; i++) {
        const o = (r0 + a + i) * p + r0;
        const oc = i * w;
        for (let j = 0; j <= a + i; j++) A[o + j] -= C[oc + j]!;
      }
    }
  }
  return true;
}

/**
 * Factors columns [k0, k0 + kb) of the (already updated) matrix: the diagonal block and every row
 * below it, each entry one dot product over the panel's earlier columns.
 */
function factorPanel(A: Float64Array, p: number, k0: number, kb: number): boolean {
  const kEnd = k0 + kb;
  for (let i = k0; i < p; i++) {
    const oi = i * p;
    const jEnd = Math.min(i, kEnd - 1);
    for (let j = k0; j <= jEnd; j++) {
      const oj = j * p;
      let s = A[oi + j]!;
      let s1 = 0;
      let k = k0;
      for (; k + 1 < j; k += 2) { s -= A[oi + k]! * A[oj + k]!; s1 += A[oi + k + 1]! * A[oj + k + 1]!; }
      if (k < j) s -= A[oi + k]! * A[oj + k]!;
      s -= s1;
      if (i === j) {
        if (!(s > 0)) return false;
        A[oi + i] = Math.sqrt(s);
      } else A[oi + j] = s / A[oj + j]!;
    }
  }
  return true;
}

/**
 * Solves LLᵀx = b in place (x overwrites b) with L the lower triangle of a factored p x p matrix.
 * @example choleskySolveInPlace(A, 2, b);
 */
export function choleskySolveInPlace(L: Float64Array, p: number, b: Float64Array): void {
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    const o = i * p;
    for (let k = 0; k < i; k++) s -= L[o + k]! * b[k]!;
    b[i] = s / L[o + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * b[k]!;
    b[i] = s / L[i * p + i]!;
  }
}

/**
 * Minimum-norm solution of Ax = b for a symmetric positive semi-definite p x p A with b in its range
 * (the normal equations of least squares: the minimum-norm least-squares coefficients).
 * Cholesky with diagonal pivoting finds the rank r (pivots below `tol` times the largest diagonal
 * stop it): PᵀAP = LLᵀ with L = [L₁; L₂], L₁ r x r. Every solution is z = z₀ + N t with
 * z₀ = [L₁⁻ᵀc; 0], L₁c = (Pᵀb)₁, N = [−M; I], M = L₁⁻ᵀL₂ᵀ; the shortest has (I + MᵀM) t = Mᵀz₀.
 * Work: p³/3 for the factor plus r²(p − r) for M, instead of a full eigen-decomposition.
 * @example minNormSolve(G, b, p); // A is left unchanged
 */
export function minNormSolve(A: Float64Array, b: ArrayLike<number>, p: number, tol = 1e-11): Float64Array {
  const L = Float64Array.from(A);
  const perm = Int32Array.from({ length: p }, (_, i) => i);
  const d = new Float64Array(p);
  let dMax = 0;
  for (let i = 0; i < p; i++) { d[i] = A[i * p + i]!; dMax = Math.max(dMax, d[i]!); }
  const x = new Float64Array(p);
  if (!(dMax > 0)) return x;
  let r = 0;
  for (; r < p; r++) {
    // Pivot: the largest remaining diagonal of the Schur complement.
    let q = r;
    for (let i = r + 1; i < p; i++) if (d[i]! > d[q]!) q = i;
    if (!(d[q]! > tol * dMax)) break;
    if (q !== r) swapSym(L, p, r, q, d, perm);
    const or = r * p;
    const lrr = Math.sqrt(d[r]!);
    L[or + r] = lrr;
    for (let i = r + 1; i < p; i++) {
      const oi = i * p;
      let s = L[oi + r]!;
      for (let k = 0; k < r; k++) s -= L[oi + k]! * L[or + k]!;
      const lir = s / lrr;
      L[oi + r] = lir;
      d[i] -= lir * lir;
    }
  }
  // c = L₁⁻¹(Pᵀb)₁, then z₀ = L₁⁻ᵀc.
  const z = new Float64Array(p);
  for (let i = 0; i < r; i++) {
    let s = b[perm[i]!]!;
    const o = i * p;
    for (let k = 0; k < i; k++) s -= L[o + k]! * z[k]!;
    z[i] = s / L[o + i]!;
  }
  backSolveT(L, p, r, z, 0);
  const nq = p - r;
  if (nq > 0) {
    // M (r x nq), column t = L₁⁻ᵀ (row r + t of L)ᵀ: stored column-major so each solve is contiguous.
    const M = new Float64Array(nq * r);
    for (let t = 0; t < nq; t++) {
      const o = (r + t) * p;
      for (let i = 0; i < r; i++) M[t * r + i] = L[o + i]!;
      backSolveT(L, p, r, M, t * r);
    }
    // (I + MᵀM) t = Mᵀz₀: small (nq x nq), positive definite.
    const S = new Float64Array(nq * nq);
    const rhs = new Float64Array(nq);
    for (let a = 0; a < nq; a++) {
      for (let c = 0; c <= a; c++) {
        let s = a === c ? 1 : 0;
        for (let i = 0; i < r; i++) s += M[a * r + i]! * M[c * r + i]!;
        S[a * nq + c] = s;
        S[c * nq + a] = s;
      }
      let s = 0;
      for (let i = 0; i < r; i++) s += M[a * r + i]! * z[i]!;
      rhs[a] = s;
    }
    cholesky(S, nq);
    choleskySolveInPlace(S, nq, rhs);
    for (let t = 0; t < nq; t++) {
      const tt = rhs[t]!;
      z[r + t] = tt;
      for (let i = 0; i < r; i++) z[i] -= M[t * r + i]! * tt;
    }
  }
  for (let i = 0; i < p; i++) x[perm[i]!] = z[i]!;
  return x;
}

/** Solves L₁ᵀ v = v in place (L₁ the leading r x r lower triangle of L), v at offset o. */
function backSolveT(L: Float64Array, p: number, r: number, v: Float64Array, o: number): void {
  for (let i = r - 1; i >= 0; i--) {
    let s = v[o + i]!;
    for (let k = i + 1; k < r; k++) s -= L[k * p + i]! * v[o + k]!;
    v[o + i] = s / L[i * p + i]!;
  }
}

/** Swaps rows and columns r and q of the symmetric working matrix (and the bookkeeping beside it). */
function swapSym(L: Float64Array, p: number, r: number, q: number, d: Float64Array, perm: Int32Array): void {
  const or = r * p;
  const oq = q * p;
  for (let k = 0; k < p; k++) { const t = L[or + k]!; L[or + k] = L[oq + k]!; L[oq + k] = t; }
  for (let k = 0; k < p; k++) { const o = k * p; const t = L[o + r]!; L[o + r] = L[o + q]!; L[o + q] = t; }
  let t = d[r]!; d[r] = d[q]!; d[q] = t;
  t = perm[r]!; perm[r] = perm[q]!; perm[q] = t;
}
