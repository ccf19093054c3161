// Opt-in (`npm run test:data`): the full shared data sets. The committed fixtures are exactly what
// scripts/make-test-fixtures.mjs cuts from them, and the full files the fixtures stand in for read as
// the tests once read them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCsv } from './csv.js';
import { readIdx } from './idx.js';
import { column } from './table.js';
import { FIXTURES, REPO_ROOT, sharedDatasets } from './test-datasets.js';

const shared = sharedDatasets();

test('the committed fixtures are exactly the cuts scripts/make-test-fixtures.mjs makes from the shared data', async () => {
  const { makeFixtures } = (await import(join(REPO_ROOT, 'scripts', 'make-test-fixtures.mjs'))) as {
    makeFixtures: (from: string, out: string) => string[];
  };
  const out = mkdtempSync(join(tmpdir(), 'moxing-fixtures-'));
  try {
    const files = makeFixtures(shared, out);
    assert.ok(files.length > 20);
    for (const f of files) {
      const made = readFileSync(join(out, f));
      const committed = readFileSync(join(FIXTURES, f));
      // gzip output may differ between zlib versions: compare what the files hold.
      const body = (b: Buffer): Buffer => (f.endsWith('.gz') ? gunzipSync(b) : b);
      assert.ok(body(made).equals(body(committed)), `${f} differs from a fresh cut: rerun node scripts/make-test-fixtures.mjs`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the full Fashion-MNIST dev split: 2000 28x28 images, 200 of each of 10 labels', () => {
  const dir = join(shared, 'fashion_mnist', 'small');
  const images = readIdx(join(dir, 'dev-images-idx3-ubyte.gz'));
  const labels = readIdx(join(dir, 'dev-labels-idx1-ubyte.gz'));
  assert.equal(images.type, 'uint8');
  assert.deepEqual(images.shape, [2000, 28, 28]);
  assert.deepEqual(labels.shape, [2000]);
  const counts = new Array<number>(10).fill(0);
  for (const l of labels.data) counts[l]!++;
  assert.deepEqual(counts, new Array<number>(10).fill(200));
});

test('Ames: the shared 2344 rows are examples/ames_housing train.csv + test.csv; types and trimmed labels', () => {
  const ames = readCsv(join(shared, 'ames_housing', 'ames.csv'));
  assert.equal(ames.nRows, 2344);
  assert.equal(column(ames, 'Neighborhood').kind, 'categorical');
  assert.ok((column(ames, 'Sale_Type').values as string[]).includes('WD'));
  const [header, ...rows] = readFileSync(join(shared, 'ames_housing', 'ames.csv'), 'utf8').trimEnd().split(/\r?\n/);
  const train = readFileSync(join(REPO_ROOT, 'examples', 'ames_housing', 'train.csv'), 'utf8').trimEnd().split(/\r?\n/);
  const testPart = readFileSync(join(REPO_ROOT, 'examples', 'ames_housing', 'test.csv'), 'utf8').trimEnd().split(/\r?\n/);
  assert.deepEqual([train[0], testPart[0]], [header, header]);
  assert.deepEqual([...train.slice(1), ...testPart.slice(1)], rows);
});

test('credit data: every Income gap in the full file reads as NaN', () => {
  const credit = readCsv(join(shared, 'credit_data', 'credit_data.csv'));
  assert.equal(credit.nRows, 3563);
  const income = column(credit, 'Income').values as Float64Array;
  assert.ok(Array.from(income).filter(Number.isNaN).length > 100);
});
