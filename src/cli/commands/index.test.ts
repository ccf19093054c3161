import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

test('index build reads a pipe (as <(zcat notes.gz) gives): its text is chunked, read once', async (t) => {
  if (process.platform === 'win32') {
    t.skip('no mkfifo');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'moxing-index-pipe-'));
  try {
    const fifo = join(dir, 'notes');
    execFileSync('mkfifo', [fifo]);
    // The writer opens the pipe when the build reads it, and closes it after one write.
    const writer = spawn('sh', ['-c', `printf 'Lima is the capital of Peru. It lies on the coast.' > '${fifo}'`]);
    const out = join(dir, 'ix');
    // In a child with a time limit: a build that read the pipe twice, as it once did, waited forever
    // for a second writer (a blocking read, which no in-process timeout interrupts).
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/moxing-dev.ts', 'index', 'build', fifo, '--out', out], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MOXING_TRACKING: '0' } });
    writer.kill();
    assert.equal(r.status, 0, r.stderr || String(r.error));
    const chunks = readFileSync(join(out, 'chunks.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: string });
    assert.equal(chunks.length, 1);
    assert.match(chunks[0]!.t, /Lima is the capital of Peru/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
