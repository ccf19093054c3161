// Tests for `moxing fit|evaluate|predict|cv` on real tables (Ames house prices, credit scoring), in-process and once for real.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerFit } from './fit.js';
import { registerEvaluate } from './evaluate.js';
import { registerPredict } from './predict.js';
import { registerCv } from './cv.js';
import { fixturePath, REPO_ROOT } from '../../data/test-datasets.js';

async function run(args: string[]): Promise<string> {
  let out = '';
  const io = { write: (s: string) => void (out += s) };
  const program = new Command().exitOverride();
  registerFit(program, io);
  registerEvaluate(program, io);
  registerPredict(program, io);
  registerCv(program, io);
  await program.parseAsync(['node', 'moxing', ...args]);
  return out;
}

/** The first `rows` data rows of a CSV file, written to dir. */
function head(dir: string, path: string, rows: number, name: string): string {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out = join(dir, name);
  writeFileSync(out, `${lines.slice(0, rows + 1).join('\n')}\n`);
  return out;
}

test('fit -> evaluate -> predict on Ames house prices (categorical columns)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-ml-'));
  try {
    const train = head(dir, join(REPO_ROOT, 'examples', 'ames_housing', 'train.csv'), 400, 'train.csv');
    const model = join(dir, 'model.json');
    const fit = JSON.parse(await run(['fit', train, '--target', 'Sale_Price', '--model', 'ridge', '--set', 'alpha=10', '--out', model, '--json']));
    assert.equal(fit.kind, 'Ridge');
    assert.equal(fit.task, 'regression');
    assert.ok(fit.parameters > 74, 'one-hot columns add coefficients');
    assert.deepEqual(Object.keys(fit.metrics), ['r2', 'rmse', 'mae']);
    assert.ok(fit.metrics.r2 > 0.7, `validation r2 ${fit.metrics.r2}`);
    const ev = JSON.parse(await run(['evaluate', model, train, '--json']));
    assert.deepEqual(Object.keys(ev), ['metrics']);
    assert.deepEqual(Object.keys(ev.metrics), ['r2', 'rmse', 'mae']);
    const csv = await run(['predict', model, train]);
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'prediction');
    assert.equal(lines.length, 401);
    assert.ok(Number.isFinite(Number(lines[1])));
    const preds = join(dir, 'preds.csv');
    await run(['predict', model, train, '--out', preds]);
    assert.equal(readFileSync(preds, 'utf8'), csv);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('classification, clustering and cv output shapes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-ml-'));
  try {
    const credit = head(dir, fixturePath('credit_data/credit_data.csv'), 600, 'credit.csv');
    const model = join(dir, 'm.json');
    const fit = JSON.parse(await run(['fit', credit, '--target', 'Status', '--model', 'forest', '--set', 'nEstimators=10', '--seed', '1', '--out', model, '--json']));
    assert.equal(fit.task, 'classification');
    const ev = JSON.parse(await run(['evaluate', model, credit, '--json']));
    assert.deepEqual(Object.keys(ev.metrics), ['accuracy', 'f1']);
    const labels = new Set((await run(['predict', model, credit])).trim().split('\n').slice(1));
    assert.ok([...labels].every((l) => l === 'good' || l === 'bad'));
    const km = join(dir, 'km.json');
    await run(['fit', credit, '--model', 'kmeans', '--set', 'k=3', '--out', km]);
    const kev = JSON.parse(await run(['evaluate', km, credit, '--json']));
    assert.deepEqual(Object.keys(kev.metrics), ['inertia', 'silhouette']);
    const cv = JSON.parse(await run(['cv', credit, '--target', 'Status', '--model', 'logistic', '--folds', '3', '--json']));
    assert.equal(cv.folds.length, 3);
    assert.ok(cv.metrics.accuracy > 0.6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--model hgb: histogram gradient boosting for both tasks, saved and reloaded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-ml-'));
  try {
    const credit = head(dir, fixturePath('credit_data/credit_data.csv'), 600, 'credit.csv');
    const model = join(dir, 'hgb.json');
    const fit = JSON.parse(await run(['fit', credit, '--target', 'Status', '--model', 'hgb', '--set', 'maxIter=30', '--out', model, '--json']));
    assert.equal(fit.kind, 'HistGradientBoostingClassifier');
    assert.equal(fit.task, 'classification');
    assert.ok(fit.metrics.accuracy > 0.6, `validation accuracy ${fit.metrics.accuracy}`);
    const ev = JSON.parse(await run(['evaluate', model, credit, '--json']));
    assert.deepEqual(Object.keys(ev.metrics), ['accuracy', 'f1']);
    const labels = new Set((await run(['predict', model, credit])).trim().split('\n').slice(1));
    assert.ok([...labels].every((l) => l === 'good' || l === 'bad'));
    const ames = head(dir, join(REPO_ROOT, 'examples', 'ames_housing', 'train.csv'), 400, 'ames.csv');
    const reg = JSON.parse(await run(['fit', ames, '--target', 'Sale_Price', '--model', 'hgb', '--out', join(dir, 'r.json'), '--json']));
    assert.equal(reg.kind, 'HistGradientBoostingRegressor');
    assert.ok(reg.metrics.r2 > 0.6, `validation r2 ${reg.metrics.r2}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one clear message each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-ml-'));
  try {
    const w = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p; };
    const ragged = w('ragged.csv', 'a,b,y\n1,2,3\n4,5\n');
    const allMissing = w('missing.csv', 'a,b,y\n1,,3\n4,NA,5\n6,,7\n');
    const nanTarget = w('nan.csv', 'a,b,y\n1,2,3\n4,5,NaN\n6,7,8\n');
    const text = w('text.csv', 'a,y\n1,x\n2,y\n3,z\n');
    const out = join(dir, 'm.json');
    await assert.rejects(run(['fit', ragged, '--target', 'y', '--model', 'linear', '--out', out]), /ragged\.csv: line 3: ragged row with 2 fields \(the header has 3\)/);
    await assert.rejects(run(['fit', allMissing, '--target', 'y', '--model', 'linear', '--out', out]), /column 'b' has only missing values/);
    await assert.rejects(run(['fit', nanTarget, '--target', 'y', '--model', 'linear', '--out', out]), /target column 'y' has 1 missing value \(first in data row 2\)/);
    await assert.rejects(run(['fit', nanTarget, '--target', 'price', '--model', 'linear', '--out', out]), /unknown column 'price'; columns are: a, b, y/);
    await assert.rejects(run(['fit', text, '--target', 'y', '--model', 'linear', '--out', out]), /target column 'y' is not numeric \(it has 'x' in data row 1\)/);
    // Numbers with one stray word: the message names the word and its data row (blank lines are not
    // rows), not the first number; 0x1F is not a number to the CSV reader either.
    const stray = w('stray.csv', 'a,y\n1,2\n\n2,3\n3,n/a?\n4,5\n');
    await assert.rejects(run(['fit', stray, '--target', 'y', '--model', 'linear', '--out', out]), /target column 'y' is not numeric \(it has 'n\/a\?' in data row 3\)/);
    const hex = w('hex.csv', 'a,y\n1,2\n2,0x1F\n3,4\n');
    await assert.rejects(run(['fit', hex, '--target', 'y', '--model', 'linear', '--out', out]), /it has '0x1F' in data row 2/);
    await assert.rejects(run(['fit', text, '--target', 'y', '--model', 'nope', '--out', out]), /unknown model 'nope'/);
    const good = w('good.csv', 'a,b,y\n1,2,3\n2,1,4\n3,5,8\n4,4,9\n5,1,7\n6,2,9\n7,7,15\n8,1,10\n9,3,13\n10,2,13\n');
    await run(['fit', good, '--target', 'y', '--model', 'linear', '--out', out]);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    const v2 = w('v2.json', JSON.stringify({ ...saved, formatVersion: 2 }));
    await assert.rejects(run(['evaluate', v2, good, '--json']), /format version 2 is not supported/);
    await assert.rejects(run(['predict', w('junk.json', '{"a": '), good]), /not a moxing model file/);
    await assert.rejects(run(['predict', out, w('nob.csv', 'a\n1\n')]), /nob\.csv: the data lacks column the model was trained on: b/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real CLI prints one line on stderr and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-ml-'));
  try {
    const ragged = join(dir, 'r.csv');
    writeFileSync(ragged, 'a,y\n1,2\n3\n');
    const main = join(process.cwd(), 'src', 'cli', 'main.ts');
    const script = join(dir, 'run.mjs');
    writeFileSync(script, `import(${JSON.stringify(main)}).then((m) => m.main(process.argv));\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, 'fit', ragged, '--target', 'y', '--model', 'linear', '--out', join(dir, 'm.json')], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^moxing: .*r\.csv: line 3: ragged row/);
    // A header that is not UTF-8 (Latin-1 "é" is the byte E9) is refused, not read as U+FFFD.
    writeFileSync(join(dir, 'bin.csv'), Buffer.concat([Buffer.from([0xe9]), Buffer.from('x,y\n1,2\n2,4\n3,6\n')]));
    // Run from the file's folder, as a user names it; tsx by its resolved URL, since that folder has no node_modules.
    const bin = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), script, 'fit', 'bin.csv', '--target', 'y', '--model', 'linear', '--out', 'm.json'], { encoding: 'utf8', cwd: dir });
    assert.equal(bin.status, 1);
    assert.equal(bin.stderr, 'moxing: bin.csv: not valid UTF-8 (first bad byte at offset 0)\n');
    assert.ok(!existsSync(join(dir, 'm.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
