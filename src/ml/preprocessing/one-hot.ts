// One-hot encoding of categorical columns; categories unseen in fit become all zeros (or an error).

import { Transformer } from '../base.js';
import type { Matrix } from '../matrix.js';

/** Categorical data: rows of category labels, null for missing. */
export type CategoryRows = readonly (readonly (string | null)[])[];

/** Parameters of {@link OneHotEncoder}. */
export interface OneHotEncoderParams {
  /** 'ignore': an unseen category encodes as all zeros; 'error': it throws. */
  handleUnknown: 'ignore' | 'error';
  /** Categories seen fewer times than this are pooled into one "infrequent" column (1: keep all). */
  minFrequency: number;
}

/** Learned state of {@link OneHotEncoder}. */
export interface OneHotEncoderState {
  /** Per input column, its sorted categories ('' stands for missing). */
  categories: string[][];
  /** Per input column, whether rare categories were pooled into an extra last column. */
  infrequent: boolean[];
  /** Per input column, the pooled rare categories. */
  rare: string[][];
  nFeatures: number;
}

const MISSING = '';

/**
 * One column per category of each input column; missing values are a category of their own.
 * @example new OneHotEncoder().fitTransform([['a'], ['b'], ['a']]).data; // [1, 0, 0, 1, 1, 0]
 */
export class OneHotEncoder extends Transformer<OneHotEncoderParams, OneHotEncoderState, CategoryRows> {
  readonly kind = 'OneHotEncoder';
  constructor(params: Partial<OneHotEncoderParams> = {}) {
    super({ handleUnknown: 'ignore', minFrequency: 1 }, params);
  }
  fit(X: CategoryRows): this {
    if (X.length === 0) throw new Error('OneHotEncoder: no rows');
    const p = X[0]!.length;
    const ragged = X.findIndex((r) => r.length !== p);
    if (ragged >= 0) throw new Error(`OneHotEncoder: row ${ragged} has ${X[ragged]!.length} values, expected ${p} (as row 0)`);
    const categories: string[][] = [];
    const infrequent: boolean[] = [];
    const rare: string[][] = [];
    for (let j = 0; j < p; j++) {
      const counts = new Map<string, number>();
      for (const row of X) { const v = row[j] ?? MISSING; counts.set(v, (counts.get(v) ?? 0) + 1); }
      const keep = [...counts.keys()].filter((c) => counts.get(c)! >= this.params.minFrequency).sort();
      const pooled = [...counts.keys()].filter((c) => counts.get(c)! < this.params.minFrequency).sort();
      categories.push(keep);
      rare.push(pooled);
      infrequent.push(pooled.length > 0);
    }
    return this.setState({ categories, infrequent, rare, nFeatures: p });
  }
  /** Output column names, `column=category`. */
  featureNames(inputNames?: readonly string[]): string[] {
    const { categories, infrequent } = this.state;
    const out: string[] = [];
    categories.forEach((cats, j) => {
      const name = inputNames?.[j] ?? `x${j}`;
      for (const c of cats) out.push(`${name}=${c === MISSING ? '<missing>' : c}`);
      if (infrequent[j]) out.push(`${name}=<infrequent>`);
    });
    return out;
  }
  transform(X: CategoryRows): Matrix {
    const { categories, infrequent, rare, nFeatures } = this.state;
    const index = categories.map((cats) => new Map(cats.map((c, i) => [c, i])));
    const rareSet = rare.map((r) => new Set(r));
    const offsets: number[] = [];
    let width = 0;
    for (let j = 0; j < nFeatures; j++) { offsets.push(width); width += categories[j]!.length + (infrequent[j] ? 1 : 0); }
    const out = new Float64Array(X.length * width);
    X.forEach((row, i) => {
      if (row.length !== nFeatures) throw new Error(`OneHotEncoder: row ${i} has ${row.length} columns, expected ${nFeatures}`);
      for (let j = 0; j < nFeatures; j++) {
        const v = row[j] ?? MISSING;
        const k = index[j]!.get(v);
        if (k !== undefined) out[i * width + offsets[j]! + k] = 1;
        else if (rareSet[j]!.has(v)) out[i * width + offsets[j]! + categories[j]!.length] = 1;
        else if (this.params.handleUnknown === 'error') throw new Error(`OneHotEncoder: unknown category '${v}' in column ${j}`);
      }
    });
    return { data: out, rows: X.length, cols: width };
  }
  parameterCount(): number {
    return this.state.categories.reduce((s, c) => s + c.length, 0);
  }
}
