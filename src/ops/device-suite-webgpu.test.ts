// The device op suite on webgpu (SwiftShader here and in CI): every op, forward and backward,
// against the cpu, reading only through await data().

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { initWebGpu } from '../backends/webgpu/index.js';
import { deviceCases, runDeviceCase, caseError } from './device-suite.js';

initBackends();
const { backend, reason } = await initWebGpu({ mode: process.env.MOXING_WEBGPU === 'auto' ? 'auto' : 'swiftshader' });

test('every op runs on webgpu and matches cpu, forward and backward', async (t) => {
  if (!backend) {
    if (process.env.CI) throw new Error(`no WebGPU adapter on CI: ${reason}`);
    t.skip(`no WebGPU adapter: ${reason}`);
    return;
  }
  for (const c of deviceCases().filter((c) => !c.float64)) {
    await t.test(c.name, async () => {
      const ref = await runDeviceCase(c, 'cpu', 7);
      const got = await runDeviceCase(c, 'webgpu', 7);
      const err = caseError(got, ref);
      assert.ok(err <= 2e-5, `${c.name}: error ${err}`);
    });
  }
});
