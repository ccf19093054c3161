// `moxing serve` when its GPU is lost (simulated on SwiftShader: device.destroy() at the next host
// read): the request that meets the loss gets a 503 in OpenAI's envelope (an error event on a
// stream), the models move to the cpu, the next requests are answered there with the cpu's tokens,
// /health says so, and one line is logged. Skipped without a WebGPU adapter (a failure on CI).

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { setBackend } from '../backends/registry.js';
import type { WebGpuBackend } from '../backends/webgpu/index.js';
import { freshTestBackend } from '../backends/webgpu/testing.js';
import { createApp } from './app.js';
import { ModelRegistry } from './model-registry.js';
import { tinyRunDir } from './test-models.js';

initBackends();
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const dir = await tinyRunDir({ name: 'tiny-gpu' }); // written from the cpu
const prompt = { model: 'tiny-gpu', prompt: 'The quick brown', max_tokens: 6, temperature: 0 };

function post(app: ReturnType<typeof createApp>, body: unknown): Promise<Response> {
  return Promise.resolve(app.request('/v1/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }));
}

/** The cpu's answer to `prompt`, the reference for answers after the fall-back. */
async function cpuAnswer(body: unknown): Promise<string> {
  setBackend('cpu');
  const registry = new ModelRegistry();
  await registry.load(dir);
  return await (await post(createApp({ registry }), body)).text();
}

/** A registry serving `dir` on a fresh webgpu device (a lost one stays lost), or null after skipping. */
async function onGpu(t: TestContext): Promise<{ gpu: WebGpuBackend; registry: ModelRegistry; app: ReturnType<typeof createApp> } | null> {
  const backend = await freshTestBackend(t, { makeDefault: true });
  if (!backend) return null;
  const registry = new ModelRegistry();
  await registry.load(dir);
  return { gpu: backend, registry, app: createApp({ registry }) };
}

/** Lines written to stderr while `f` runs. */
async function stderrOf(f: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l));
    return true;
  }) as typeof process.stderr.write;
  try {
    await f();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}

test('serve: a request that meets a lost GPU gets a 503; the next ones are answered on the cpu', async (t) => {
  const served = await onGpu(t);
  if (!served) return;
  const { gpu, registry, app } = served;
  const health = async (): Promise<Json> => (await (await app.request('/health')).json()) as Json;
  assert.equal((await health()).device, 'webgpu');
  assert.equal((await post(app, prompt)).status, 200);
  const logged = await stderrOf(async () => {
    gpu.runtime.simulateLoss('next-sync');
    const hit = await post(app, prompt);
    assert.equal(hit.status, 503);
    assert.equal(hit.headers.get('retry-after'), '1');
    const body = (await hit.json()) as Json;
    assert.equal(body.error.code, 'device_lost');
    assert.equal(body.error.type, 'server_error');
    assert.match(body.error.message, /GPU serving this model was lost .*the GPU device was lost .*Please retry/);
    const next = await post(app, prompt);
    assert.equal(next.status, 200);
    const answer = (await next.json()) as Json;
    const want = JSON.parse(await cpuAnswer(prompt)) as Json;
    assert.equal(answer.choices[0].text, want.choices[0].text);
    assert.equal(answer.usage.completion_tokens, 6);
  });
  setBackend('cpu');
  assert.equal(logged.length, 1, logged.join('\n'));
  assert.match(logged[0]!, /^moxing serve: webgpu: the GPU device was lost .*; serving tiny-gpu on the cpu from now on/);
  const h = await health();
  assert.equal(h.device, 'cpu');
  assert.match(h.fallback, /the GPU device was lost/);
  assert.equal(registry.device(), 'cpu');
});

test('serve: a stream that meets a lost GPU ends with an error event; the next stream is served on the cpu', async (t) => {
  const served = await onGpu(t);
  if (!served) return;
  const { gpu, app } = served;
  const events = async (res: Response): Promise<Json[]> => (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as Json);
  await stderrOf(async () => {
    gpu.runtime.simulateLoss('next-sync');
    const hit = await events(await post(app, { ...prompt, stream: true }));
    assert.equal(hit.length, 1);
    assert.equal(hit[0]!.error.code, 'device_lost');
    const next = await events(await post(app, { ...prompt, stream: true }));
    assert.equal(next.map((e) => e.choices[0].text).join(''), JSON.parse(await cpuAnswer(prompt)).choices[0].text);
  });
  setBackend('cpu');
});
