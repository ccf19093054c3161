// A GPT training loop on webgpu (SwiftShader here) holds steady GPU memory. Training losses,
// generation and checkpoints against the cpu are src/llm/gpt-webgpu.test.ts (the shared GPT device tests).

import assert from 'node:assert/strict';
import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/random.js';
import { setDefaultDevice } from '../../tensor/device.js';
import { initBackends } from '../index.js';
import { registerDeviceBackend } from '../registry.js';
import type { DeviceBackend } from '../backend.js';
import { AdamW } from '../../optim/adam.js';
import { clipGradNorm } from '../../optim/clip.js';
import { GPT } from '../../llm/gpt.js';
import type { GPTConfig } from '../../llm/config.js';
import { gpuTest } from './testing.js';
import type { WebGpuBackend } from './index.js';

initBackends();
const config: GPTConfig = { vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0.1, bias: true };

let registered = false;
function modelOn(device: string, g: WebGpuBackend): GPT {
  if (!registered) registerDeviceBackend(g as unknown as DeviceBackend);
  registered = true;
  setDefaultDevice(device);
  try {
    return new GPT(config, { seed: 3 });
  } finally {
    setDefaultDevice('cpu');
  }
}

function batch(rng: Rng): [Tensor, Tensor] {
  const x = Int32Array.from({ length: 4 * 16 }, () => rng.int(64));
  const y = Int32Array.from(x, (v) => (v * 7 + 1) % 64);
  return [new Tensor(x, [4, 16]), new Tensor(y, [4, 16])];
}

async function trainSteps(model: GPT, steps: number): Promise<number[]> {
  const opt = new AdamW(model.parameters(), { lr: 3e-3 });
  const rng = new Rng(11);
  const losses: Tensor[] = [];
  model.train();
  for (let s = 0; s < steps; s++) {
    const [x, y] = batch(rng);
    const { loss } = model.forward(x, y);
    loss!.backward();
    clipGradNorm(model.parameters(), 1);
    opt.step();
    opt.zeroGrad();
    losses.push(loss!.detach());
  }
  // Read once at the end, as a training loop reads once per log interval.
  return Promise.all(losses.map((l) => l.item()));
}

gpuTest('a training loop on webgpu holds steady GPU memory', async (g) => {
  const model = modelOn('webgpu', g);
  const live: number[] = [];
  for (let round = 0; round < 4; round++) {
    await trainSteps(model, 6);
    g.pool.collect();
    await new Promise((r) => setTimeout(r, 10));
    g.pool.collect();
    live.push(g.pool.stats().liveBytes);
  }
  const later = live.slice(1);
  assert.ok(Math.max(...later) <= 1.5 * Math.min(...later), `live bytes per 6 steps: ${live.join(', ')}`);
  assert.ok(g.pool.stats().reused > g.pool.stats().created, 'blocks are reused');
});
