// Faults on webgpu (SwiftShader here): an allocation past the adapter's limit names its size and the
// op that asked; an out-of-memory report wins over the validation errors it causes; a lost device
// (device.destroy(), as a driver reset would) is thrown at every later read and sync, tells its
// listeners once, and a plain destroy() behind the runtime's back still reads as "lost".

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackends } from '../index.js';
import { DeviceFaultError, allocationSite, isDeviceFault } from '../fault.js';
import { Tensor } from '../../tensor/tensor.js';
import { matmul } from '../../ops/index.js';
import { freshTestBackend } from './testing.js';
import { BufferPool } from './memory.js';
import type { Runtime } from './runtime.js';

initBackends();

test('allocationSite names the innermost op and the module above it', () => {
  const stack = [
    'Error: allocation',
    '    at BufferPool.take (file:///w/src/backends/webgpu/memory.ts:90:11)',
    '    at Tensor.empty (file:///w/src/tensor/tensor.ts:50:3)',
    '    at allocOutput (file:///w/src/ops/util.ts:20:3)',
    '    at matmul (file:///w/src/ops/matmul.ts:60:5)',
    '    at Linear.forward (file:///w/src/nn/linear.ts:30:12)',
    '    at GPT.forward (file:///w/src/llm/gpt.ts:120:8)',
  ].join('\n');
  assert.equal(allocationSite(stack), 'matmul (ops/matmul.ts), from nn/linear.ts');
  assert.equal(allocationSite('Error\n    at f (/bundle/moxing.js:1:2)'), null);
});

test('a failed allocation (an out-of-memory error scope) is reported with its size, what it was for and the kernel that bound it', async () => {
  // A stand-in for Dawn: every buffer fails its out-of-memory scope, as on a GPU that is full.
  const reported: DeviceFaultError[] = [];
  const device = {
    limits: { maxBufferSize: 2 ** 32, maxStorageBufferBindingSize: 2 ** 32 },
    pushErrorScope: () => {},
    createBuffer: ({ size }: { size: number }) => ({ size }),
    popErrorScope: () => Promise.resolve({ message: 'Out of memory' }),
  };
  const runtime = { device, report: (e: DeviceFaultError) => reported.push(e), firstUseOf: () => 'gemm_128', flush: () => {} } as unknown as Runtime;
  const pool = new BufferPool(runtime);
  pool.take('float32', 3 * 2 ** 28, 4);
  await new Promise((r) => setImmediate(r));
  assert.equal(reported.length, 1);
  assert.equal(reported[0]!.kind, 'out-of-memory');
  assert.match(reported[0]!.message, /^webgpu: out of GPU memory allocating 3072\.0 MiB for 805306368 float32 elements \(first bound by kernel gemm_128\); 0 MiB in use besides it, 0 MiB cached$/);
});

test('an allocation past the adapter limit is an out-of-memory fault naming its size and op', async (t) => {
  const g = await freshTestBackend(t);
  if (!g) return;
  const a = new Tensor(new Float32Array(65536).fill(1), [65536, 1]).to('webgpu');
  const b = new Tensor(new Float32Array(65536).fill(1), [1, 65536]).to('webgpu');
  assert.throws(() => matmul(a, b), (e: unknown) => {
    assert.ok(e instanceof DeviceFaultError && e.kind === 'out-of-memory', String(e));
    assert.match(e.message, /^webgpu: cannot allocate 16\.0 GiB for 4294967296 float32 elements in matmul \(ops\/matmul\.ts\).*: the adapter's largest storage buffer is \d+ MiB$/);
    return true;
  });
  // The device is fine afterwards.
  assert.deepEqual(Array.from(await matmul(a.slice(0, 0, 2), b.slice(1, 0, 2)).data()), [1, 1, 1, 1]);
});

test('an out-of-memory report replaces an earlier validation error and is thrown once', async (t) => {
  const g = await freshTestBackend(t);
  if (!g) return;
  g.runtime.report(new DeviceFaultError('webgpu', 'error', 'webgpu: Buffer is invalid'));
  g.runtime.report(new DeviceFaultError('webgpu', 'out-of-memory', 'webgpu: out of GPU memory allocating 9.0 GiB'));
  g.runtime.report(new DeviceFaultError('webgpu', 'error', 'webgpu: another'));
  await assert.rejects(g.device.sync(), /out of GPU memory allocating 9\.0 GiB/);
  await g.device.sync();
});

test('a lost device fails every later read and sync with the same error and tells its listeners once', async (t) => {
  const g = await freshTestBackend(t);
  if (!g) return;
  const x = g.device.upload(new Float32Array([1, 2, 3]));
  const heard: Error[] = [];
  g.runtime.onLost((e) => heard.push(e));
  g.runtime.simulateLoss('next-sync');
  await assert.rejects(g.device.read(x), (e: unknown) => isDeviceFault(e, 'lost') && /the GPU device was lost/.test((e as Error).message));
  await assert.rejects(g.device.sync(), (e: unknown) => isDeviceFault(e, 'lost'));
  await assert.rejects(g.device.read(x), (e: unknown) => isDeviceFault(e, 'lost'));
  assert.equal(heard.length, 1);
  const late: Error[] = [];
  g.runtime.onLost((e) => late.push(e));
  assert.equal(late.length, 1, 'a listener added after the loss hears it at once');
});

test('a device destroyed behind the runtime reads as lost, not as an empty read failure', async (t) => {
  const g = await freshTestBackend(t);
  if (!g) return;
  const x = g.device.upload(new Float32Array([1, 2, 3]));
  assert.deepEqual(Array.from(await g.device.read(x)), [1, 2, 3]);
  g.runtime.device.destroy();
  await assert.rejects(g.device.read(x), (e: unknown) => isDeviceFault(e, 'lost') && /the GPU device was lost \(.+\)/.test((e as Error).message));
});
