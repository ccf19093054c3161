// moxing index build + eval --model retrieval / bow from the command line, output shapes exactly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../main.js';
import { captureIo } from '../io.js';

test('index build, then eval qa with retrieval alone and classify with bag of words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-eval-cli-'));
  try {
    writeFileSync(join(dir, 'g.txt'), 'cat (noun): a small feline\ndog (noun): a loyal canine\n');
    writeFileSync(join(dir, 'qa.csv'), 'question,answer\nWhat is a dog?,a loyal canine\nWhat is a cat?,a small feline\n');
    writeFileSync(join(dir, 'train.csv'), 'text,label\ngreat tasty,pos\nlovely great,pos\nawful stale,neg\nstale bad,neg\n');
    writeFileSync(join(dir, 'test.csv'), 'text,label\nso great,pos\nbad and stale,neg\n');
    const run = async (...args: string[]) => {
      const io = captureIo();
      await buildProgram(io).parseAsync(['node', 'moxing', ...args]);
      return io.text;
    };
    assert.deepEqual(JSON.parse(await run('index', 'build', join(dir, 'g.txt'), '--out', join(dir, 'ix'), '--json')), { files: 1, chunks: 1, out: join(dir, 'ix') });
    const qa = JSON.parse(await run('eval', '--model', 'retrieval', '--task', 'qa', '--data', join(dir, 'qa.csv'), '--docs', join(dir, 'ix'), '--json'));
    // --predictions: one line per row; a failed run, or --predictions naming the data, leaves files as they were.
    const pred = join(dir, 'pred.jsonl');
    await run('eval', '--model', 'retrieval', '--task', 'qa', '--data', join(dir, 'qa.csv'), '--docs', join(dir, 'ix'), '--predictions', pred);
    const written = readFileSync(pred, 'utf8');
    assert.equal(written.trim().split('\n').length, 2);
    await assert.rejects(run('eval', '--model', 'retrieval', '--task', 'qa', '--data', join(dir, 'missing.csv'), '--docs', join(dir, 'ix'), '--predictions', pred), /missing\.csv/);
    assert.equal(readFileSync(pred, 'utf8'), written);
    const data = readFileSync(join(dir, 'qa.csv'), 'utf8');
    await assert.rejects(run('eval', '--model', 'retrieval', '--task', 'qa', '--data', join(dir, 'qa.csv'), '--docs', join(dir, 'ix'), '--predictions', join(dir, 'qa.csv')), /is the --data file/);
    assert.equal(readFileSync(join(dir, 'qa.csv'), 'utf8'), data);
    await assert.rejects(run('eval', '--model', 'retrieval', '--task', 'qa', '--data', join(dir, 'qa.csv'), '--docs', join(dir, 'ix'), '--predictions', join(dir, 'no', 'p.jsonl')), /--predictions .*p\.jsonl: its folder .* does not exist/);
    assert.deepEqual(qa, { task: 'qa', n: 2, exactMatch: 1, f1: 1, contains: 1 });
    const clf = JSON.parse(await run('eval', '--model', 'bow', '--task', 'classify', '--data', join(dir, 'test.csv'), '--train', join(dir, 'train.csv'), '--json'));
    assert.deepEqual(Object.keys(clf), ['task', 'n', 'accuracy', 'f1']);
    assert.equal(clf.accuracy, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
