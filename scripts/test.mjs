#!/usr/bin/env node
// Runs the tests with node's built-in test runner through tsx (Node 20's --test does not expand globs,
// so the files are listed here).
//
//   node scripts/test.mjs [filter...]          every *.test.ts under src/: the repository alone
//   node scripts/test.mjs --data [filter...]   the opt-in *.data.test.ts files (npm run test:data),
//                                              which read the full shared data sets: $MOXING_DATASETS,
//                                              else ../shared/datasets
//
// A filter keeps the files whose path contains it (e.g. `node scripts/test.mjs src/ml/`).
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const data = args.includes('--data');
const filters = args.filter((a) => a !== '--data');
const isData = (f) => f.endsWith('.data.test.ts');
let files = findTests('src').filter((f) => isData(f) === data).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)));
// Commands under test record runs: keep them out of the user's ~/.moxing.
const env = { ...process.env, MOXING_HOME: process.env.MOXING_HOME ?? mkdtempSync(join(tmpdir(), 'moxing-test-home-')) };
if (data) {
  const dir = resolve(process.env.MOXING_DATASETS ?? join('..', 'shared', 'datasets'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`moxing: npm run test:data needs the shared data sets: ${dir} is not a folder (set MOXING_DATASETS to where they are)`);
    process.exit(1);
  }
  env.MOXING_DATASETS = dir; // absolute, whatever folder the test files run from
}
if (files.length === 0) {
  console.error(`moxing: no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
