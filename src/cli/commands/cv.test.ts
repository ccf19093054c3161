// `moxing cv` in-process on small written tables: per-fold output, and --grid's ranking and shapes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerCv } from './cv.js';
import { captureIo } from '../io.js';

async function run(args: string[]): Promise<string> {
  const io = captureIo();
  const program = new Command().exitOverride();
  registerCv(program, io);
  await program.parseAsync(['node', 'moxing', 'cv', ...args]);
  return io.text;
}

const dir = mkdtempSync(join(tmpdir(), 'moxing-cv-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// y is a step function of x with 6 steps (not whole numbers, so a quantity): a depth-1 tree cannot follow it, a depth-3 tree can.
const steps = join(dir, 'steps.csv');
writeFileSync(steps, `x,noise,y\n${Array.from({ length: 120 }, (_, i) => `${i % 60},${(i * 7) % 5},${Math.floor((i % 60) / 10) * 10 + 0.5}`).join('\n')}\n`);

test('cv --grid: every combination in grid order, ranked by r2, best params first', async () => {
  const out = JSON.parse(await run([steps, '--target', 'y', '--model', 'tree', '--folds', '3', '--grid', 'max_depth=1,3', '--grid', 'minSamplesLeaf=1,2', '--json']));
  assert.deepEqual(Object.keys(out), ['task', 'rankBy', 'bestParams', 'bestScore', 'results']);
  assert.equal(out.task, 'regression');
  assert.equal(out.rankBy, 'r2');
  assert.deepEqual(out.results.map((r: { params: object }) => r.params), [
    { maxDepth: 1, minSamplesLeaf: 1 }, { maxDepth: 1, minSamplesLeaf: 2 }, { maxDepth: 3, minSamplesLeaf: 1 }, { maxDepth: 3, minSamplesLeaf: 2 },
  ]);
  for (const r of out.results) {
    assert.deepEqual(Object.keys(r.metrics), ['r2', 'rmse', 'mae']);
    assert.deepEqual(Object.keys(r.std), ['r2', 'rmse', 'mae']);
  }
  const best = Math.max(...out.results.map((r: { metrics: { r2: number } }) => r.metrics.r2));
  assert.equal(out.bestScore, best);
  assert.equal(out.bestParams.maxDepth, 3);
  assert.ok(out.bestScore > 0.99, `depth 3 follows 6 steps: r2 ${out.bestScore}`);
  // A grid row is the plain cross-validation of that combination (same folds).
  const plain = JSON.parse(await run([steps, '--target', 'y', '--model', 'tree', '--folds', '3', '--set', 'maxDepth=1', 'minSamplesLeaf=2', '--json']));
  assert.deepEqual(plain.metrics, out.results[1].metrics);
});

test('cv --grid prints one line per combination and the best', async () => {
  const text = await run([steps, '--target', 'y', '--model', 'tree', '--folds', '3', '--grid', 'maxDepth=1,3']);
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^maxDepth=1: r2=\S+ rmse=\S+ mae=\S+ \(r2 std \S+\)$/);
  assert.match(lines[2]!, /^best: maxDepth=3 \(mean r2 \S+ over 3 folds\)$/);
});

test('cv without --grid: folds, mean and std', async () => {
  const out = JSON.parse(await run([steps, '--target', 'y', '--model', 'linear', '--folds', '4', '--json']));
  assert.deepEqual(Object.keys(out), ['task', 'metrics', 'std', 'folds']);
  assert.equal(out.folds.length, 4);
});

test('cv: more folds than rows is refused with the row count', async () => {
  const tiny = join(dir, 'tiny.csv');
  writeFileSync(tiny, 'x,y\n1,2\n2,4\n3,6\n');
  await assert.rejects(run([tiny, '--target', 'y', '--model', 'linear', '--folds', '5']), /--folds must be a whole number between 2 and 3 \(the data has 3 rows; each fold holds at least one\), got 5/);
  const one = join(dir, 'one.csv');
  writeFileSync(one, 'x,y\n1,2\n');
  await assert.rejects(run([one, '--target', 'y', '--model', 'linear', '--folds', '2']), /cross-validation needs at least 2 rows \(the data has 1\)/);
});

test('cv --grid: bad input, one clear message', async () => {
  await assert.rejects(run([steps, '--target', 'y', '--model', 'tree', '--grid', 'maxDepth']), /--grid expects key=v1,v2,\.\.\., got 'maxDepth'/);
  await assert.rejects(run([steps, '--target', 'y', '--model', 'tree', '--grid', 'maxDepth=1', '--grid', 'max_depth=2']), /--grid maxDepth is given twice/);
  await assert.rejects(run([steps, '--target', 'y', '--model', 'tree', '--grid', 'depth=1,2']), /unknown parameter 'depth'/);
  await assert.rejects(run([steps, '--target', 'y', '--model', 'trees', '--grid', 'maxDepth=1,2']), /unknown model 'trees'/);
});
