// Test-only helpers: real data sets (the committed fixtures in test/fixtures/datasets) as matrices
// (never imported by product code).

import { readCsv } from '../data/csv.js';
import { fixturePath } from '../data/test-datasets.js';
import { column, dropColumns, type Table } from '../data/table.js';
import type { Matrix } from './matrix.js';
import { LabelEncoder } from './preprocessing/label-encoder.js';

/** A data set as a matrix of its numeric columns and a numeric target (labels encoded in sorted order). */
export interface Dataset {
  X: Matrix;
  y: Float64Array;
  names: string[];
  table: Table;
}

/**
 * Loads a data-set fixture (its path in the data sets' layout) and splits off `target`; every other
 * column must be numeric.
 * @example const { X, y } = loadDataset('iris/iris_sklearn.csv', 'species');
 */
export function loadDataset(path: string, target: string, rows?: number): Dataset {
  const t = readCsv(fixturePath(path));
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
