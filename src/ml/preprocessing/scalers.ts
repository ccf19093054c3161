// Feature scaling: StandardScaler (zero mean, unit variance) and MinMaxScaler (to a range).

import { Transformer } from '../base.js';
import { checkCols, toMatrix, type Matrix, type MatrixLike } from '../matrix.js';

/** Parameters of {@link StandardScaler}. */
export interface StandardScalerParams {
  withMean: boolean;
  withStd: boolean;
}

/** Learned state of {@link StandardScaler}. */
export interface StandardScalerState {
  mean: Float64Array;
  /** Population standard deviation; 1 for constant columns (they are left unscaled). */
  scale: Float64Array;
}

/**
 * Centers each column and divides by its (population) standard deviation.
 * @example new StandardScaler().fitTransform([[1], [3]]).data; // [-1, 1]
 */
export class StandardScaler extends Transformer<StandardScalerParams, StandardScalerState> {
  readonly kind = 'StandardScaler';
  constructor(params: Partial<StandardScalerParams> = {}) {
    super({ withMean: true, withStd: true }, params);
  }
  fit(X: MatrixLike): this {
    const M = toMatrix(X);
    const { rows: n, cols: p, data } = M;
    const mean = new Float64Array(p);
    const scale = new Float64Array(p).fill(1);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += data[i * p + j]!;
    for (let j = 0; j < p; j++) mean[j] /= n;
    if (this.params.withStd) {
      const v = new Float64Array(p);
      for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) v[j] += (data[i * p + j]! - mean[j]!) ** 2;
      for (let j = 0; j < p; j++) { const s = Math.sqrt(v[j]! / n); scale[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j]!)) ? s : 1; }
    }
    if (!this.params.withMean) mean.fill(0);
    return this.setState({ mean, scale });
  }
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { mean, scale } = this.state;
    checkCols(M, mean.length);
    const p = M.cols;
    const out = new Float64Array(M.data.length);
    for (let k = 0; k < out.length; k++) { const j = k % p; out[k] = (M.data[k]! - mean[j]!) / scale[j]!; }
    return { data: out, rows: M.rows, cols: p };
  }
  /** Undoes transform. */
  inverseTransform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { mean, scale } = this.state;
    checkCols(M, mean.length);
    const p = M.cols;
    return { data: M.data.map((v, k) => v * scale[k % p]! + mean[k % p]!), rows: M.rows, cols: p };
  }
  parameterCount(): number {
    return 2 * this.state.mean.length;
  }
}

/** Parameters of {@link MinMaxScaler}. */
export interface MinMaxScalerParams {
  featureRange: [number, number];
  /** Clip transformed values to featureRange. */
  clip: boolean;
}

/** Learned state of {@link MinMaxScaler}. */
export interface MinMaxScalerState {
  dataMin: Float64Array;
  dataMax: Float64Array;
}

/**
 * Maps each column linearly so the training minimum and maximum land on featureRange.
 * @example new MinMaxScaler().fitTransform([[2], [4], [6]]).data; // [0, 0.5, 1]
 */
export class MinMaxScaler extends Transformer<MinMaxScalerParams, MinMaxScalerState> {
  readonly kind = 'MinMaxScaler';
  constructor(params: Partial<MinMaxScalerParams> = {}) {
    super({ featureRange: [0, 1], clip: false }, params);
    const [lo, hi] = this.params.featureRange;
    // scikit-learn's rule: a reversed or empty range mirrors or collapses the data.
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`MinMaxScaler: featureRange must be [min, max] finite with min < max, got [${this.params.featureRange.join(', ')}]`);
  }
  fit(X: MatrixLike): this {
    const M = toMatrix(X);
    const p = M.cols;
    const dataMin = new Float64Array(p).fill(Infinity);
    const dataMax = new Float64Array(p).fill(-Infinity);
    for (let k = 0; k < M.data.length; k++) {
      const j = k % p;
      const v = M.data[k]!;
      if (v < dataMin[j]!) dataMin[j] = v;
      if (v > dataMax[j]!) dataMax[j] = v;
    }
    return this.setState({ dataMin, dataMax });
  }
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    const { dataMin, dataMax } = this.state;
    checkCols(M, dataMin.length);
    const [lo, hi] = this.params.featureRange;
    const p = M.cols;
    const out = new Float64Array(M.data.length);
    for (let k = 0; k < out.length; k++) {
      const j = k % p;
      const range = dataMax[j]! - dataMin[j]!;
      let v = lo + ((M.data[k]! - dataMin[j]!) * (hi - lo)) / (range === 0 ? 1 : range);
      if (this.params.clip) v = Math.min(hi, Math.max(lo, v));
      out[k] = v;
    }
    return { data: out, rows: M.rows, cols: p };
  }
  parameterCount(): number {
    return 2 * this.state.dataMin.length;
  }
}
