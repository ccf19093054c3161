// Table -> matrix: numeric columns imputed and scaled, categorical columns one-hot encoded, picked by column type.

import { Transformer } from '../base.js';
import { hstack, type Matrix } from '../matrix.js';
import { column, missingCount, type Table } from '../../data/table.js';
import { isNumber } from '../../data/csv.js';
import { SimpleImputer, type SimpleImputerState } from './imputer.js';
import { StandardScaler, type StandardScalerState } from './scalers.js';
import { OneHotEncoder, type CategoryRows, type OneHotEncoderState } from './one-hot.js';

/** Parameters of {@link ColumnTransformer}. */
export interface ColumnTransformerParams {
  /** How missing numbers are filled. */
  numericStrategy: 'mean' | 'median';
  /** Standardize numeric columns (off for trees, which do not need it). */
  scale: boolean;
  /** Categories seen fewer times are pooled (see OneHotEncoder). */
  minFrequency: number;
}

/** Learned state of {@link ColumnTransformer}. */
export interface ColumnTransformerState {
  numeric: string[];
  categorical: string[];
  imputer: SimpleImputerState | null;
  scaler: StandardScalerState | null;
  encoder: OneHotEncoderState | null;
  featureNames: string[];
}

/**
 * Turns a typed table into a numeric matrix: numeric columns -> SimpleImputer -> StandardScaler,
 * categorical columns -> OneHotEncoder (missing is a category, unseen categories encode as zeros).
 * @example const X = new ColumnTransformer().fitTransform(readCsv('train.csv'));
 */
export class ColumnTransformer extends Transformer<ColumnTransformerParams, ColumnTransformerState, Table> {
  readonly kind = 'ColumnTransformer';
  constructor(params: Partial<ColumnTransformerParams> = {}) {
    super({ numericStrategy: 'median', scale: true, minFrequency: 1 }, params);
  }

  fit(t: Table): this {
    if (t.columns.length === 0) throw new Error('no feature columns');
    for (const c of t.columns) {
      if (missingCount(c) === t.nRows) throw new Error(`column '${c.name}' has only missing values`);
    }
    const numeric = t.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
    const categorical = t.columns.filter((c) => c.kind === 'categorical').map((c) => c.name);
    let imputer: SimpleImputer | null = null;
    let scaler: StandardScaler | null = null;
    let encoder: OneHotEncoder | null = null;
    const featureNames: string[] = [];
    if (numeric.length > 0) {
      const N = numericMatrix(t, numeric);
      imputer = new SimpleImputer({ strategy: this.params.numericStrategy }).fit(N);
      if (this.params.scale) scaler = new StandardScaler().fit(imputer.transform(N));
      featureNames.push(...numeric);
    }
    if (categorical.length > 0) {
      encoder = new OneHotEncoder({ handleUnknown: 'ignore', minFrequency: this.params.minFrequency }).fit(categoryRows(t, categorical));
      featureNames.push(...encoder.featureNames(categorical));
    }
    return this.setState({
      numeric, categorical, featureNames,
      imputer: imputer?.state ?? null, scaler: scaler?.state ?? null, encoder: encoder?.state ?? null,
    });
  }

  transform(t: Table): Matrix {
    const s = this.state;
    const parts: Matrix[] = [];
    if (s.imputer) {
      let N = new SimpleImputer({ strategy: this.params.numericStrategy }).setState(s.imputer).transform(numericMatrix(t, s.numeric));
      if (s.scaler) N = new StandardScaler().setState(s.scaler).transform(N);
      parts.push(N);
    }
    if (s.encoder) {
      const seen = s.encoder.categories.map((c, j) => [...c, ...s.encoder!.rare[j]!]);
      parts.push(new OneHotEncoder({ minFrequency: this.params.minFrequency }).setState(s.encoder).transform(categoryRows(t, s.categorical, seen)));
    }
    return hstack(parts);
  }

  /** Names of the output columns (`name` or `name=category`). */
  featureNames(): string[] {
    return this.state.featureNames;
  }

  parameterCount(): number {
    const s = this.state;
    return s.numeric.length * (s.scaler ? 3 : 1) + (s.encoder ? s.encoder.categories.reduce((a, c) => a + c.length, 0) : 0);
  }
}

function numericMatrix(t: Table, names: readonly string[]): Matrix {
  const p = names.length;
  const out = new Float64Array(t.nRows * p);
  names.forEach((name, j) => {
    const c = column(t, name);
    if (c.kind !== 'numeric') {
      // Only transform gets here (fit takes its numeric names from the table's own kinds).
      const bad = c.values.find((v) => v !== null && !isNumber(v));
      throw new Error(`column '${name}' was numeric when fitted but is categorical now${bad === undefined ? '' : ` (it has the value '${bad}')`}`);
    }
    for (let i = 0; i < t.nRows; i++) out[i * p + j] = c.values[i]!;
  });
  return { data: out, rows: t.nRows, cols: p };
}

/** Rows of the categorical columns; `seen` (transform): each column's fitted categories, rare ones included. */
function categoryRows(t: Table, names: readonly string[], seen?: readonly string[][]): CategoryRows {
  const cols = names.map((name, j) => {
    const c = column(t, name);
    if (c.kind === 'numeric') {
      // A categorical column may come back numeric in a file where all its values look like numbers
      // (or are missing). When none of its fitted categories was a number, the column changed kind:
      // every value would be an unseen category and encode as zeros, silently.
      const first = c.values.find((v) => !Number.isNaN(v));
      const cats = seen?.[j]?.filter((v) => v !== '');
      if (cats && first !== undefined && !cats.some(isNumber)) {
        const shown = cats.slice(0, 5).map((v) => `'${v}'`).join(', ') + (cats.length > 5 ? ', ...' : '');
        throw new Error(`column '${name}' was categorical when fitted (categories ${shown}) but is numeric now (e.g. the value ${first})`);
      }
      return Array.from(c.values, (v) => (Number.isNaN(v) ? null : String(v)));
    }
    return c.values;
  });
  return Array.from({ length: t.nRows }, (_, i) => cols.map((c) => c[i]!));
}
