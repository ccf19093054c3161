// The multi-tensor AdamW on webgpu against the js reference: tensors of awkward sizes in two
// interleaved groups, over several steps; one dispatch per step once packed; the packed tensors
// still work as ordinary storage (reads, other kernels, writes); a changed list repacks; more runs
// than one parameter block holds; a storage given twice falls back to tensor by tensor.

import assert from 'node:assert/strict';
import type { AdamWParams } from '../backend.js';
import { jsKernels } from '../js/index.js';
import { floats, gpuTest, assertClose } from './testing.js';
import type { WebGpuBackend } from './index.js';
import type { GpuStorage } from './memory.js';
import { registerDeviceBackend } from '../registry.js';
import type { DeviceBackend } from '../backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { modelOn } from '../../llm/test-device-gpt.js';
import { gptOptimizer } from '../../llm/train.js';

const decay: Omit<AdamWParams, 'step'> = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
const plain: Omit<AdamWParams, 'step'> = { ...decay, lr: 2e-2, weightDecay: 0 };

/** Tensors on both sides: float64 references and GPU storage holding the same float32 values. */
class Side {
  readonly ref: Float64Array[] = [];
  readonly gpu: GpuStorage[] = [];
  constructor(g: WebGpuBackend, sizes: readonly number[], seed: number, lo = -1, hi = 1) {
    sizes.forEach((n, i) => {
      const v = floats(n, seed + i, lo, hi);
      this.ref.push(Float64Array.from(v));
      this.gpu.push(g.device.upload(v));
    });
  }
}

async function check(g: WebGpuBackend, sides: Record<string, Side>, what: string): Promise<void> {
  for (const [name, s] of Object.entries(sides)) {
    for (let i = 0; i < s.gpu.length; i++) assertClose(await g.device.read(s.gpu[i]!), s.ref[i]!, `${what}: ${name}[${i}]`, 1e-5, 1e-6);
  }
}

/** Runs `steps` updates on both sides with fresh gradients, checking after each. */
async function run(g: WebGpuBackend, sizes: number[], groupOf: (i: number) => Omit<AdamWParams, 'step'>, steps: number, seed: number): Promise<{ p: Side; m: Side; v: Side; dispatches: number[] }> {
  const p = new Side(g, sizes, seed), m = new Side(g, sizes, seed + 100, -0.01, 0.01), v = new Side(g, sizes, seed + 200, 0, 1e-4);
  const dispatches: number[] = [];
  for (let step = 1; step <= steps; step++) {
    const grad = new Side(g, sizes, seed + 300 + 10 * step, -0.1, 0.1);
    const hyper = sizes.map((_, i) => ({ ...groupOf(i), step }));
    jsKernels.adamwMulti(p.ref, grad.ref, m.ref, v.ref, hyper);
    const before = g.runtime.dispatchCount;
    assert.equal(g.kernels.adamwMulti(p.gpu, grad.gpu, m.gpu, v.gpu, hyper), true);
    dispatches.push(g.runtime.dispatchCount - before);
    await check(g, { p, m, v }, `step ${step}`);
  }
  return { p, m, v, dispatches };
}

gpuTest('adamwMulti: every tensor of two interleaved groups, in one dispatch per step, as the js reference', async (g) => {
  const sizes = [1, 63, 64, 65, 1003, 5000, 7];
  const { p, m, dispatches } = await run(g, sizes, (i) => (i % 3 === 1 ? plain : decay), 3, 10);
  assert.deepEqual(dispatches, [1, 1, 1]);
  assert.ok(p.gpu.every((s) => s.pack !== null && s.buffer === p.gpu[0]!.buffer), 'the parameters share one pack');
  assert.ok(m.gpu.every((s) => s.pack !== null && s.buffer === m.gpu[0]!.buffer), 'the first moments share another');
  // Packed storage is still ordinary storage: another kernel reads and writes it, and so do writes.
  const out = g.device.alloc('float32', 1003);
  g.kernels.binary('add', p.gpu[4]!, p.gpu[4]!, out);
  assertClose(await g.device.read(out), p.ref[4]!.map((x) => 2 * x), 'a packed tensor read by a kernel', 1e-6);
  g.kernels.unary('neg', p.gpu[2]!, p.gpu[2]!);
  g.device.write(p.gpu[6]!, new Float32Array(7).fill(0.5));
  assertClose(await g.device.read(p.gpu[2]!), p.ref[2]!.map((x) => -x), 'a packed tensor written by a kernel');
  assertClose(await g.device.read(p.gpu[6]!), new Float64Array(7).fill(0.5), 'a packed tensor written from the host');
  assertClose(await g.device.read(p.gpu[3]!), p.ref[3]!, 'its neighbours untouched');
});

gpuTest('adamwMulti: more groups than one parameter block holds, and a changed list repacks', async (g) => {
  const sizes = Array.from({ length: 41 }, (_, i) => 30 + 7 * i);
  const groups = Array.from({ length: 41 }, (_, i) => ({ ...decay, lr: 1e-3 * (1 + (i % 5)), weightDecay: 0.01 * i }));
  const { dispatches, p, m, v } = await run(g, sizes, (i) => groups[i]!, 2, 20);
  assert.deepEqual(dispatches, [3, 3], '41 runs: 18 per dispatch');
  // A subset of the same tensors: a new pack, the values carried over.
  const keep = [0, 5, 40];
  const grad = new Side(g, keep.map((i) => sizes[i]!), 90, -0.1, 0.1);
  const hyper = keep.map((i) => ({ ...groups[i]!, step: 3 }));
  const pick = <T>(xs: T[]): T[] => keep.map((i) => xs[i]!);
  jsKernels.adamwMulti(pick(p.ref), grad.ref, pick(m.ref), pick(v.ref), hyper);
  g.kernels.adamwMulti(pick(p.gpu), grad.gpu, pick(m.gpu), pick(v.gpu), hyper);
  await check(g, { p, m, v }, 'after repacking a subset');
});

gpuTest('adamwMulti: a storage given twice is updated twice, tensor by tensor, as the reference', async (g) => {
  const p = new Side(g, [100], 30), m = new Side(g, [100, 100], 31, -0.01, 0.01), v = new Side(g, [100, 100], 32, 0, 1e-4);
  const grad = new Side(g, [100, 100], 33, -0.1, 0.1);
  const hyper = [{ ...decay, step: 1 }, { ...decay, step: 1 }];
  jsKernels.adamwMulti([p.ref[0]!, p.ref[0]!], grad.ref, m.ref, v.ref, hyper);
  g.kernels.adamwMulti([p.gpu[0]!, p.gpu[0]!], grad.gpu, m.gpu, v.gpu, hyper);
  await check(g, { p, m, v }, 'twice');
  assert.equal(p.gpu[0]!.pack, null);
});

gpuTest('a GPT training step on webgpu updates every parameter in one dispatch', async (g) => {
  registerDeviceBackend(g as unknown as DeviceBackend);
  const model = modelOn('webgpu');
  const opt = gptOptimizer(model, { lr: 1e-3, weightDecay: 0.1 }); // two groups: matrices decay, the rest not
  const x = new Tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 5) % 64), [2, 16]);
  const counts: number[] = [];
  for (let step = 0; step < 3; step++) {
    model.forward(x, x).loss!.backward();
    const before = g.runtime.dispatchCount;
    opt.step();
    counts.push(g.runtime.dispatchCount - before);
    opt.zeroGrad();
  }
  assert.ok(model.parameters().length > 10);
  // The first step also zeroes reused blocks for the new moments; then one dispatch per step.
  assert.deepEqual(counts.slice(1), [1, 1]);
});
