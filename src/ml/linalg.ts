// Small dense linear algebra for the estimators: Gram products, Cholesky solve, symmetric eigen (Householder + QL, as in EISPACK tred2/tql2).

import type { Matrix } from './matrix.js';

/**
 * XᵀX (p x p, symmetric) of an n x p matrix.
 * @example gram(X).data[0]; // sum of squares of column 0
 */
export function gram(X: Matrix): Matrix {
  const { rows: n, cols: p, data } = X;
  const G = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let a = 0; a < p; a++) {
      const xa = data[o + a]!;
      if (xa === 0) continue;
      const ga = a * p;
      for (let b = a; b < p; b++) G[ga + b] += xa * data[o + b]!;
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) G[a * p + b] = G[b * p + a]!;
  return { data: G, rows: p, cols: p };
}

/**
 * Xᵀv for an n x p matrix and a vector of length n.
 * @example xtv(X, y); // length p
 */
export function xtv(X: Matrix, v: ArrayLike<number>): Float64Array {
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    const o = i * p;
    for (let j = 0; j < p; j++) out[j] += data[o + j]! * vi;
  }
  return out;
}

/**
 * Xw for an n x p matrix and a vector of length p, plus an optional constant.
 * @example xv(X, w, b); // length n
 */
export function xv(X: Matrix, w: ArrayLike<number>, b = 0): Float64Array {
  const { rows: n, cols: p, data } = X;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b;
    const o = i * p;
    for (let j = 0; j < p; j++) s += data[o + j]! * w[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * Solves A x = b for symmetric positive definite A (p x p) by Cholesky; returns null if A is not
 * positive definite.
 * @example choleskySolve(matrix(1, 1, Float64Array.of(4)), [8]); // [2]
 */
export function choleskySolve(A: Matrix, b: ArrayLike<number>): Float64Array | null {
  const p = A.rows;
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A.data[i * p + j]!;
      for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * p + i] = Math.sqrt(s);
      } else L[i * p + j] = s / L[j * p + j]!;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * p + k]! * z[k]!;
    z[i] = s / L[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * x[k]!;
    x[i] = s / L[i * p + i]!;
  }
  return x;
}

/** Eigenvalues (descending) and eigenvectors (columns of `vectors`, p x p) of a symmetric matrix. */
export interface Eigen {
  values: Float64Array;
  vectors: Matrix;
}

/**
 * Eigen-decomposition of a symmetric matrix: Householder tridiagonalisation then implicit QL
 * (the EISPACK tred2 / tql2 pair). Values sorted descending.
 * @example symmetricEigen(matrix(2, 2, Float64Array.of(2, 0, 0, 1))).values; // [2, 1]
 */
export function symmetricEigen(A: Matrix): Eigen {
  const n = A.rows;
  const V: number[][] = [];
  for (let i = 0; i < n; i++) V.push(Array.from(A.data.subarray(i * n, (i + 1) * n)));
  const d = new Array<number>(n).fill(0);
  const e = new Array<number>(n).fill(0);
  tred2(n, V, d, e);
  tql2(n, V, d, e);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[b]! - d[a]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  const vec = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vec[r * n + c] = V[r]![order[c]!]!;
  return { values, vectors: { data: vec, rows: n, cols: n } };
}

function tred2(n: number, V: number[][], d: number[], e: number[]): void {
  for (let j = 0; j < n; j++) d[j] = V[n - 1]![j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) { d[j] = V[i - 1]![j]!; V[i]![j] = 0; V[j]![i] = 0; }
    } else {
      for (let k = 0; k < i; k++) { d[k] = d[k]! / scale; h += d[k]! * d[k]!; }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[j]![i] = f;
        g = e[j]! + V[j]![j]! * f;
        for (let k = j + 1; k <= i - 1; k++) { g += V[k]![j]! * d[k]!; e[k] = e[k]! + V[k]![j]! * f; }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] = e[j]! / h; f += e[j]! * d[j]!; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[k]![j] = V[k]![j]! - (f * e[k]! + g * d[k]!);
        d[j] = V[i - 1]![j]!;
        V[i]![j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[n - 1]![i] = V[i]![i]!;
    V[i]![i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[k]![i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[k]![i + 1]! * V[k]![j]!;
        for (let k = 0; k <= i; k++) V[k]![j] = V[k]![j]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[k]![i + 1] = 0;
  }
  for (let j = 0; j < n; j++) { d[j] = V[n - 1]![j]!; V[n - 1]![j] = 0; }
  V[n - 1]![n - 1] = 1;
  e[0] = 0;
}

function tql2(n: number, V: number[][], d: number[], e: number[]): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) { if (Math.abs(e[m]!) <= eps * tst1) break; m++; }
    if (m > l) {
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            h = V[k]![i + 1]!;
            V[k]![i + 1] = s * V[k]![i]! + c * h;
            V[k]![i] = c * V[k]![i]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/**
 * Minimum-norm least-squares solution of A x = b for symmetric positive semi-definite A (as
 * numpy's lstsq gives for the normal equations): eigenvalues below `rcond * max` are dropped.
 * @example pinvSolve(gram(X), xtv(X, y)); // ordinary least squares, also for collinear columns
 */
export function pinvSolve(A: Matrix, b: ArrayLike<number>, rcond = 1e-12): Float64Array {
  const p = A.rows;
  const { values, vectors } = symmetricEigen(A);
  const V = vectors.data;
  const cut = Math.max(values[0]!, 0) * rcond;
  const x = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    const lam = values[k]!;
    if (!(lam > cut)) continue;
    let proj = 0;
    for (let i = 0; i < p; i++) proj += V[i * p + k]! * b[i]!;
    const coef = proj / lam;
    for (let i = 0; i < p; i++) x[i] += coef * V[i * p + k]!;
  }
  return x;
}
