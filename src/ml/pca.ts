// Principal component analysis (Pearson 1901; Hotelling 1933) by eigen-decomposition of the covariance matrix.

import { Transformer } from './base.js';
import { checkCols, toMatrix, type Matrix, type MatrixLike } from './matrix.js';
import { gram, symmetricEigen } from './linalg.js';

/** Parameters of {@link PCA}. */
export interface PCAParams {
  /** Components kept (null: all). */
  nComponents: number | null;
  /** Divide by the singular values so each component has unit variance. */
  whiten: boolean;
}

/** Learned state of {@link PCA}. */
export interface PCAState {
  mean: Float64Array;
  /** (nComponents, p) principal axes, row-major; signs fixed so each axis's largest |entry| is positive. */
  components: Float64Array;
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  nFeatures: number;
}

/**
 * PCA: projects centered data onto the directions of largest variance.
 * @example const Z = new PCA({ nComponents: 2 }).fitTransform(X); // (n, 2)
 */
export class PCA extends Transformer<PCAParams, PCAState> {
  readonly kind = 'PCA';
  constructor(params: Partial<PCAParams> = {}) {
    super({ nComponents: null, whiten: false }, params);
  }
  fit(X: MatrixLike): this {
    const M = toMatrix(X);
    const { rows: n, cols: p } = M;
    // The variance divides by n - 1: one row has none to explain.
    if (n < 2) throw new Error(`PCA: needs at least 2 rows, got ${n}`);
    const q = this.params.nComponents ?? Math.min(n, p);
    if (!(q >= 1 && q <= Math.min(n, p))) throw new Error(`PCA: nComponents must be in [1, ${Math.min(n, p)}], got ${q}`);
    const mean = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += M.data[i * p + j]!;
    for (let j = 0; j < p; j++) mean[j] /= n;
    const Xc = { data: M.data.map((v, k) => v - mean[k % p]!), rows: n, cols: p };
    const C = gram(Xc);
    for (let k = 0; k < C.data.length; k++) C.data[k] /= n - 1;
    const { values, vectors } = symmetricEigen(C);
    let total = 0;
    for (let k = 0; k < p; k++) total += Math.max(0, values[k]!);
    const components = new Float64Array(q * p);
    for (let c = 0; c < q; c++) {
      let big = 0;
      for (let j = 0; j < p; j++) if (Math.abs(vectors.data[j * p + c]!) > Math.abs(big)) big = vectors.data[j * p + c]!;
      const sign = big < 0 ? -1 : 1;
      for (let j = 0; j < p; j++) components[c * p + j] = sign * vectors.data[j * p + c]!;
    }
    const explainedVariance = Float64Array.from(values.subarray(0, q), (v) => Math.max(0, v));
    const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
    return this.setState({ mean, components, explainedVariance, explainedVarianceRatio, nFeatures: p });
  }
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { mean, components, explainedVariance, nFeatures: p } = this.state;
    checkCols(M, p);
    const q = explainedVariance.length;
    const out = new Float64Array(M.rows * q);
    for (let i = 0; i < M.rows; i++) {
      for (let c = 0; c < q; c++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += (M.data[i * p + j]! - mean[j]!) * components[c * p + j]!;
        out[i * q + c] = this.params.whiten ? s / Math.sqrt(explainedVariance[c]! || 1) : s;
      }
    }
    return { data: out, rows: M.rows, cols: q };
  }
  /** Maps projected data back to the original space. */
  inverseTransform(Z: MatrixLike): Matrix {
    const M = toMatrix(Z);
    const { mean, components, explainedVariance, nFeatures: p } = this.state;
    const q = explainedVariance.length;
    checkCols(M, q);
    const out = new Float64Array(M.rows * p);
    for (let i = 0; i < M.rows; i++) {
      for (let j = 0; j < p; j++) {
        let s = mean[j]!;
        for (let c = 0; c < q; c++) s += M.data[i * q + c]! * (this.params.whiten ? Math.sqrt(explainedVariance[c]!) : 1) * components[c * p + j]!;
        out[i * p + j] = s;
      }
    }
    return { data: out, rows: M.rows, cols: p };
  }
  parameterCount(): number {
    return this.state.components.length + this.state.mean.length;
  }
}
