// The device op suite (every op, forward and backward) and a small GPT on webgpu over SwiftShader,
// compared with the cpu; plus what the device itself promises: reads after writes, zeroed reuse,
// few submits, a clear error for float64.

import assert from 'node:assert/strict';
import { initBackends } from '../index.js';
import { registerDeviceBackend } from '../registry.js';
import type { DeviceBackend } from '../backend.js';
import { deviceCases, runDeviceCase, caseError } from '../../ops/device-suite.js';
import { gpuTest } from './testing.js';
import type { WebGpuBackend } from './index.js';

initBackends();
let registered = false;
function register(g: WebGpuBackend): void {
  if (!registered) registerDeviceBackend(g as unknown as DeviceBackend);
  registered = true;
}

gpuTest('every op runs on webgpu and matches the cpu, forward and backward', async (g) => {
  register(g);
  const failures: string[] = [];
  for (const c of deviceCases()) {
    const ref = await runDeviceCase(c, 'cpu', 7);
    if (/float64/.test(c.name)) {
      // WGSL has no f64: the device says so instead of computing in float32 silently.
      await assert.rejects(runDeviceCase(c, 'webgpu', 7), /float64.*WGSL has no 64-bit floats/);
      continue;
    }
    try {
      const got = await runDeviceCase(c, 'webgpu', 7);
      const err = caseError(got, ref);
      if (!(err <= 2e-4)) failures.push(`${c.name}: error ${err}`);
    } catch (e) {
      failures.push(`${c.name}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failures, []);
});

gpuTest('device: upload, kernels and write stay in order; reads wait for them', async (g) => {
  const d = g.device;
  const x = d.upload(new Float32Array([1, 2, 3, 4]));
  const y = d.alloc('float32', 4, true);
  g.kernels.unary('neg', x, y);
  d.write(x, new Float32Array([5, 6, 7, 8])); // after the kernel read x
  assert.deepEqual(Array.from(await d.read(y)), [-1, -2, -3, -4]);
  assert.deepEqual(Array.from(await d.read(x)), [5, 6, 7, 8]);
  assert.deepEqual(Array.from(await d.read(d.upload(new Int32Array([-3, 9])))), [-3, 9]);
});

gpuTest('device: float64 is refused with a clear error; reused blocks come back zeroed', async (g) => {
  const d = g.device;
  assert.throws(() => d.alloc('float64', 4), /float64.*WGSL has no 64-bit floats/);
  assert.throws(() => d.upload(new Float64Array(2)), /float64/);
  // Give a block back to the pool by hand (as the FinalizationRegistry does) and take it again.
  const before = g.pool.stats().reused;
  for (let i = 0; i < 20; i++) d.upload(new Float32Array(1000).fill(9));
  g.pool.collect();
  await new Promise((r) => setTimeout(r, 20));
  const z = d.alloc('float32', 1000);
  const values = await d.read(z);
  assert.ok(values.every((v) => v === 0), 'a zeroed allocation reads zeros');
  assert.ok(g.pool.stats().reused >= before, 'pool counters move');
});

gpuTest('a thousand small kernels share a handful of submits', async (g) => {
  const d = g.device;
  const x = d.upload(new Float32Array(64).fill(1));
  const before = g.runtime.submitCount;
  for (let i = 0; i < 1000; i++) g.kernels.binary('add', x, x, x);
  const got = await d.read(x);
  assert.equal(got[0], Infinity); // 2^1000 overflows float32: every add ran, in order
  const submits = g.runtime.submitCount - before;
  assert.ok(submits <= Math.ceil(1000 / g.runtime.flushEvery) + 1, `${submits} submits`);
});

gpuTest('an allocation past the adapter limit names its size', async (g) => {
  assert.throws(() => g.device.alloc('float32', 2 ** 31), /cannot allocate 8192\.0 MiB for 2147483648 float32 elements/);
});
