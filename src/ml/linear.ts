// Linear regression: ordinary least squares, Ridge (L2), Lasso and ElasticNet (coordinate descent, Friedman et al. 2010).

import { Regressor } from './base.js';
import { checkCols, toMatrix, toVector, type Matrix, type MatrixLike, type VectorLike } from './matrix.js';
import { xv } from './linalg.js';
import { normalEquations } from './gram.js';
import { cholesky, choleskySolveInPlace, minNormSolve } from './cholesky.js';

/** Learned state of every linear regressor. */
export interface LinearState {
  coef: Float64Array;
  intercept: number;
  /** Coordinate-descent sweeps run (0 for closed forms). */
  nIter: number;
}

/** X with its column means removed (when fitting an intercept), plus those means and y's mean. */
function center(X: Matrix, y: Float64Array, fitIntercept: boolean): { Xc: Matrix; yc: Float64Array; xMean: Float64Array; yMean: number } {
  const { rows: n, cols: p } = X;
  const xMean = new Float64Array(p);
  let yMean = 0;
  if (!fitIntercept) return { Xc: X, yc: y, xMean, yMean };
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xMean[j] += X.data[i * p + j]!;
  for (let j = 0; j < p; j++) xMean[j] /= n;
  for (let i = 0; i < n; i++) yMean += y[i]!;
  yMean /= n;
  const d = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) d[i * p + j] = X.data[i * p + j]! - xMean[j]!;
  const yc = Float64Array.from(y, (v) => v - yMean);
  return { Xc: { data: d, rows: n, cols: p }, yc, xMean, yMean };
}

function interceptOf(coef: Float64Array, xMean: Float64Array, yMean: number): number {
  let s = yMean;
  for (let j = 0; j < coef.length; j++) s -= coef[j]! * xMean[j]!;
  return s;
}

/**
 * Solves (XcᵀXc + l2 I) w = Xcᵀyc: Cholesky for a positive definite system (ridge), else the
 * minimum-norm solution (ordinary least squares on collinear columns, as lstsq).
 */
function ridgeFit(X: MatrixLike, yLike: VectorLike, l2: number, fitIntercept: boolean): LinearState {
  // X's values are checked by the normal equations' one pass over it; toMatrix's own check runs only
  // to name the bad value when that pass found one.
  const M = toMatrix(X, { allowNaN: true });
  const y = toVector(yLike, M.rows);
  const p = M.cols;
  const { G, b, xMean, yMean, finite } = normalEquations(M, y, fitIntercept);
  if (!finite) toMatrix(M);
  for (let j = 0; j < p; j++) G[j * p + j] += l2;
  let coef: Float64Array;
  const L = l2 > 0 ? Float64Array.from(G) : null;
  if (L && cholesky(L, p)) {
    coef = Float64Array.from(b);
    choleskySolveInPlace(L, p, coef);
  } else coef = minNormSolve(G, b, p);
  return { coef, intercept: fitIntercept ? interceptOf(coef, xMean, yMean) : 0, nIter: 0 };
}

abstract class LinearModel<P extends { fitIntercept: boolean }> extends Regressor<P, LinearState> {
  /** Xw + b. */
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X);
    const { coef, intercept } = this.state;
    checkCols(M, coef.length);
    return xv(M, coef, intercept);
  }
  /** Coefficients and intercept. */
  parameterCount(): number {
    return this.state.coef.length + 1;
  }
}

/** Parameters of {@link LinearRegression}. */
export interface LinearRegressionParams {
  fitIntercept: boolean;
  /** Optional L2 penalty (0: ordinary least squares, minimum-norm when columns are collinear). */
  l2: number;
}

/**
 * Ordinary least squares (as scikit-learn's LinearRegression, minimum-norm for collinear columns).
 * @example new LinearRegression().fit([[0], [1], [2]], [1, 3, 5]).predict([[3]]); // [7]
 */
