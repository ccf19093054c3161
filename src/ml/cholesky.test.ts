import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, choleskySolveInPlace, minNormSolve } from './cholesky.js';
import { normalEquations } from './gram.js';
import { pinvSolve } from './linalg.js';
import { Rng } from '../tensor/random.js';

/** n x p data: a few dense columns, one-hot blocks (collinear with the intercept), a duplicated column. */
function collinear(n: number, seed: number): { X: Float64Array; p: number; y: Float64Array } {
  const rng = new Rng(seed);
  const levels = [3, 5, 2];
  const p = 4 + levels.reduce((a, b) => a + b, 0) + 1;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < 4; j++) X[o + j] = rng.normal() * (j + 1) + j;
    let c = 4;
    for (const l of levels) { X[o + c + rng.int(l)] = 1; c += l; }
    X[o + c] = 2 * X[o]!; // exactly collinear with column 0
    y[i] = 3 * X[o]! - X[o + 2]! + 2 * X[o + 5]! + rng.normal();
  }
  return { X, p, y };
}

/** Dense reference: centered XᵀX and Xᵀy by plain loops. */
function denseNormal(X: Float64Array, y: Float64Array, n: number, p: number): { G: Float64Array; b: Float64Array } {
  const mean = new Float64Array(p);
  let ym = 0;
  for (let i = 0; i < n; i++) { ym += y[i]! / n; for (let j = 0; j < p; j++) mean[j] += X[i * p + j]! / n; }
  const G = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < p; a++) {
      const xa = X[i * p + a]! - mean[a]!;
      b[a] += xa * (y[i]! - ym);
      for (let c = 0; c < p; c++) G[a * p + c] += xa * (X[i * p + c]! - mean[c]!);
    }
  }
  return { G, b };
}

test('normalEquations: sparse one-hot columns and dense GEMM give the centered Gram matrix', () => {
  const n = 200;
  const { X, p, y } = collinear(n, 1);
  const ne = normalEquations({ data: X, rows: n, cols: p }, y, true);
  const ref = denseNormal(X, y, n, p);
  for (let k = 0; k < p * p; k++) assert.ok(Math.abs(ne.G[k]! - ref.G[k]!) < 1e-9 * (1 + Math.abs(ref.G[k]!)), `G[${k}]`);
  for (let j = 0; j < p; j++) assert.ok(Math.abs(ne.b[j]! - ref.b[j]!) < 1e-9 * (1 + Math.abs(ref.b[j]!)), `b[${j}]`);
});

test('cholesky solves a positive definite system', () => {
  const A = Float64Array.of(4, 2, 0.4, 2, 5, 1, 0.4, 1, 3);
  const L = Float64Array.from(A);
  assert.ok(cholesky(L, 3));
  const b = Float64Array.of(1, 2, 3);
  const x = Float64Array.from(b);
  choleskySolveInPlace(L, 3, x);
  for (let i = 0; i < 3; i++) {
    let s = 0;
    for (let j = 0; j < 3; j++) s += A[i * 3 + j]! * x[j]!;
    assert.ok(Math.abs(s - b[i]!) < 1e-12);
  }
  assert.equal(cholesky(Float64Array.of(1, 2, 2, 1), 2), false);
});

test('minNormSolve equals the eigen pseudo-inverse on collinear normal equations', () => {
  const n = 150;
  const { X, p, y } = collinear(n, 2);
  const { G, b } = normalEquations({ data: X, rows: n, cols: p }, y, true);
  const x = minNormSolve(G, b, p);
  const ref = pinvSolve({ data: G, rows: p, cols: p }, b);
  for (let j = 0; j < p; j++) assert.ok(Math.abs(x[j]! - ref[j]!) < 1e-7 * (1 + Math.abs(ref[j]!)), `coef ${j}: ${x[j]} vs ${ref[j]}`);
});

test('blocked cholesky (GEMM trailing updates) matches the unblocked factor', () => {
  const p = 170;
  const rng = new Rng(3);
  const B = Float64Array.from({ length: p * p }, () => rng.normal());
  const A = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = i === j ? p : 0;
    for (let k = 0; k < p; k++) s += B[i * p + k]! * B[j * p + k]!;
    A[i * p + j] = s;
  }
  const L = Float64Array.from(A);
  assert.ok(cholesky(L, p));
  const b = Float64Array.from({ length: p }, () => rng.normal());
  const x = Float64Array.from(b);
  choleskySolveInPlace(L, p, x);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += A[i * p + j]! * x[j]!;
    assert.ok(Math.abs(s - b[i]!) < 1e-8 * (1 + Math.abs(b[i]!)), `row ${i}`);
  }
});

test('the normal equations flag a non-finite value in a dense or a sparse column, and Ridge names it', async () => {
  const { X, p, y } = collinear(80, 3);
  assert.equal(normalEquations({ data: X, rows: 80, cols: p }, y, true).finite, true);
  const { Ridge } = await import('./linear.js');
  // Column 4 made mostly zeros, so that it is kept as a sparse column.
  const Xs = Float64Array.from(X);
  for (let i = 0; i < 80; i++) Xs[i * p + 4] = i === 3 ? 1 : 0;
  for (const [col, bad] of [[0, NaN], [4, Infinity], [4, NaN], [p - 2, -Infinity]] as const) {
    const Xb = Float64Array.from(Xs);
    Xb[17 * p + col] = bad;
    assert.equal(normalEquations({ data: Xb, rows: 80, cols: p }, y, true).finite, false);
    assert.throws(() => new Ridge().fit({ data: Xb, rows: 80, cols: p }, y), new RegExp(`row 17, column ${col}:`));
  }
});
