// Missing-value imputation: replace NaN by a per-column mean, median, most frequent value or a constant.

import { Transformer } from '../base.js';
import { checkCols, toMatrix, type Matrix, type MatrixLike } from '../matrix.js';

/** Parameters of {@link SimpleImputer}. */
export interface SimpleImputerParams {
  strategy: 'mean' | 'median' | 'most_frequent' | 'constant';
  fillValue: number;
}

/** Learned state of {@link SimpleImputer}. */
export interface SimpleImputerState {
  statistics: Float64Array;
}

/**
 * Replaces missing values (NaN) column by column. A column with no observed value is an error
 * (scikit-learn silently drops it).
 * @example new SimpleImputer({ strategy: 'mean' }).fitTransform([[1], [NaN], [3]]).data; // [1, 2, 3]
 */
export class SimpleImputer extends Transformer<SimpleImputerParams, SimpleImputerState> {
  readonly kind = 'SimpleImputer';
  constructor(params: Partial<SimpleImputerParams> = {}) {
    super({ strategy: 'mean', fillValue: 0 }, params);
  }
  fit(X: MatrixLike): this {
    const M = toMatrix(X, { allowNaN: true });
    const { rows: n, cols: p, data } = M;
    const statistics = new Float64Array(p);
    const col: number[] = [];
    for (let j = 0; j < p; j++) {
      col.length = 0;
      for (let i = 0; i < n; i++) { const v = data[i * p + j]!; if (!Number.isNaN(v)) col.push(v); }
      if (this.params.strategy === 'constant') { statistics[j] = this.params.fillValue; continue; }
      if (col.length === 0) throw new Error(`SimpleImputer: column ${j} has only missing values`);
      statistics[j] = statistic(col, this.params.strategy);
    }
    return this.setState({ statistics });
  }
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X, { allowNaN: true });
    const { statistics } = this.state;
    checkCols(M, statistics.length);
    const p = M.cols;
    return { data: M.data.map((v, k) => (Number.isNaN(v) ? statistics[k % p]! : v)), rows: M.rows, cols: p };
  }
  parameterCount(): number {
    return this.state.statistics.length;
  }
}

function statistic(col: number[], strategy: 'mean' | 'median' | 'most_frequent'): number {
  if (strategy === 'mean') return col.reduce((s, v) => s + v, 0) / col.length;
  const sorted = Float64Array.from(col).sort();
  if (strategy === 'median') {
    const m = sorted.length >> 1;
    return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
  }
  // Most frequent; ties go to the smallest value, as scikit-learn.
  let best = sorted[0]!;
  let bestCount = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) { bestCount = j - i; best = sorted[i]!; }
    i = j;
  }
  return best;
}
