// A GPU lost in the middle of pretraining (simulated on SwiftShader with device.destroy() at a chosen
// host read): the error names the step, the run dir keeps its last good checkpoint, and that
// checkpoint resumes on the cpu. Skipped without a WebGPU adapter (a failure on CI, which has one).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { dataset } from '../text/test-corpus.js';
import { initBackends } from '../backends/index.js';
import { isDeviceFault } from '../backends/fault.js';
import { setBackend } from '../backends/registry.js';
import { freshTestBackend } from '../backends/webgpu/testing.js';
import { prepareData } from './data.js';
import { pretrain, resume, DEFAULT_TRAIN, type TrainOptions } from './train.js';
import { loadRun } from './run-dir.js';
import type { GPTConfig } from './config.js';

initBackends();
const root = mkdtempSync(join(tmpdir(), 'moxing-train-fault-'));
const text = dataset('jane_austen/emma.txt').slice(0, 20_000);
const tokenizer = Tokenizer.train([text], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
writeFileSync(join(root, 'corpus.txt'), text);
const dataDir = join(root, 'data');
prepareData([join(root, 'corpus.txt')], tokenizer, dataDir, { valFraction: 0.1 });
const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
const options: TrainOptions = { ...DEFAULT_TRAIN, dataDir, maxSteps: 8, batchSize: 2, evalEvery: 100, evalIters: 1, warmupSteps: 1, checkpointEvery: 2 };
const stepOf = (dir: string): number => (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { step: number }).step;


test('a GPU lost at a training step: the error names the step, the last checkpoint is kept and resumes on the cpu', async (t) => {
  const gpu = await freshTestBackend(t, { makeDefault: true });
  if (!gpu) return;
  const dir = join(root, 'lost-in-step');
  // After step 3 (checkpoint at 2), the next host read is step 4's loss.
  const hooks = { onStep: (m: { step: number }) => { if (m.step === 3) gpu.runtime.simulateLoss('next-sync'); } };
  const err = await pretrain(options, config, dir, hooks).then(() => null, (e: unknown) => e);
  setBackend('cpu');
  assert.ok(isDeviceFault(err, 'lost'), `a lost-device error, got ${String(err)}`);
  assert.match((err as Error).message, /the GPU device was lost .* at training step 4; the last checkpoint \(step 2\) in .*lost-in-step is kept/);
  assert.equal(stepOf(dir), 2);
  assert.ok(!existsSync(join(dir, 'checkpoint.tmp')) || !existsSync(join(dir, 'checkpoint.tmp', 'state.json')));
  const res = await resume(dir, { maxSteps: 4 });
  assert.equal(res.step, 4);
  assert.ok(Number.isFinite(res.trainLoss));
  assert.equal((await loadRun(dir)).model.device.name, 'cpu');
});

test('a GPU lost while a checkpoint is written: the previous checkpoint stays whole', async (t) => {
  const gpu = await freshTestBackend(t, { makeDefault: true });
  if (!gpu) return;
  const dir = join(root, 'lost-in-checkpoint');
  // After step 4's metrics, before its checkpoint: the checkpoint's first read meets the loss.
  const hooks = { onStep: (m: { step: number }) => { if (m.step === 4) gpu.runtime.simulateLoss('next-sync'); } };
  const err = await pretrain(options, config, dir, hooks).then(() => null, (e: unknown) => e);
  setBackend('cpu');
  assert.ok(isDeviceFault(err, 'lost'), `a lost-device error, got ${String(err)}`);
  assert.match((err as Error).message, /while writing the checkpoint of step 4; the last checkpoint \(step 2\)/);
  const run = await loadRun(dir); // discards the interrupted journal
  assert.equal(run.state?.step, 2);
  assert.ok(!existsSync(join(dir, 'checkpoint.tmp')));
});
