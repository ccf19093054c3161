// The GPT device tests on webgpu: over SwiftShader (Chromium's CPU Vulkan driver) here and in CI,
// on the GPU itself where MOXING_WEBGPU=auto finds one. Training, generation, checkpoints,
// fine-tuning, classification and embeddings match the cpu within float tolerance.

import { test } from 'node:test';
import { initBackends } from '../backends/index.js';
import { initWebGpu } from '../backends/webgpu/index.js';
import { deviceGptTests } from './test-device-gpt.js';
import { deviceFinetuneTests } from './test-device-finetune.js';

initBackends();
const { backend, reason } = await initWebGpu({ mode: process.env.MOXING_WEBGPU === 'auto' ? 'auto' : 'swiftshader' });
if (backend) {
  deviceGptTests('webgpu', { tol: 2e-4, countsBuffers: false });
  deviceFinetuneTests('webgpu', 2e-4);
} else {
  // CI installs chromium (and with it SwiftShader): there a missing adapter is a failure.
  test('GPT on webgpu', (t) => {
    if (process.env.CI) throw new Error(`no WebGPU adapter on CI: ${reason}`);
    t.skip(`no WebGPU adapter: ${reason}`);
  });
}
