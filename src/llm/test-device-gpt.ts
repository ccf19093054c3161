// The GPT device tests, for any device: training (dropout, clipping, AdamW), KV-cache generation
// and checkpoints give the cpu's numbers; on a counting device a long loop holds steady memory.
// Run by gpt-device.test.ts (cpu-strict) and gpt-webgpu.test.ts (webgpu over SwiftShader or a GPU).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { setDefaultDevice } from '../tensor/device.js';
import { strictCounters } from '../backends/strict/index.js';
import { AdamW } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { GPT } from './gpt.js';
import { generate } from './generate.js';
import type { GPTConfig } from './config.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const config: GPTConfig = { vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0.1, bias: true };

/** A GPT made on `device` (its parameters follow the default device at construction). */
export function modelOn(device: string): GPT {
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

export async function trainSteps(model: GPT, steps: number): Promise<number[]> {
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

/** What differs between devices: float tolerance, and whether live buffers can be counted. */
export interface DeviceTestOptions {
  tol: number;
  countsBuffers: boolean;
}

/**
 * Registers the GPT device tests for `device` (already registered).
 * @example deviceGptTests('cpu-strict', { tol: 1e-5, countsBuffers: true })
 */
export function deviceGptTests(device: string, options: DeviceTestOptions): void {
  const { tol } = options;
  test(`GPT training on ${device} gives the cpu losses (dropout, clipping and AdamW included)`, async () => {
    const cpuModel = modelOn('cpu');
    const strictModel = modelOn(device);
    assert.equal(strictModel.device.name, device);
    const a = await trainSteps(cpuModel, 12);
    const b = await trainSteps(strictModel, 12);
    b.forEach((l, i) => assert.ok(Math.abs(l - a[i]!) < tol, `step ${i}: ${l} vs ${a[i]}`));
    assert.ok(a[11]! < a[0]!, `loss fell: ${a[0]} -> ${a[11]}`);
  });

  test(`greedy KV-cache generation on ${device} gives the cpu tokens`, async () => {
    const ids = async (model: GPT): Promise<number[]> => {
      model.eval();
      const out: number[] = [];
      for await (const t of generate(model, [1, 2, 3], { maxNewTokens: 10, temperature: 0 })) out.push(t.id);
      return out;
    };
    const want = await ids(modelOn('cpu'));
    assert.equal(want.length, 10);
    assert.deepEqual(await ids(modelOn(device)), want);
  });

  if (options.countsBuffers) {
  test('a long training loop on a device holds steady memory (live buffers counted)', async () => {
      const model = modelOn(device);
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
  }

  test(`a checkpoint written on ${device} loads on the cpu and back, with the same outputs`, async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { saveStateDict, loadStateDict } = await import('../io/state-dict.js');
    const dir = mkdtempSync(join(tmpdir(), 'moxing-device-ckpt-'));
    const strict = modelOn(device);
    await trainSteps(strict, 3);
    await saveStateDict(join(dir, 'model.safetensors'), strict.stateDict());
    const onCpu = modelOn('cpu');
    onCpu.loadStateDict((await loadStateDict(join(dir, 'model.safetensors'))).tensors);
    const back = modelOn(device);
    back.loadStateDict(onCpu.stateDict());
    const [x] = batch(new Rng(5));
    for (const m of [strict, onCpu, back]) m.eval();
    const want = await strict.forward(x).logits.data();
    for (const m of [onCpu, back]) {
      const got = await m.forward(x).logits.data();
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < tol, `logit ${i}: ${v} vs ${want[i]}`));
    }
  });
}
