// Logistic regression with an L2 penalty, binary or multinomial (softmax), fitted by L-BFGS as scikit-learn's lbfgs solver.

import { Classifier, encodeLabels, type ClassifierState } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { lbfgs } from './lbfgs.js';
import { gemm, kernelArray } from './gemm.js';
import { expFast, expFastInto } from './fast-exp.js';

/** Parameters of {@link LogisticRegression}. */
export interface LogisticRegressionParams {
  /** Inverse penalty strength: minimizes Σ loss + ||W||² / (2C) (intercepts not penalized). */
  C: number;
  maxIter: number;
  /** Gradient tolerance (max |∂f|), as scikit-learn's `tol` for lbfgs. */
  tol: number;
  fitIntercept: boolean;
}

/** Learned state of {@link LogisticRegression}. */
export interface LogisticRegressionState extends ClassifierState {
  /** (K, p) weights; K = 1 for two classes (the weight of the second class). */
  coef: Float64Array;
  intercept: Float64Array;
  nIter: number;
  converged: boolean;
}

/**
 * Logistic regression (binomial for two classes, multinomial for more).
 * @example new LogisticRegression({ C: 1 }).fit(X, y).predictProba(X);
 */
export class LogisticRegression extends Classifier<LogisticRegressionParams, LogisticRegressionState> {
  readonly kind = 'LogisticRegression';
  constructor(params: Partial<LogisticRegressionParams> = {}) {
    super({ C: 1, maxIter: 100, tol: 1e-4, fitIntercept: true }, params);
  }

  fit(X: MatrixLike, y: VectorLike): this {
    const M = toMatrix(X);
    const { classes, index } = encodeLabels(toVector(y, M.rows));
    if (classes.length < 2) throw new Error('LogisticRegression needs at least two classes in y');
    const { C, maxIter, tol, fitIntercept } = this.params;
    const K = classes.length === 2 ? 1 : classes.length;
    const p = M.cols;
    const obj = K === 1 ? binaryObjective(M, index, C, fitIntercept) : softmaxObjective(M, index, K, C, fitIntercept);
    const res = lbfgs(obj, new Float64Array(K * p + K), { maxIter, gtol: tol });
    return this.setState({
      classes,
      coef: res.x.slice(0, K * p),
      intercept: res.x.slice(K * p),
      nIter: res.nIter,
      converged: res.converged,
    });
  }

  /** Linear scores Xwᵀ + b, (n, K). */
  decisionFunction(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { coef, intercept } = this.state;
    const K = intercept.length;
    const p = coef.length / K;
    checkCols(M, p);
    const out = new Float64Array(M.rows * K);
    for (let i = 0; i < M.rows; i++) {
      const o = i * p;
      for (let k = 0; k < K; k++) {
        let s = intercept[k]!;
        const wk = k * p;
        for (let j = 0; j < p; j++) s += M.data[o + j]! * coef[wk + j]!;
        out[i * K + k] = s;
      }
    }
    return { data: out, rows: M.rows, cols: K };
  }

  predictProba(X: MatrixLike): Matrix {
    const Z = this.decisionFunction(X);
    const n = Z.rows;
    if (Z.cols === 1) {
      const out = new Float64Array(n * 2);
      for (let i = 0; i < n; i++) { const p1 = sigmoid(Z.data[i]!); out[2 * i] = 1 - p1; out[2 * i + 1] = p1; }
      return { data: out, rows: n, cols: 2 };
    }
    const K = Z.cols;
    const scratch = { s: 1 };
    for (let i = 0; i < n; i++) softmaxInPlace(Z.data, i * K, K, scratch);
    return Z;
  }

  parameterCount(): number {
    return this.state.coef.length + this.state.intercept.length;
  }
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Softmax of a[o, o + K) in place; returns the row's max score and leaves its normaliser (the sum of
 * exponentials, in [1, K]) in `lse.s`, so the caller can take one log of a product of many rows'.
 */
function softmaxInPlace(a: Float64Array, o: number, K: number, lse: { s: number }): number {
  let mx = -Infinity;
  for (let k = 0; k < K; k++) mx = Math.max(mx, a[o + k]!);
  let s = 0;
  for (let k = 0; k < K; k++) { const e = expFast(a[o + k]! - mx); a[o + k] = e; s += e; }
  const inv = 1 / s;
  for (let k = 0; k < K; k++) a[o + k] = a[o + k]! * inv;
  lse.s = s;
  return mx;
}

function binaryObjective(X: Matrix, yIdx: Int32Array, C: number, fitIntercept: boolean) {
  const { rows: n, cols: p } = X;
  // Both products per evaluation (z = Xw, ∂ = Xᵀr) run on the fast matmul kernel, in its storage.
  const Xb = kernelArray(n * p);
  Xb.set(X.data);
  const wb = kernelArray(p);
  const z = kernelArray(n);
  const gw = kernelArray(p);
  const sign = Float64Array.from(yIdx, (y) => (y === 1 ? -1 : 1));
  const acc = new Float64Array(2);
  const ex = new Float64Array(n);
  return (w: Float64Array, g: Float64Array): number => {
    wb.set(w.subarray(0, p));
    gemm(Xb, wb, z, n, 1, p, false, false); // z = Xw, (n, 1)
    const b = fitIntercept ? w[p]! : 0;
    rowTerms(z, sign, b, n, acc, ex);
    let f = acc[0]!;
    const gb = acc[1]!;
    gemm(Xb, z, gw, p, 1, n, true, false); // Xᵀr, (p, 1)
    for (let j = 0; j < p; j++) { const wj = w[j]!; f += (wj * wj) / (2 * C); g[j] = gw[j]! + wj / C; }
    g[p] = fitIntercept ? gb : 0;
    return f;
  };
}

