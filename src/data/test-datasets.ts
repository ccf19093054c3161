// Test-only: where tests find data. `npm test` reads only the small fixtures committed under
// test/fixtures/datasets (cut by scripts/make-test-fixtures.mjs); the opt-in suite (`npm run test:data`,
// files named *.data.test.ts) reads the full shared data sets. Never imported by product code.

import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is src/data/test-datasets.ts). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The committed data-set fixtures: the shared data sets' layout, with small cuts of their files. */
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'datasets');

/** A fixture file's path, from its path in the data sets' layout (e.g. 'digits/digits_8x8.csv'). */
export function fixturePath(path: string): string {
  return join(FIXTURES, path);
}

/**
 * The full shared data sets of the opt-in suite: $MOXING_DATASETS, which `npm run test:data`
 * (scripts/test.mjs, the one place that knows the default folder) sets. Throws one clear line when
 * it is unset or not a folder.
 */
export function sharedDatasets(): string {
  const env = process.env.MOXING_DATASETS;
  if (!env) throw new Error('the full data sets are for the opt-in suite: run it with npm run test:data (or set MOXING_DATASETS)');
  const dir = resolve(env);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`the shared data sets are not at ${dir} (set MOXING_DATASETS to the folder that holds them)`);
  }
  return dir;
}
