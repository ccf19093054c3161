// The same GPT code on a device that forbids host reads (cpu-strict): training, dropout, clipping,
// AdamW and KV-cache generation give the cpu's numbers, and a long training loop holds steady memory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { setDefaultDevice } from '../tensor/device.js';
import { initBackends } from '../backends/index.js';
import { strictCounters } from '../backends/strict/index.js';
import { AdamW } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { GPT } from './gpt.js';
import { generate } from './generate.js';
import type { GPTConfig } from './config.js';

initBackends();
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const config: GPTConfig = { vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0.1, bias: true };

/** A GPT made on `device` (its parameters follow the default device at construction). */
function modelOn(device: string): GPT {
  setDefaultDevice(device);
  try {
    return new GPT(config, { seed: 3 });
  } finally {
    setDefaultDevice('cpu');
  }
}

function batch(rng: Rng): [Tensor, Tensor] {
  const x = Int32Array.from({ length: 4 * 16 }, () => rng.int(64));
  const y = Int32Array.from(x, (v) => (v * 7 + 1) % 64); // a learnable map
  return [new Tensor(x, [4, 16]), new Tensor(y, [4, 16])];
}

async function trainSteps(model: GPT, steps: number): Promise<number[]> {
  const opt = new AdamW(model.parameters(), { lr: 3e-3 });
  const rng = new Rng(11);
  const losses: number[] = [];
  model.train();
  for (let s = 0; s < steps; s++) {
    const [x, y] = batch(rng);
    const { loss } = model.forward(x, y);
    loss!.backward();
    clipGradNorm(model.parameters(), 1);
    opt.step();
    opt.zeroGrad();
    losses.push(await loss!.item());
  }
  return losses;
}

test('GPT training on cpu-strict gives the cpu losses (dropout, clipping and AdamW included)', async () => {
  const cpuModel = modelOn('cpu');
  const strictModel = modelOn('cpu-strict');
  assert.equal(strictModel.device.name, 'cpu-strict');
  const a = await trainSteps(cpuModel, 12);
  const b = await trainSteps(strictModel, 12);
  b.forEach((l, i) => assert.ok(Math.abs(l - a[i]!) < 1e-5, `step ${i}: ${l} vs ${a[i]}`));
  assert.ok(a[11]! < a[0]!, `loss fell: ${a[0]} -> ${a[11]}`);
});

test('greedy KV-cache generation on cpu-strict gives the cpu tokens', async () => {
  const ids = async (model: GPT): Promise<number[]> => {
    model.eval();
    const out: number[] = [];
    for await (const t of generate(model, [1, 2, 3], { maxNewTokens: 10, temperature: 0 })) out.push(t.id);
    return out;
  };
  const want = await ids(modelOn('cpu'));
  assert.equal(want.length, 10);
  assert.deepEqual(await ids(modelOn('cpu-strict')), want);
});

test('a long training loop on a device holds steady memory (live buffers counted)', async () => {
  const model = modelOn('cpu-strict');
  const live: number[] = [];
  for (let round = 0; round < 6; round++) {
    await trainSteps(model, 50);
    gc();
    await new Promise((r) => setImmediate(r)); // let finalizers run
    gc();
    await new Promise((r) => setTimeout(r, 10));
    live.push(strictCounters().live);
  }
  // After warm-up the number of live buffers must not grow with steps (optimizer state is fixed).
  const later = live.slice(2);
  assert.ok(Math.max(...later) - Math.min(...later) <= 40, `live buffers per 50 steps: ${live.join(', ')}`);
  assert.ok(strictCounters().allocated > 10 * Math.max(...later), 'buffers were allocated and collected');
});

test('a checkpoint written from a device loads on the cpu and back, with the same outputs', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { saveStateDict, loadStateDict } = await import('../io/state-dict.js');
  const dir = mkdtempSync(join(tmpdir(), 'moxing-device-ckpt-'));
  const strict = modelOn('cpu-strict');
  await trainSteps(strict, 3);
  await saveStateDict(join(dir, 'model.safetensors'), strict.stateDict());
  const onCpu = modelOn('cpu');
  onCpu.loadStateDict((await loadStateDict(join(dir, 'model.safetensors'))).tensors);
  const back = modelOn('cpu-strict');
  back.loadStateDict(onCpu.stateDict());
  const [x] = batch(new Rng(5));
  for (const m of [strict, onCpu, back]) m.eval();
  const want = await strict.forward(x).logits.data();
  for (const m of [onCpu, back]) {
    const got = await m.forward(x).logits.data();
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `logit ${i}: ${v} vs ${want[i]}`));
  }
});
