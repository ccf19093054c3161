// Pretraining end to end on a small corpus: loss falls, resume reproduces the uninterrupted curve,
// interrupted checkpoints are recovered, bad input is refused without touching existing runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { dataset } from '../text/test-corpus.js';
import { prepareData, TokenLoader, unigramEntropy } from './data.js';
import { pretrain, resume, DEFAULT_TRAIN, type StepMetrics, type TrainOptions } from './train.js';
import { recoverRunDir, loadRun, readRunConfig } from './run-dir.js';
import type { GPTConfig } from './config.js';

const root = mkdtempSync(join(tmpdir(), 'moxing-train-'));
const corpus = join(root, 'austen.txt');

/** 60,000 characters of Emma, from the fixtures committed with the repository. */
function sampleText(): string {
  return dataset('jane_austen/emma.txt').slice(0, 60_000);
}

const tokenizer = Tokenizer.train([sampleText()], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
writeFileSync(corpus, sampleText());
const dataDir = join(root, 'data');
const meta = prepareData([corpus], tokenizer, dataDir, { valFraction: 0.1 });
const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0.1, bias: true };
const options: TrainOptions = { ...DEFAULT_TRAIN, dataDir, maxSteps: 12, batchSize: 4, evalEvery: 4, evalIters: 2, warmupSteps: 2, lr: 3e-3 };
const curve = (dir: string): StepMetrics[] => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepMetrics);

test('data prepare writes uint16 shards with a train/val split, and the loader reads windows', () => {
  assert.equal(meta.dtype, 'uint16');
  assert.ok(meta.valTokens > 0 && meta.trainTokens > 8 * meta.valTokens);
  const loader = new TokenLoader(dataDir, 'train');
  const all = loader.read(0, 40);
  assert.equal(tokenizer.decode(Array.from(all)), sampleText().slice(0, tokenizer.decode(Array.from(all)).length));
  assert.ok(unigramEntropy(loader) > 3);
  loader.close();
});

test('pretraining lowers the loss; resume after a stop reproduces the uninterrupted curve exactly', async () => {
  const full = join(root, 'run-full');
  await pretrain(options, config, full);
  const a = curve(full);
  assert.equal(a.length, 12);
  assert.ok(a[11].trainLoss < a[0].trainLoss - 0.5, `loss ${a[0].trainLoss} -> ${a[11].trainLoss}`);
  assert.ok(a[11].valLoss !== undefined);

  const split = join(root, 'run-split');
  let stopAt = 5; // stops after step 5 (checkpoint written then), like a SIGINT
  await pretrain(options, config, split, { shouldStop: () => --stopAt === 0 });
  assert.equal(curve(split).length, 5);
  // a killed process may have logged steps past its last checkpoint: simulate one stray line
  writeFileSync(join(split, 'metrics.jsonl'), readFileSync(join(split, 'metrics.jsonl'), 'utf8') + JSON.stringify({ step: 6, trainLoss: 99 }) + '\n');
  const res = await resume(split);
  assert.equal(res.step, 12);
  const b = curve(split);
  assert.deepEqual(b.map((m) => m.step), a.map((m) => m.step));
  b.forEach((m, i) => {
    assert.ok(Math.abs(m.trainLoss - a[i].trainLoss) <= 1e-5, `step ${m.step}: ${m.trainLoss} vs ${a[i].trainLoss}`);
    if (a[i].valLoss !== undefined) assert.ok(Math.abs((m.valLoss ?? NaN) - a[i].valLoss!) <= 1e-5);
  });
});

test('resume with a new maxSteps records it, so a later plain resume keeps that schedule', async () => {
  const dir = join(root, 'run-reschedule');
  let stopAt = 3;
  await pretrain(options, config, dir, { shouldStop: () => --stopAt === 0 });
  let stopAgain = 2;
  await resume(dir, { maxSteps: 8 }, { shouldStop: () => --stopAgain === 0 });
  assert.equal(readRunConfig(dir).train?.maxSteps, 8);
  const res = await resume(dir);
  assert.equal(res.step, 8);
  // Steps 4-8 follow an 8-step schedule, as in a run planned at 8 steps from the start.
  const planned = join(root, 'run-planned-8');
  await pretrain({ ...options, maxSteps: 8 }, config, planned);
  const want = curve(planned).map((m) => m.lr);
  curve(dir).slice(3).forEach((m) => assert.ok(Math.abs(m.lr - want[m.step - 1]) < 1e-12, `step ${m.step}: lr ${m.lr} vs ${want[m.step - 1]}`));
});

