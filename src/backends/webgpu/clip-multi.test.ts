// Global-norm clipping on webgpu against the js reference: tensors of awkward sizes gathered into one
// flat buffer (gaps that must read as zeros even in a reused block), a constant number of dispatches,
// outputs that are views of the scaled copy and still work as ordinary storage; several flat buffers
// past the binding limit; the per-tensor fall-back; a GPT step's clipping in three dispatches.

import assert from 'node:assert/strict';
import { jsKernels } from '../js/index.js';
import { floats, gpuTest, assertClose } from './testing.js';
import type { WebGpuBackend } from './index.js';
import type { GpuStorage } from './memory.js';
import { clipMultiKernels } from './kernels/clip-multi.js';
import { registerDeviceBackend } from '../registry.js';
import type { DeviceBackend } from '../backend.js';
import { Tensor } from '../../tensor/tensor.js';
import { modelOn } from '../../llm/test-device-gpt.js';
import { gptOptimizer } from '../../llm/train.js';
import { clipGradNorm } from '../../optim/clip.js';

type ClipKernels = Pick<WebGpuBackend['kernels'], 'l2NormMulti' | 'clipScaleMulti'>;

const padded = (n: number): number => Math.max(64, Math.ceil(n / 64) * 64);

/** Inputs on both sides, outputs on the GPU (NaN, so a missed element shows). */
function inputs(g: WebGpuBackend, sizes: readonly number[], seed: number, scale = 1): { ref: Float64Array[]; xs: GpuStorage[]; outs: GpuStorage[] } {
  const vals = sizes.map((n, i) => floats(n, seed + i, -scale, scale));
  return {
    ref: vals.map((v) => Float64Array.from(v)),
    xs: vals.map((v) => g.device.upload(v)),
    outs: sizes.map((n) => g.device.upload(new Float32Array(n).fill(Number.NaN))),
  };
}

/** Norm and clip on the GPU with `k`, checked against js; the dispatches of each call. */
async function check(g: WebGpuBackend, k: ClipKernels, sizes: readonly number[], maxNorm: number, seed: number, scale = 1): Promise<{ norm: number; dispatches: [number, number]; outs: GpuStorage[] }> {
  const { ref, xs, outs } = inputs(g, sizes, seed, scale);
  const refNorm = new Float64Array(1);
  const refOuts = sizes.map((n) => new Float64Array(n));
  jsKernels.l2NormMulti(ref, refNorm);
  jsKernels.clipScaleMulti(ref, refNorm, maxNorm, 1e-6, refOuts);
  const norm = g.device.alloc('float32', 1, true);
  const d0 = g.runtime.dispatchCount;
  assert.equal(k.l2NormMulti(xs, norm), true);
  const d1 = g.runtime.dispatchCount;
  assert.equal(k.clipScaleMulti(xs, norm, maxNorm, 1e-6, outs), true);
  const d2 = g.runtime.dispatchCount;
  assertClose(await g.device.read(norm), refNorm, 'norm', 1e-5);
  for (let i = 0; i < sizes.length; i++) {
    assertClose(await g.device.read(outs[i]!), refOuts[i]!, `clipped tensor ${i}`, 1e-5, 1e-7);
    assertClose(await g.device.read(xs[i]!), ref[i]!, `input ${i} untouched`, 0, 0);
  }
  return { norm: refNorm[0]!, dispatches: [d1 - d0, d2 - d1], outs };
}

/** Hands the allocator a block of `floats` floats full of large values, so the next one taken is dirty. */
function dirtyBlock(g: WebGpuBackend, n: number): void {
  const s = g.device.upload(new Float32Array(n).fill(1e3));
  g.pool.relocate(s, s.buffer, 0, 0, {}); // returns its block to the free list (s is dropped)
}

gpuTest('l2NormMulti and clipScaleMulti: awkward sizes in one flat buffer, three dispatches, as the js reference', async (g) => {
  const sizes = [1, 63, 64, 65, 1003, 5000, 7];
  dirtyBlock(g, sizes.reduce((a, n) => a + padded(n), 0));
  const above = await check(g, g.kernels, sizes, 1, 40);
  assert.ok(above.norm > 1, `the norm ${above.norm} is clipped`);
  assert.deepEqual(above.dispatches, [2, 1]);
  assert.ok(above.outs.every((s) => s.pack !== null && s.buffer === above.outs[0]!.buffer), 'the outputs are views of one buffer');
  // A view is ordinary storage: other kernels read and write it, and so does the host.
  const out = g.device.alloc('float32', 1003);
  const want = Float64Array.from(await g.device.read(above.outs[4]!), (v) => 2 * v);
  g.kernels.binary('add', above.outs[4]!, above.outs[4]!, out);
  assertClose(await g.device.read(out), want, 'a view read by a kernel', 1e-6);
  const neighbour = await g.device.read(above.outs[5]!);
  g.device.write(above.outs[3]!, new Float32Array(65).fill(0.5));
  assertClose(await g.device.read(above.outs[3]!), new Float64Array(65).fill(0.5), 'a view written from the host');
  assertClose(await g.device.read(above.outs[5]!), Float64Array.from(neighbour), 'its neighbour untouched', 0, 0);
  // Below the limit the factor is 1: the values come through unchanged.
  const below = await check(g, g.kernels, [300, 20], 100, 50, 0.01);
  assert.ok(below.norm < 100);
});

