// /moxing.js, /models/<name>/<file> and the isolation headers, in process: only registered models'
// allow-listed files, no path traversal, a clear 404 when the browser build is missing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { ModelRegistry } from './model-registry.js';
import { createApp } from './app.js';
import { mountBrowserAssets } from './browser-assets.js';
import { tinyRunDir } from './test-models.js';
import type { ApiError } from './errors.js';

const registry = new ModelRegistry({ scheduler: { maxBatch: 1 } });
const dir = await tinyRunDir({ name: 'tiny-browser' });
await registry.load(dir);
const app = createApp({ registry });

test('a served model\'s files come back byte for byte, with COOP/COEP', async () => {
  for (const file of ['config.json', 'tokenizer.json', 'model.safetensors']) {
    const res = await app.request(`/models/tiny-browser/${file}`);
    assert.equal(res.status, 200, file);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(readFileSync(join(dir, file))));
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  }
  assert.match((await app.request('/models/tiny-browser/config.json')).headers.get('content-type') ?? '', /application\/json/);
});

test('other files, other models and traversal are 404', async () => {
  for (const path of [
    '/models/tiny-browser/state.json', '/models/nope/config.json', '/models/tiny-browser/..%2Fconfig.json',
    '/models/..%2F..%2Fetc/passwd', '/models/tiny-browser/%2E%2E%2Fstate.json', '/models/tiny-browser/head.safetensors',
  ]) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
  }
});

test('the dashboard page is cross-origin isolated too', async () => {
  const res = await app.request('/');
  assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
});

test('the bundle and kernels are served from the build folder, or a 404 that says how to build them', async () => {
  const build = mkdtempSync(join(tmpdir(), 'moxing-browser-build-'));
  const small = new Hono();
  small.onError((err, c) => c.text(err.message, (err as ApiError).status as 404));
  mountBrowserAssets(small, registry, build);
  const missing = await small.request('/moxing.js');
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /npm run build:browser/);
  writeFileSync(join(build, 'moxing.js'), 'export const x = 1;\n');
  writeFileSync(join(build, 'kernels.wasm'), new Uint8Array([0, 97, 115, 109]));
  const js = await small.request('/moxing.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /text\/javascript/);
  assert.equal(await js.text(), 'export const x = 1;\n');
  const wasm = await small.request('/kernels.wasm');
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
});

test('with --api-key, a model\'s files need the key (they are its weights); the bundle stays open', async () => {
  const locked = createApp({ registry, apiKeys: ['sk-browser-1234567'] });
  const url = '/models/tiny-browser/model.safetensors';
  assert.equal((await locked.request(url)).status, 401);
  assert.equal((await locked.request(url, { headers: { Authorization: 'Bearer wrong-key-123' } })).status, 401);
  const ok = await locked.request(url, { headers: { Authorization: 'Bearer sk-browser-1234567' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(new Uint8Array(await ok.arrayBuffer()), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  assert.notEqual((await locked.request('/moxing.js')).status, 401);
});
