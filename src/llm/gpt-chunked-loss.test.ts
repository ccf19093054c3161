// A GPT whose logits pass the chunking limit trains through the fused, chunked LM head + loss
// (ops/linear-cross-entropy.ts) and gives the plain path's losses and gradients: on cpu, cpu-strict,
// and webgpu over SwiftShader (skipped without an adapter, except on CI).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { initWebGpu } from '../backends/webgpu/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { noGrad } from '../tensor/grad-mode.js';
import { setDefaultDevice } from '../tensor/device.js';
import { clipGradNorm } from '../optim/clip.js';
import { GPT } from './gpt.js';
import { gptOptimizer } from './train.js';
import type { GPTConfig } from './config.js';

initBackends();
const webgpu = await initWebGpu({ mode: process.env.MOXING_WEBGPU === 'auto' ? 'auto' : 'swiftshader' });

const config: GPTConfig = { vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0.1, bias: true };
// A batch's logits: 4 x 16 x 64 floats = 16 KiB. Past 5000 bytes the loss is chunked, 19 rows at a
// time (19 + 19 + 19 + 7 rows).
const LIMIT = 5000;

function modelOn(device: string): GPT {
  setDefaultDevice(device);
  try {
    return new GPT(config, { seed: 5 });
  } finally {
    setDefaultDevice('cpu');
  }
}

/** A learnable batch with a few targets masked (-1). */
function batch(rng: Rng): [Tensor, Tensor] {
  const x = Int32Array.from({ length: 4 * 16 }, () => rng.int(64));
  const y = Int32Array.from(x, (v, i) => (i % 9 === 4 ? -1 : (v * 5 + 3) % 64));
  return [new Tensor(x, [4, 16]), new Tensor(y, [4, 16])];
}

interface Trained {
  losses: number[];
  ops: string[];
  /** Every parameter's gradient after the first backward. */
  grads: Float32Array[];
}

async function train(device: string, chunkedLossAbove: number | undefined, steps: number): Promise<Trained> {
  const model = modelOn(device);
  const opt = gptOptimizer(model, { lr: 3e-3, weightDecay: 0.1 });
  const rng = new Rng(2);
  const out: Trained = { losses: [], ops: [], grads: [] };
  for (let s = 0; s < steps; s++) {
    const [x, y] = batch(rng);
    const loss = model.forward(x, y, { chunkedLossAbove }).loss!;
    loss.backward();
    if (s === 0) out.grads = await Promise.all(model.parameters().map(async (p) => (await p.grad!.data()) as Float32Array));
    clipGradNorm(model.parameters(), 1);
    opt.step();
    opt.zeroGrad();
    out.ops.push(loss.node!.op);
    out.losses.push(await loss.item());
  }
  return out;
}

function assertSame(got: Trained, want: Trained, tol: number): void {
  got.losses.forEach((l, i) => assert.ok(Math.abs(l - want.losses[i]!) <= tol, `step ${i}: loss ${l} vs ${want.losses[i]}`));
  got.grads.forEach((g, i) => {
    const h = want.grads[i]!;
    let worst = 0;
    for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j]! - h[j]!));
    assert.ok(worst <= tol, `parameter ${i}: gradient off by ${worst}`);
  });
}

const plain = await train('cpu', undefined, 6);

test('the shipped-size path is unchanged: small logits go through crossEntropy', () => {
  assert.ok(plain.ops.every((op) => op === 'crossEntropy'), plain.ops.join());
  assert.ok(plain.losses[5]! < plain.losses[0]!, `loss fell: ${plain.losses.join(', ')}`);
});

for (const device of ['cpu', 'cpu-strict', 'webgpu']) {
  test(`logits past the limit train through linearCrossEntropy on ${device} with the plain path's losses and gradients`, async (t) => {
    if (device === 'webgpu' && !webgpu.backend) {
      if (process.env.CI) throw new Error(`no WebGPU adapter on CI: ${webgpu.reason}`);
      t.skip(`no WebGPU adapter: ${webgpu.reason}`);
      return;
    }
    const chunked = await train(device, LIMIT, 6);
    assert.ok(chunked.ops.every((op) => op === 'linearCrossEntropy'), chunked.ops.join());
    assertSame(chunked, plain, device === 'webgpu' ? 2e-4 : 2e-5);
  });
}

test('the chunked path still gives the logits when read, equal to the plain ones', async () => {
  const model = modelOn('cpu').eval();
  const [x, y] = batch(new Rng(9));
  const a = noGrad(() => model.forward(x, y, { chunkedLossAbove: LIMIT }));
  const b = noGrad(() => model.forward(x, y));
  assert.equal(a.loss!.node, null);
  assert.ok(Math.abs(a.loss!.itemSync() - b.loss!.itemSync()) < 1e-5);
  assert.deepEqual(a.logits.shape, [4, 16, 64]);
  assert.deepEqual(Array.from(a.logits.dataSync()), Array.from(b.logits.dataSync()));
  assert.equal(a.logits, a.logits, 'computed once');
});