gpuTest('l2NormMulti past the binding limit: one flat buffer per limit, one partial dispatch each', async (g) => {
  const small = clipMultiKernels({ rt: g.runtime, pool: g.pool }, 4096 * 4);
  const { dispatches } = await check(g, small, [1000, 3000, 2000, 100, 5000], 2, 60);
  assert.deepEqual(dispatches, [4, 3], 'flats [1000, 3000], [2000, 100], [5000]');
});

gpuTest('clipScaleMulti on its own, in place, or with other tensors than the norm gathered: tensor by tensor', async (g) => {
  const sizes = [10, 700, 1];
  const { ref, xs, outs } = inputs(g, sizes, 70);
  const norm = g.device.upload(Float32Array.of(4));
  const refOuts = sizes.map((n) => new Float64Array(n));
  jsKernels.clipScaleMulti(ref, Float64Array.of(4), 2, 1e-6, refOuts);
  const d0 = g.runtime.dispatchCount;
  g.kernels.clipScaleMulti(xs, norm, 2, 1e-6, outs);
  assert.equal(g.runtime.dispatchCount - d0, 3);
  for (let i = 0; i < sizes.length; i++) assertClose(await g.device.read(outs[i]!), refOuts[i]!, `tensor ${i}`, 1e-6);
  // In place after a gather: the inputs become views of their scaled copy.
  const n2 = g.device.alloc('float32', 1, true);
  g.kernels.l2NormMulti(xs, n2);
  g.kernels.clipScaleMulti(xs, n2, 0.5, 1e-6, xs);
  const refNorm = new Float64Array(1);
  jsKernels.l2NormMulti(ref, refNorm);
  jsKernels.clipScaleMulti(ref, refNorm, 0.5, 1e-6, ref);
  for (let i = 0; i < sizes.length; i++) assertClose(await g.device.read(xs[i]!), ref[i]!, `in place ${i}`, 1e-5, 1e-7);
  assert.throws(() => g.kernels.clipScaleMulti(xs, n2, 1, 1e-6, outs.slice(1)), /one output per input/);
});

/** Three steps of a GPT with the training loop's optimizer (two groups: not the clip's order). */
async function gptSteps(device: string, g: WebGpuBackend): Promise<{ losses: number[]; clip: number[]; optimizerCopies: number[] }> {
  const model = modelOn(device);
  const opt = gptOptimizer(model, { lr: 1e-2, weightDecay: 0.1 }); // matrices first, then the rest
  const x = new Tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 5) % 64), [2, 16]);
  const out = { losses: [] as number[], clip: [] as number[], optimizerCopies: [] as number[] };
  for (let step = 0; step < 4; step++) {
    const loss = model.forward(x, x).loss!;
    loss.backward();
    const before = g.runtime.dispatchCount;
    const norm = clipGradNorm(model.parameters(), 0.01);
    out.clip.push(g.runtime.dispatchCount - before);
    assert.ok((await norm!.item()) > 0.01);
    out.losses.push(await loss.item());
    const copies = g.runtime.copyCount;
    opt.step();
    out.optimizerCopies.push(g.runtime.copyCount - copies);
    opt.zeroGrad();
  }
  assert.ok(model.parameters().length > 10);
  return out;
}

gpuTest('a GPT training step on webgpu clips every gradient in three dispatches, gathered where AdamW reads them', async (g) => {
  registerDeviceBackend(g as unknown as DeviceBackend);
  const gpu = await gptSteps('webgpu', g);
  assert.deepEqual(gpu.clip, [3, 3, 3, 3]);
  // The first step packs and copies; then the clip gathers in the packs' order and AdamW copies nothing.
  assert.ok(gpu.optimizerCopies[0]! > 0);
  assert.deepEqual(gpu.optimizerCopies.slice(1), [0, 0, 0]);
  const cpu = await gptSteps('cpu', g);
  gpu.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]!) < 2e-4, `step ${i}: ${l} vs ${cpu.losses[i]}`));
  assert.ok(cpu.losses[3]! < cpu.losses[0]!);
});