/**
 * The rows' loss and residuals: z (the scores Xw, less the intercept b) becomes r = σ(z + b) - y, and
 * acc gets [Σ loss, Σ r]; ex is scratch. Written as the objective's own loop, calling expFast, the
 * fit's speed depended on how the JIT happened to compile it: in four of five fresh processes the
 * loop's sums, or expFast's argument and result, stayed boxed, a heap number or two per row (13 MB of
 * garbage and 9.6-10 ms per credit fit, against 8.0 ms). Here the sums are locals of a small function
 * and the exponentials come from expFastInto, which leaves no call in a loop.
 */
function rowTerms(z: Float64Array, sign: Float64Array, b: number, n: number, acc: Float64Array, ex: Float64Array): void {
  for (let i = 0; i < n; i++) ex[i] = -Math.abs(z[i]! + b);
  expFastInto(ex, ex, n);
  let f = 0;
  let gb = 0;
  // The log1p terms as one log per 256 rows of the product of their (1 + e), each in [1, 2]
  // (2^256 is far from overflow): a log per row was the loss's largest cost after the GEMMs.
  let prod = 1;
  for (let i = 0; i < n; i++) {
    // Loss log(1 + e^{s z}) with s = -1 for the positive class; one exp serves loss and sigmoid.
    const zi = z[i]! + b;
    const e = ex[i]!;
    const sz = sign[i]! * zi;
    f += sz > 0 ? sz : 0;
    prod *= 1 + e;
    if ((i & 255) === 255) { f += Math.log(prod); prod = 1; }
    const p1 = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
    const r = p1 - (sign[i]! < 0 ? 1 : 0);
    z[i] = r;
    gb += r;
  }
  acc[0] = f + Math.log(prod);
  acc[1] = gb;
}

function softmaxObjective(X: Matrix, yIdx: Int32Array, K: number, C: number, fitIntercept: boolean) {
  const { rows: n, cols: p } = X;
  // Buffers live in the engine's storage so a fast matmul kernel can use them in place.
  const Xb = kernelArray(n * p);
  Xb.set(X.data);
  const Wt = kernelArray(p * K); // Wᵀ, so both products run the kernel's contiguous i-k-j loop
  const Z = kernelArray(n * K);
  const GWt = kernelArray(p * K); // the weights' gradient transposed, (p, K): see below
  const bias = new Float64Array(K);
  const gBias = new Float64Array(K);
  return (w: Float64Array, g: Float64Array): number => {
    const bOff = K * p;
    for (let k = 0; k < K; k++) for (let j = 0; j < p; j++) Wt[j * K + k] = w[k * p + j]!;
    for (let k = 0; k < K; k++) bias[k] = fitIntercept ? w[bOff + k]! : 0;
    gemm(Xb, Wt, Z, n, K, p, false, false); // Z = X Wᵀ, (n, K)
    let f = 0;
    // The log-sum-exp's logs: one per 32 rows, of the product of their normalisers (each at most
    // K, so 32 of them stay far from overflow for K up to 10^9): a log per row was a fifth of digits' loss.
    let prod = 1;
    const gb = gBias;
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * K;
      const y = yIdx[i]!;
      // One pass adds the intercepts and finds the row's max, one takes the exponentials, one
      // normalises, subtracts the one-hot label and sums the bias gradient (separate loops per step cost a fifth more).
      let mx = -Infinity;
      for (let k = 0; k < K; k++) { const z = Z[o + k]! + bias[k]!; Z[o + k] = z; if (z > mx) mx = z; }
      const zy = Z[o + y]!;
      let s = 0;
      for (let k = 0; k < K; k++) { const e = expFast(Z[o + k]! - mx); Z[o + k] = e; s += e; }
      const inv = 1 / s;
      for (let k = 0; k < K; k++) { const r = Z[o + k]! * inv - (k === y ? 1 : 0); Z[o + k] = r; gb[k] += r; } // softmax - onehot
      f += mx - zy;
      prod *= s;
      if ((i & 31) === 31) { f += Math.log(prod); prod = 1; }
    }
    f += Math.log(prod);
    // Xᵀ R, (p, K), and read transposed: OpenBLAS took 37 µs for it on digits against 48 µs for Rᵀ X.
    gemm(Xb, Z, GWt, p, K, n, true, false);
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < p; j++) { const t = k * p + j; f += (w[t]! * w[t]!) / (2 * C); g[t] = GWt[j * K + k]! + w[t]! / C; }
    }
    for (let k = 0; k < K; k++) g[bOff + k] = fitIntercept ? gb[k]! : 0;
    return f;
  };
}
