// Test-only helpers: real data sets from the shared datasets folder as matrices (never imported by product code).

import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../data/csv.js';
import { column, dropColumns, type Table } from '../data/table.js';
import type { Matrix } from './matrix.js';
import { LabelEncoder } from './preprocessing/label-encoder.js';

/** The shared datasets folder beside the repository root. */
export const DATASETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'datasets');

/** A data set as a matrix of its numeric columns and a numeric target (labels encoded in sorted order). */
export interface Dataset {
  X: Matrix;
  y: Float64Array;
  names: string[];
  table: Table;
}

/**
 * Loads `datasets/<path>` and splits off `target`; every other column must be numeric.
 * @example const { X, y } = loadDataset('iris/iris_sklearn.csv', 'species');
 */
export function loadDataset(path: string, target: string, rows?: number): Dataset {
  const t = readCsv(join(DATASETS, path));
  const tc = column(t, target);
  const feats = dropColumns(t, [target]);
  const n = rows === undefined ? t.nRows : Math.min(rows, t.nRows);
  const p = feats.columns.length;
  const data = new Float64Array(n * p);
  feats.columns.forEach((c, j) => {
    if (c.kind !== 'numeric') throw new Error(`loadDataset: column ${c.name} is not numeric`);
    for (let i = 0; i < n; i++) data[i * p + j] = c.values[i]!;
  });
  const y = tc.kind === 'numeric'
    ? tc.values.slice(0, n)
    : new LabelEncoder().fit(tc.values.map((v) => v ?? '')).encode(tc.values.slice(0, n).map((v) => v ?? ''));
  return { X: { data, rows: n, cols: p }, y, names: feats.columns.map((c) => c.name), table: t };
}
