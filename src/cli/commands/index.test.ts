import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../main.js';
import { captureIo } from '../io.js';

test('index build: a missing path or a folder is named, and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-index-cmd-'));
  try {
    const good = join(dir, 'a.txt');
    writeFileSync(good, 'Lima is the capital of Peru. It lies on the coast.');
    const out = join(dir, 'ix');
    const run = (...args: string[]) => buildProgram(captureIo()).parseAsync(['node', 'moxing', 'index', 'build', ...args]);
    const missing = join(dir, 'nope.txt');
    await assert.rejects(run(good, missing, '--out', out), (e: Error) => e.message === `${missing}: no such file`);
    await assert.rejects(run(dir, '--out', out), new RegExp(`${dir}: is a directory, expected a text, Markdown or HTML file .*${dir}/\\*\\.txt`));
    assert.equal(existsSync(out), false);
    await run(good, '--out', out);
    assert.equal(existsSync(join(out, 'index.json')), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
