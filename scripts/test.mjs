#!/usr/bin/env node
// Runs every *.test.ts under src/ (and bench/ smoke tests) with node's built-in test runner through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2);
let files = findTests('src').sort();
if (filters.length > 0) files = files.filter((f) => filters.some((p) => f.includes(p)));
// Commands under test record runs: keep them out of the user's ~/.moxing.
const env = { ...process.env, MOXING_HOME: process.env.MOXING_HOME ?? mkdtempSync(join(tmpdir(), 'moxing-test-home-')) };
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