export class LinearRegression extends LinearModel<LinearRegressionParams> {
  readonly kind = 'LinearRegression';
  constructor(params: Partial<LinearRegressionParams> = {}) {
    super({ fitIntercept: true, l2: 0 }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    return this.setState(ridgeFit(X, y, this.params.l2, this.params.fitIntercept));
  }
}

/** Parameters of {@link Ridge}. */
export interface RidgeParams {
  /** L2 penalty: minimizes ||y - Xw||² + alpha ||w||². */
  alpha: number;
  fitIntercept: boolean;
}

/**
 * Ridge regression, closed form (Cholesky).
 * @example new Ridge({ alpha: 1 }).fit(X, y).score(X, y);
 */
export class Ridge extends LinearModel<RidgeParams> {
  readonly kind = 'Ridge';
  constructor(params: Partial<RidgeParams> = {}) {
    super({ alpha: 1, fitIntercept: true }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    if (!(this.params.alpha >= 0)) throw new Error('Ridge: alpha must be >= 0');
    return this.setState(ridgeFit(X, y, this.params.alpha, this.params.fitIntercept));
  }
}

/** Parameters of {@link ElasticNet}. */
export interface ElasticNetParams {
  /** Penalty strength: minimizes 1/(2n) ||y - Xw||² + alpha l1Ratio ||w||₁ + alpha (1 - l1Ratio) / 2 ||w||². */
  alpha: number;
  l1Ratio: number;
  fitIntercept: boolean;
  maxIter: number;
  /** Stops when the duality gap falls below tol * ||y||² (scikit-learn's rule). */
  tol: number;
}

/**
 * Elastic net by cyclic coordinate descent with scikit-learn's objective and duality-gap stopping rule.
 * @example new ElasticNet({ alpha: 0.1, l1Ratio: 0.5 }).fit(X, y).state.coef;
 */
export class ElasticNet extends LinearModel<ElasticNetParams> {
  readonly kind: string = 'ElasticNet';
  constructor(params: Partial<ElasticNetParams> = {}) {
    super({ alpha: 1, l1Ratio: 0.5, fitIntercept: true, maxIter: 1000, tol: 1e-4 }, params);
  }
  fit(X: MatrixLike, y: VectorLike): this {
    const { alpha, l1Ratio, maxIter, tol, fitIntercept } = this.params;
    if (!(alpha >= 0) || !(l1Ratio >= 0 && l1Ratio <= 1)) throw new Error(`${this.kind}: need alpha >= 0 and 0 <= l1Ratio <= 1`);
    const M = toMatrix(X);
    const yv = toVector(y, M.rows);
    const l1 = alpha * l1Ratio * M.rows;
    const l2 = alpha * (1 - l1Ratio) * M.rows;
    if (M.rows > M.cols) {
      // More rows than columns: descend over the precomputed Gram matrix (scikit-learn's precompute),
      // p operations per coordinate step instead of 2n.
      const ne = normalEquations(M, yv, fitIntercept);
      const { coef, nIter } = coordinateDescentGram(ne.G, ne.b, ne.yy, M.cols, l1, l2, maxIter, tol);
      return this.setState({ coef, intercept: fitIntercept ? interceptOf(coef, ne.xMean, ne.yMean) : 0, nIter });
    }
    const { Xc, yc, xMean, yMean } = center(M, yv, fitIntercept);
    const { coef, nIter } = coordinateDescent(Xc, yc, l1, l2, maxIter, tol);
    return this.setState({ coef, intercept: fitIntercept ? interceptOf(coef, xMean, yMean) : 0, nIter });
  }
}

/** Parameters of {@link Lasso}. */
export type LassoParams = Omit<ElasticNetParams, 'l1Ratio'>;

/**
 * Lasso: the elastic net with l1Ratio = 1 (sparse coefficients).
 * @example new Lasso({ alpha: 0.1 }).fit(X, y).state.coef; // many exact zeros
 */
export class Lasso extends ElasticNet {
  override readonly kind: string = 'Lasso';
  constructor(params: Partial<LassoParams> = {}) {
    super({ ...params, l1Ratio: 1 });
  }
}

/**
 * Minimizes ½||y - Xw||² + l1 ||w||₁ + ½ l2 ||w||² (scikit-learn's enet_coordinate_descent).
 * X is read column by column, so it is transposed once.
 */
function coordinateDescent(X: Matrix, y: Float64Array, l1: number, l2: number, maxIter: number, tol: number): { coef: Float64Array; nIter: number } {
  const { rows: n, cols: p } = X;
  const Xt = new Float64Array(n * p); // column-major copy: column j is Xt[j*n .. j*n+n)
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) Xt[j * n + i] = X.data[i * p + j]!;
  const normCols = new Float64Array(p);
  for (let j = 0; j < p; j++) { let s = 0; for (let i = 0; i < n; i++) s += Xt[j * n + i]! ** 2; normCols[j] = s; }
  const w = new Float64Array(p);
  const R = Float64Array.from(y);
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[i]! * y[i]!;
  const gapTol = tol * yy;
  let it = 0;
  for (; it < maxIter; it++) {
    let wMax = 0;
    let dwMax = 0;
    for (let j = 0; j < p; j++) {
      if (normCols[j] === 0) continue;
      const o = j * n;
      const wj = w[j]!;
      if (wj !== 0) for (let i = 0; i < n; i++) R[i] += wj * Xt[o + i]!;
      let tmp = 0;
      for (let i = 0; i < n; i++) tmp += Xt[o + i]! * R[i]!;
      const nw = (Math.sign(tmp) * Math.max(Math.abs(tmp) - l1, 0)) / (normCols[j]! + l2);
      w[j] = nw;
      if (nw !== 0) for (let i = 0; i < n; i++) R[i] -= nw * Xt[o + i]!;
      dwMax = Math.max(dwMax, Math.abs(nw - wj));
      wMax = Math.max(wMax, Math.abs(nw));
    }
    if (wMax === 0 || dwMax / wMax < tol || it === maxIter - 1) {
      // Duality gap of the current iterate.
      let dualNorm = 0;
      for (let j = 0; j < p; j++) {
        let s = 0;
        const o = j * n;
        for (let i = 0; i < n; i++) s += Xt[o + i]! * R[i]!;
        dualNorm = Math.max(dualNorm, Math.abs(s - l2 * w[j]!));
      }
      let rNorm2 = 0;
      let ry = 0;
      for (let i = 0; i < n; i++) { rNorm2 += R[i]! * R[i]!; ry += R[i]! * y[i]!; }
      let wNorm2 = 0;
      let l1Norm = 0;
      for (let j = 0; j < p; j++) { wNorm2 += w[j]! * w[j]!; l1Norm += Math.abs(w[j]!); }
      let c = 1;
      let gap = rNorm2;
      if (dualNorm > l1) { c = l1 / dualNorm; gap = 0.5 * (rNorm2 + rNorm2 * c * c); }
      gap += l1 * l1Norm - c * ry + 0.5 * l2 * (1 + c * c) * wNorm2;
      if (gap < gapTol) { it++; break; }
    }
  }
  return { coef: w, nIter: it };
}

/**
 * The same descent over the normal equations (scikit-learn's enet_coordinate_descent_gram): with
 * G = XᵀX, q = Xᵀy and H = Gw kept current, coordinate j's correlation with the residual is
 * q_j − H_j, and a change of w_j costs one column of G. The duality gap needs only w, q, H and yᵀy.
 */
function coordinateDescentGram(G: Float64Array, q: Float64Array, yy: number, p: number, l1: number, l2: number, maxIter: number, tol: number): { coef: Float64Array; nIter: number } {
  const w = new Float64Array(p);
  const H = new Float64Array(p);
  const gapTol = tol * yy;
  let it = 0;
  for (; it < maxIter; it++) {
    let wMax = 0;
    let dwMax = 0;
    for (let j = 0; j < p; j++) {
      const gjj = G[j * p + j]!;
      if (gjj === 0) continue;
      const wj = w[j]!;
      const tmp = q[j]! - H[j]! + gjj * wj;
      const nw = (Math.sign(tmp) * Math.max(Math.abs(tmp) - l1, 0)) / (gjj + l2);
      if (nw !== wj) {
        w[j] = nw;
        const dw = nw - wj;
        const o = j * p; // G is symmetric: row j is column j, contiguous
        for (let k = 0; k < p; k++) H[k] += dw * G[o + k]!;
      }
      dwMax = Math.max(dwMax, Math.abs(nw - wj));
      wMax = Math.max(wMax, Math.abs(nw));
    }
    if (wMax === 0 || dwMax / wMax < tol || it === maxIter - 1) {
      let dualNorm = 0;
      let qw = 0;
      let wHw = 0;
      let wNorm2 = 0;
      let l1Norm = 0;
      for (let j = 0; j < p; j++) {
        const wj = w[j]!;
        dualNorm = Math.max(dualNorm, Math.abs(q[j]! - H[j]! - l2 * wj));
        qw += q[j]! * wj;
        wHw += wj * H[j]!;
        wNorm2 += wj * wj;
        l1Norm += Math.abs(wj);
      }
      const rNorm2 = yy + wHw - 2 * qw;
      const ry = yy - qw;
      let c = 1;
      let gap = rNorm2;
      if (dualNorm > l1) { c = l1 / dualNorm; gap = 0.5 * (rNorm2 + rNorm2 * c * c); }
      gap += l1 * l1Norm - c * ry + 0.5 * l2 * (1 + c * c) * wNorm2;
      if (gap < gapTol) { it++; break; }
    }
  }
  return { coef: w, nIter: it };
}