test('resuming a finished run trains nothing, says so, and leaves its files as they were', async () => {
  const dir = join(root, 'run-finished');
  const done = await pretrain({ ...options, maxSteps: 4 }, config, dir);
  const files = ['config.json', 'state.json', 'model.safetensors', 'metrics.jsonl'];
  const before = files.map((f) => readFileSync(join(dir, f)));
  for (const maxSteps of [undefined, 3, 4]) {
    const again = await resume(dir, { maxSteps }, { onStep: () => assert.fail('a step was trained') });
    assert.equal(again.upToDate, true);
    assert.equal(again.step, 4);
    assert.equal(again.trainLoss, done.trainLoss);
    assert.equal(again.valLoss, done.valLoss);
    assert.equal(again.tokensPerSecond, 0);
    assert.equal(again.scheduledSteps, 4);
  }
  files.forEach((f, i) => assert.ok(readFileSync(join(dir, f)).equals(before[i]!), `${f} changed`));
  // A larger maxSteps continues it.
  const more = await resume(dir, { maxSteps: 6 });
  assert.equal(more.step, 6);
  assert.equal(more.upToDate, undefined);
  // A run stopped before its schedule's end, resumed with a --max-steps not above its step: nothing
  // trained, and the result says the schedule goes further.
  const part = join(root, 'run-partial');
  let stopAt = 2;
  await pretrain({ ...options, maxSteps: 6 }, config, part, { shouldStop: () => --stopAt === 0 });
  const held = await resume(part, { maxSteps: 2 }, { onStep: () => assert.fail('a step was trained') });
  assert.deepEqual([held.upToDate, held.step, held.scheduledSteps], [true, 2, 6]);
  // A time-budget run that its maxSteps ended before the budget's plan: up to date too (not NaN).
  const budget = join(root, 'run-budget-capped');
  await pretrain({ ...options, maxSteps: 3, timeBudgetSeconds: 600 }, config, budget);
  const capped = await resume(budget);
  assert.deepEqual([capped.upToDate, capped.step], [true, 3]);
  assert.ok(Number.isFinite(capped.trainLoss));
});

test('an interrupted checkpoint is discarded if incomplete and completed if it was', async () => {
  const dir = join(root, 'run-full');
  const before = readFileSync(join(dir, 'model.safetensors'));
  mkdirSync(join(dir, 'checkpoint.tmp'));
  writeFileSync(join(dir, 'checkpoint.tmp', 'model.safetensors'), 'partial');
  recoverRunDir(dir);
  assert.ok(!existsSync(join(dir, 'checkpoint.tmp')));
  assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), before);
  const copy = join(root, 'run-copy');
  cpSync(dir, copy, { recursive: true });
  mkdirSync(join(copy, 'checkpoint.tmp'));
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors', 'optimizer.safetensors', 'state.json']) cpSync(join(dir, f), join(copy, 'checkpoint.tmp', f));
  const { model } = await loadRun(copy); // recovers first
  assert.ok(model.numParameters() > 0);
  assert.ok(!existsSync(join(copy, 'checkpoint.tmp')));
});

