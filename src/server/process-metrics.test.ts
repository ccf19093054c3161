// /metrics carries the process's memory and runtime figures, and follows the server's keys.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from './app.js';
import { ModelRegistry } from './model-registry.js';
import { tinyRun } from './test-models.js';
import { useWasmHeap } from './process-metrics.js';
import { WasmHeap } from '../backends/wasm/heap.js';

const registry = new ModelRegistry();
registry.addRun(tinyRun({ name: 'tiny' }));

/** The value of an unlabelled sample line, or NaN when it is missing. */
function valueOf(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

test('GET /metrics: resident memory, V8 heap, external and array buffers, event-loop lag and the wasm heap', async () => {
  const heap = new WasmHeap({ initialPages: 16 });
  const kept = heap.alloc('float32', 1000); // live until the end of the test
  useWasmHeap(heap);
  try {
    const res = await createApp({ registry }).request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('Content-Type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const gauges = [
      'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes',
      'nodejs_array_buffers_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds',
      'moxing_wasm_heap_reserved_bytes', 'moxing_wasm_heap_live_bytes', 'moxing_wasm_heap_top_bytes', 'moxing_wasm_heap_free_bytes',
    ];
    for (const name of gauges) {
      assert.match(text, new RegExp(`^# TYPE ${name} gauge$`, 'm'), name);
      assert.ok(valueOf(text, name) >= 0, `${name} has a value`);
    }
    assert.ok(valueOf(text, 'process_resident_memory_bytes') > 10 * 2 ** 20, 'a Node process holds more than 10 MB');
    assert.equal(valueOf(text, 'moxing_wasm_heap_reserved_bytes'), 16 * 65536);
    assert.equal(valueOf(text, 'moxing_wasm_heap_live_bytes'), heap.stats().liveBytes);
    assert.ok(heap.stats().liveBytes >= kept.byteLength);
    // The server's own series are still there, once each.
    assert.equal(text.match(/^# TYPE moxing_requests_total counter$/gm)?.length, 1);
  } finally {
    useWasmHeap(null);
  }
});

test('GET /metrics without the wasm backend reports an empty wasm heap', async () => {
  const text = await (await createApp({ registry }).request('/metrics')).text();
  assert.equal(valueOf(text, 'moxing_wasm_heap_reserved_bytes'), 0);
});

test('GET /metrics is open without keys, takes an API key or a metrics key once either is set', async () => {
  const get = (app: ReturnType<typeof createApp>, key?: string) => app.request('/metrics', key ? { headers: { Authorization: `Bearer ${key}` } } : {});
  assert.equal((await get(createApp({ registry }))).status, 200);

  const locked = createApp({ registry, apiKeys: ['sk-api-123456789'] });
  const denied = await get(locked);
  assert.equal(denied.status, 401);
  assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'missing_api_key');
  assert.equal((await get(locked, 'sk-wrong-00000000')).status, 401);
  assert.equal((await get(locked, 'sk-api-123456789')).status, 200);
  assert.equal((await locked.request('/health')).status, 200, '/health stays open for load balancers');

  const scraped = createApp({ registry, apiKeys: ['sk-api-123456789'], metricsKeys: ['prom-scrape-key'] });
  assert.equal((await get(scraped, 'prom-scrape-key')).status, 200);
  assert.equal((await get(scraped, 'sk-api-123456789')).status, 200);
  assert.equal((await scraped.request('/v1/models', { headers: { Authorization: 'Bearer prom-scrape-key' } })).status, 401, 'a metrics key opens /metrics only');

  const metricsOnly = createApp({ registry, metricsKeys: ['prom-scrape-key'] });
  assert.equal((await get(metricsOnly)).status, 401);
  assert.equal((await get(metricsOnly, 'prom-scrape-key')).status, 200);
  assert.equal((await metricsOnly.request('/v1/models')).status, 200, '/v1 stays open without API keys');
});
