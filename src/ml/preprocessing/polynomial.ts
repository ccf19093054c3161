// Polynomial and interaction features: all monomials of the inputs up to a degree.

import { Transformer } from '../base.js';
import { checkCols, toMatrix, type Matrix, type MatrixLike } from '../matrix.js';

/** Parameters of {@link PolynomialFeatures}. */
export interface PolynomialFeaturesParams {
  degree: number;
  /** Only products of distinct features (no powers). */
  interactionOnly: boolean;
  /** Include the constant column of ones. */
  includeBias: boolean;
}

/** Learned state: each output column as the list of input columns multiplied. */
export interface PolynomialFeaturesState {
  nFeatures: number;
  powers: number[][];
}

/**
 * Monomials in scikit-learn's order: 1, x0, x1, x0², x0x1, x1², ...
 * @example new PolynomialFeatures({ degree: 2 }).fitTransform([[2, 3]]).data; // [1, 2, 3, 4, 6, 9]
 */
/** The most output columns fit() builds (a million: a million-column matrix of even a few rows is large). */
const MAX_OUTPUT_COLUMNS = 1_000_000;

/** Monomials of degree 0..d in p variables, with the constant: C(p + d, d), or sum of C(p, k) for k <= d without repeats. */
function outputColumns(p: number, d: number, interactionOnly: boolean): number {
  let total = 0;
  let term = 1; // the count at degree k
  for (let k = 0; k <= d; k++) {
    if (k > 0) term = interactionOnly ? (term * (p - k + 1)) / k : (term * (p + k - 1)) / k;
    if (term <= 0) break;
    total += term;
    if (total > MAX_OUTPUT_COLUMNS) return total;
  }
  return total;
}

export class PolynomialFeatures extends Transformer<PolynomialFeaturesParams, PolynomialFeaturesState> {
  readonly kind = 'PolynomialFeatures';
  constructor(params: Partial<PolynomialFeaturesParams> = {}) {
    super({ degree: 2, interactionOnly: false, includeBias: true }, params);
  }
  fit(X: MatrixLike): this {
    const M = toMatrix(X, { allowNaN: true });
    const p = M.cols;
    const { degree } = this.params;
    if (!Number.isInteger(degree) || degree < 1) throw new Error(`PolynomialFeatures: degree must be a whole number >= 1, got ${degree}`);
    // The output width, counted before any monomial is built: C(p + d, d) with replacement (C(p, k)
    // summed over k <= d without), which grows past memory long before the loops would notice.
    const width = outputColumns(p, degree, this.params.interactionOnly) + (this.params.includeBias ? 0 : -1);
    if (width > MAX_OUTPUT_COLUMNS) throw new Error(`PolynomialFeatures: degree ${degree} on ${p} features makes ${width.toExponential(2)} columns (more than ${MAX_OUTPUT_COLUMNS.toLocaleString('en-US')}); lower the degree or the features`);
    const powers: number[][] = [];
    if (this.params.includeBias) powers.push([]);
    // Combinations with replacement of increasing indices, degree by degree.
    const rec = (start: number, combo: number[], d: number): void => {
      if (combo.length === d) { powers.push([...combo]); return; }
      for (let j = start; j < p; j++) { combo.push(j); rec(this.params.interactionOnly ? j + 1 : j, combo, d); combo.pop(); }
    };
    for (let d = 1; d <= this.params.degree; d++) rec(0, [], d);
    return this.setState({ nFeatures: p, powers });
  }
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X, { allowNaN: true });
    const { nFeatures, powers } = this.state;
    checkCols(M, nFeatures);
    const q = powers.length;
    const out = new Float64Array(M.rows * q);
    for (let i = 0; i < M.rows; i++) {
      for (let k = 0; k < q; k++) {
        let v = 1;
        for (const j of powers[k]!) v *= M.data[i * nFeatures + j]!;
        out[i * q + k] = v;
      }
    }
    return { data: out, rows: M.rows, cols: q };
  }
  parameterCount(): number {
    return 0;
  }
}