test('bad input: existing run, missing data, corrupt checkpoint', async () => {
  const dir = join(root, 'run-full');
  const before = readFileSync(join(dir, 'model.safetensors'));
  await assert.rejects(pretrain(options, config, dir), /already holds a run; use 'moxing train --resume/);
  await assert.rejects(pretrain({ ...options, dataDir: join(root, 'nope') }, config, join(root, 'x')), /data directory not found/);
  // Shards too short for one window: refused before the run folder is written, so the corrected
  // command is not then refused as "already holds a run".
  const tinyText = join(root, 'tiny.txt');
  writeFileSync(tinyText, 'Emma Woodhouse, handsome, clever, and rich.');
  const tinyData = join(root, 'data-tiny');
  prepareData([tinyText], tokenizer, tinyData, { valFraction: 0.5 });
  await assert.rejects(pretrain({ ...options, dataDir: tinyData }, config, join(root, 'run-tiny')), /tokens, too few for windows of 33/);
  assert.equal(existsSync(join(root, 'run-tiny')), false);
  const broken = join(root, 'run-broken');
  cpSync(dir, broken, { recursive: true });
  const weights = join(broken, 'model.safetensors');
  // Cut inside the header, then inside the tensor data: one clear line that names the file once.
  for (const [cut, what] of [[100, /: safetensors header length: .* \(truncated file\?\)$/], [before.length - 1000, /: safetensors tensor info \(tensor ".*"\): .* \(truncated file\?\)$/]] as const) {
    writeFileSync(weights, before.subarray(0, cut));
    await assert.rejects(resume(broken), (err: Error) => {
      assert.ok(err.message.startsWith(`${weights}: safetensors `), err.message);
      assert.equal(err.message.split(weights).length, 2, `the path once: ${err.message}`);
      assert.match(err.message, what);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
  assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), before);
  // A config that describes a model no array can hold: the file and the sizes, not a bare RangeError.
  const huge = join(root, 'run-huge');
  cpSync(dir, huge, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(huge, 'config.json'), 'utf8')) as { model: { blockSize: number } };
  cfg.model.blockSize = 1e10;
  writeFileSync(join(huge, 'config.json'), JSON.stringify(cfg));
  await assert.rejects(loadRun(huge), new RegExp(`${join(huge, 'config.json')}: the model it describes cannot be allocated \\(.*blockSize 10000000000`));
  // A model file where a run directory is expected.
  await assert.rejects(loadRun(join(dir, 'config.json')), /config\.json: a file, not a run directory \(a classical model file\?/);
});

test('continued pretraining (initFrom) starts from the weights, records lineage and lowers loss on the new corpus', async () => {
  const other = join(root, 'other.txt');
  writeFileSync(other, 'Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy disposition. '.repeat(400));
  const otherData = join(root, 'data-other');
  prepareData([other], tokenizer, otherData, { valFraction: 0.1 });
  const base = join(root, 'run-full');
  const cont = join(root, 'run-continued');
  const res = await pretrain({ ...options, dataDir: otherData, maxSteps: 8, evalEvery: 8 }, null, cont, {}, base);
  const cfg = JSON.parse(readFileSync(join(cont, 'config.json'), 'utf8')) as { initFrom?: string; tokensBefore?: number };
  assert.equal(cfg.initFrom, base);
  // the base's tokens are carried, so compute counts the whole pretraining; a second continuation adds both
  const baseState = JSON.parse(readFileSync(join(base, 'state.json'), 'utf8')) as { tokensSeen: number };
  assert.ok(baseState.tokensSeen > 0);
  assert.equal(cfg.tokensBefore, baseState.tokensSeen);
  const cont2 = join(root, 'run-continued-2');
  await pretrain({ ...options, dataDir: otherData, maxSteps: 2, evalEvery: 2 }, null, cont2, {}, cont);
  const contState = JSON.parse(readFileSync(join(cont, 'state.json'), 'utf8')) as { tokensSeen: number };
  const cfg2 = JSON.parse(readFileSync(join(cont2, 'config.json'), 'utf8')) as { tokensBefore?: number };
  assert.equal(cfg2.tokensBefore, baseState.tokensSeen + contState.tokensSeen);
  const c = curve(cont);
  assert.ok(res.valLoss !== null && res.valLoss < c[0].trainLoss, `validation loss ${res.valLoss} vs first train loss ${c[0].trainLoss}`);
  // the first step starts from the base weights, not from scratch: its loss is below ln(vocab)
  assert.ok(c[0].trainLoss < Math.log(tokenizer.vocabSize));
});
