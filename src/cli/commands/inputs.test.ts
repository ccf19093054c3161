// Empty or out-of-range input to the model commands (generate, ask, classify) is refused with a line
// that names it, before or instead of an answer made from nothing. Runs on the shipped models.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../main.js';
import { captureIo } from '../io.js';

const run = (...args: string[]) => buildProgram(captureIo()).parseAsync(['node', 'moxing', ...args]);
const silent = { writeErr: () => undefined }; // commander's own usage lines stay out of the test output

test('generate: --top-p outside (0, 1] and a --repetition-penalty that is not positive are flag errors', async () => {
  for (const [flag, value] of [['--top-p', '0'], ['--top-p', '1.5'], ['--repetition-penalty', '0'], ['--repetition-penalty', '-2']] as const) {
    const program = buildProgram(captureIo()).configureOutput(silent);
    program.commands.forEach((c) => c.configureOutput(silent));
    await assert.rejects(program.parseAsync(['node', 'moxing', 'generate', 'Once', flag, value]), new RegExp(`${flag.replace(/-/g, '\\-')} .*argument '${value}' is invalid`));
  }
});

test('ask and classify: an empty question or text, text with --input, and bad zero-shot labels are refused', async () => {
  await assert.rejects(run('ask', '  '), /the question is empty/);
  await assert.rejects(run('classify', ''), /the text is empty/);
  await assert.rejects(run('classify', 'x', '--input', 'reviews.csv'), /give a text or --input <file\.csv>, not both/);
  await assert.rejects(run('classify', '--model', 'moxing-base', '--labels', 'great', 'other', 'Lovely tea'), /a text after --labels is read as a label \(labels: 'great', 'other', 'Lovely tea'\): put it before --labels/);
  await assert.rejects(run('classify', 'I love it', '--model', 'moxing-base', '--labels', 'good', ''), /--labels: zero-shot classification: a label is empty/);
  await assert.rejects(run('classify', 'I love it', '--model', 'moxing-base', '--labels', 'good', 'good'), /the label 'good' is given twice/);
  await assert.rejects(run('classify', 'I love it', '--model', 'moxing-base', '--labels', 'good', 'word '.repeat(300)), /tokens, and the model reads 128 at a time/);
});

test('generate says when the context cuts the prompt or the completion; ask --docs says when nothing was retrieved', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/moxing-dev.ts', ...args], { encoding: 'utf8', env: { ...process.env, MOXING_TRACKING: '0' }, timeout: 120_000 });
  const long = cli('generate', 'word '.repeat(200), '--max-new-tokens', '3', '--temperature', '0', '--json');
  assert.equal(long.status, 0, long.stderr);
  assert.match(long.stderr, /generate: the prompt is \d+ tokens; the model reads 128, so it continues from the last 127/);
  assert.match(long.stderr, /at most 1 new tokens fit in the 128-token context after the prompt \(--max-new-tokens 3\)/);
  const dir = mkdtempSync(join(tmpdir(), 'moxing-ask-none-'));
  try {
    writeFileSync(join(dir, 'a.txt'), 'Lima is the capital of Peru.');
    const ix = join(dir, 'ix');
    assert.equal(cli('index', 'build', join(dir, 'a.txt'), '--out', ix).status, 0);
    const none = cli('ask', '--docs', ix, '--extract', 'zzzz qqqq', '--json');
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stderr, /nothing in .*ix matches the question: no sentence to extract/);
    assert.deepEqual(JSON.parse(none.stdout), { answer: '', sources: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eval classify with a classifier whose labels the data never uses is refused, naming both label sets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-eval-labels-'));
  try {
    writeFileSync(join(dir, 'cl.csv'), 'text,label\nlovely tea,pos\nawful,neg\n');
    await assert.rejects(run('eval', '--model', 'moxing-sentiment', '--task', 'classify', '--data', join(dir, 'cl.csv')), /--label-col label: none of the data's labels \(pos, neg\) is one the model gives \(great, other\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
