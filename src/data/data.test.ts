// CSV -> typed table (types, missing values, errors with line numbers) and row splits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, readCsv } from './csv.js';
import { column } from './table.js';
import { kFold, stratifiedKFold, trainTestSplit } from './split.js';
import { fixturePath, REPO_ROOT } from './test-datasets.js';

test('column types and missing values', () => {
  const t = parseCsv('n,c,m\n1,a,NA\n2.5,"b, quoted",\nNaN,,3\n');
  assert.equal(t.nRows, 3);
  assert.equal(column(t, 'n').kind, 'numeric');
  assert.deepEqual(Array.from(column(t, 'n').values as Float64Array), [1, 2.5, NaN]);
  assert.deepEqual(column(t, 'c').values, ['a', 'b, quoted', null]);
  assert.deepEqual(Array.from(column(t, 'm').values as Float64Array), [NaN, NaN, 3]);
  assert.throws(() => column(t, 'x'), /unknown column 'x'; columns are: n, c, m/);
});

test('errors name the line', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n3,4,5\n', { source: 'f.csv' }), /f\.csv: line 3: ragged row with 3 fields \(the header has 2\)/);
  assert.throws(() => parseCsv('a,a\n1,2\n'), /duplicate column name 'a'/);
  assert.throws(() => parseCsv(''), /empty file/);
  assert.throws(() => readCsv('/nonexistent/x.csv'), /no such file/);
});

test('a file that is not UTF-8 is refused with the offset of the first bad byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-csv-'));
  try {
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('name,y\ncaf\xe9,1\n', 'latin1')); // é as the single byte E9
    assert.throws(() => readCsv(latin1), { name: 'CsvError', message: `${latin1}: not valid UTF-8 (first bad byte at offset 10)` });
    const bom = join(dir, 'bom.csv');
    writeFileSync(bom, '\ufeffname,y\ncafé,1\n'); // a UTF-8 BOM and é as C3 A9 are fine
    assert.deepEqual(column(readCsv(bom), 'name').values, ['café']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real tables: Ames (categorical + numeric) and credit data (NA)', () => {
  const ames = readCsv(join(REPO_ROOT, 'examples', 'ames_housing', 'train.csv'));
  assert.equal(ames.nRows, 2000);
  assert.equal(column(ames, 'Neighborhood').kind, 'categorical');
  assert.equal(column(ames, 'Sale_Price').kind, 'numeric');
  // "WD " in the file: category labels are trimmed.
  assert.ok((column(ames, 'Sale_Type').values as string[]).includes('WD'));
  const credit = readCsv(fixturePath('credit_data/credit_data.csv'));
  const income = column(credit, 'Income').values as Float64Array;
  assert.ok(Array.from(income).some(Number.isNaN));
});

test('splits: sizes, disjointness, stratification, determinism', () => {
  const y = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
  const s = trainTestSplit(100, { testSize: 0.25, seed: 1, stratify: y });
  assert.equal(s.test.length, 25);
  assert.equal(new Set([...s.train, ...s.test]).size, 100);
  assert.equal(Array.from(s.test).filter((i) => y[i] === 1).length, 5); // 20% of 25
  assert.deepEqual(trainTestSplit(100, { seed: 1, stratify: y }), s);
  const folds = kFold(10, { nSplits: 3 });
  assert.deepEqual(folds.map((f) => f.test.length), [4, 3, 3]);
  for (const f of stratifiedKFold(y, { nSplits: 5, shuffle: true, seed: 0 })) {
    assert.equal(f.test.length, 20);
    assert.equal(Array.from(f.test).filter((i) => y[i] === 1).length, 4);
  }
});

test('splits refuse counts that are not whole, sizes outside their range, and too few rows', () => {
  assert.throws(() => kFold(10, { nSplits: NaN }), /nSplits must be a whole number in \[2, 10\], got NaN/);
  assert.throws(() => kFold(10, { nSplits: 2.5 }), /got 2\.5/);
  assert.throws(() => stratifiedKFold([], { nSplits: 2 }), /0 rows cannot be split into folds/);
  assert.throws(() => trainTestSplit(10, { testSize: NaN }), /testSize must be a fraction in \(0, 1\) or a whole number of rows, got NaN/);
  assert.throws(() => trainTestSplit(10, { testSize: 1.5 }), /got 1\.5/);
  assert.throws(() => trainTestSplit(2.5), /n must be a whole number of rows >= 2, got 2\.5/);
  assert.throws(() => trainTestSplit(-5), /got -5/);
  assert.equal(trainTestSplit(10, { testSize: 3 }).test.length, 3);
});

test('parseCsv: a categorical column name that is not in the header is refused (a typo read codes as numbers)', () => {
  assert.throws(() => parseCsv('zip,y\n123,1\n', { categorical: ['zp'] }), /categorical column 'zp' is not in the header \(columns: zip, y\)/);
  assert.equal(parseCsv('zip,y\n123,1\n', { categorical: ['zip'] }).columns[0]!.kind, 'categorical');
});
