// A GPT training loop on webgpu (SwiftShader here) holds steady GPU memory. Training losses,
// generation and checkpoints against the cpu are src/llm/gpt-webgpu.test.ts (the shared GPT device tests).

import assert from 'node:assert/strict';
import { initBackends } from '../index.js';
import { registerDeviceBackend } from '../registry.js';
import type { DeviceBackend } from '../backend.js';
import { modelOn, trainSteps } from '../../llm/test-device-gpt.js';
import { gpuTest } from './testing.js';

initBackends();

gpuTest('a training loop on webgpu holds steady GPU memory', async (g) => {
  registerDeviceBackend(g as unknown as DeviceBackend);
  const model = modelOn('webgpu');
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
