// The device op suite on cpu-strict, the device whose storage only kernels and `await data()` see:
// any op that still reads storage on the host fails here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { deviceCases, runDeviceCase, caseError } from './device-suite.js';

initBackends();

test('every op runs on cpu-strict and matches cpu, forward and backward', async (t) => {
  for (const c of deviceCases()) {
    await t.test(c.name, async () => {
      const ref = await runDeviceCase(c, 'cpu', 7);
      const got = await runDeviceCase(c, 'cpu-strict', 7);
      assert.ok(caseError(got, ref) <= 1e-6, `${c.name}: error ${caseError(got, ref)}`);
    });
  }
});

test('a strict tensor refuses synchronous reads and names its device', async () => {
  const [c] = deviceCases();
  const { out } = await runDeviceCase(c!, 'cpu-strict');
  assert.ok(out.length > 0);
  const { tensor } = await import('../tensor/create.js');
  const x = tensor([1, 2], { device: 'cpu-strict' });
  assert.equal(x.device, 'cpu-strict');
  assert.throws(() => x.dataSync(), /on device 'cpu-strict'.*await t\.data\(\)/);
  assert.throws(() => x.sum().itemSync(), /cpu-strict/);
  assert.deepEqual(Array.from(await x.data()), [1, 2]);
  assert.deepEqual(await x.add(1).toArray(), [2, 3]);
  assert.equal(await x.sum().item(), 3);
});

test('the public API shows the device', async () => {
  const { tensor } = await import('../index.js');
  const x = tensor([1, 2]);
  assert.equal(x.device, 'cpu');
  assert.deepEqual(Array.from(await x.data()), [1, 2]);
  assert.deepEqual(x.to('cpu-strict').device, 'cpu-strict');
});
