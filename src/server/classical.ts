// Classical (tabular) models behind /v1/predict: JSON rows -> a typed table -> the saved pipeline.

import { predictTabular } from '../ml/tabular/predict.js';
import { readModelFile, type LoadedTabular } from '../ml/tabular/model-file.js';
import { table, type Column } from '../data/table.js';
import { invalidRequest } from './errors.js';

/** One input row: an object keyed by feature name, or values in the model's feature order. */
export type Row = Record<string, number | string | null> | Array<number | string | null>;

/** What /v1/predict needs from a classical model (a stub implements it in tests). */
export interface ClassicalPredictor {
  /** 'regression', 'classification' or 'clustering'. */
  readonly task: string;
  /** Feature names in training order, when known. */
  readonly features: readonly string[] | null;
  /** Class labels (classification). */
  readonly labels: readonly string[] | null;
  /** One prediction per row; throws ApiError 400 for rows that do not fit the model. */
  predict(rows: readonly Row[]): Array<string | number>;
}

/**
 * Loads a model file written by `moxing fit` as a predictor.
 * @example const p = loadClassical('runs/credit/model.json'); p.predict([{ age: 31, job: 'clerk' }]);
 */
export function loadClassical(path: string): ClassicalPredictor {
  return tabularPredictor(readModelFile(path));
}

/**
 * Wraps a loaded tabular model.
 * @example tabularPredictor(loadTabular(json)).predict([[1, 'a']]);
 */
export function tabularPredictor(m: LoadedTabular): ClassicalPredictor {
  const features = m.file.features;
  return {
    task: m.file.task,
    features: features.map((f) => f.name),
    labels: m.file.labels,
    predict(rows) {
      const columns: Column[] = features.map((f, j) => {
        const cells = rows.map((r, i) => cellOf(r, f.name, j, i, features.length));
        if (f.kind === 'numeric') {
          const values = Float64Array.from(cells, (v, i) => {
            if (v === null || v === '') return NaN;
            const x = typeof v === 'number' ? v : Number(v);
            if (Number.isNaN(x)) throw invalidRequest(`rows[${i}].${f.name}: expected a number, got '${String(v)}'`, `rows[${i}].${f.name}`);
            return x;
          });
          return { kind: 'numeric', name: f.name, values };
        }
        return { kind: 'categorical', name: f.name, values: cells.map((v) => (v === null ? null : String(v))) };
      });
      try {
        return predictTabular(m, table(columns));
      } catch (err) {
        throw invalidRequest(`the rows do not fit the model: ${(err as Error).message}`, 'rows');
      }
    },
  };
}

function cellOf(row: Row, name: string, j: number, i: number, width: number): number | string | null {
  if (Array.isArray(row)) {
    if (row.length !== width) throw invalidRequest(`rows[${i}] has ${row.length} values, but the model takes ${width} features`, `rows[${i}]`);
    return row[j]!;
  }
  if (!(name in row)) throw invalidRequest(`rows[${i}] lacks the feature '${name}'`, `rows[${i}]`);
  return row[name]!;
}
