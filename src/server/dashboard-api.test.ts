// The dashboard's /api routes and static serving, in-process (app.request) over a temp store.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../runs/store.js';
import { createApp } from './app.js';
import { ModelRegistry } from './model-registry.js';
import { tinyRun } from './test-models.js';
import { countGptParameters } from '../llm/size.js';
import type { ClassicalPredictor } from './classical.js';
import type { MetricsResponse, ModelsResponse, ReportsResponse, RunDetailResponse, RunsResponse } from './dashboard-types.js';

const tmp = mkdtempSync(join(tmpdir(), 'moxing-dashboard-api-'));
const home = join(tmp, 'home');
const store = RunStore.open(home);
after(() => {
  store.close();
  rmSync(tmp, { recursive: true, force: true });
});

const model = { vocabSize: 300, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
const base = store.createRun({ kind: 'pretrain', name: 'base', config: { lr: 3e-4, model } });
store.logMetricsBatch(base.id, [
  { step: 1, values: { trainLoss: 5, lr: 1e-4 } },
  { step: 2, values: { trainLoss: 4, valLoss: 4.5 } },
  { step: 3, values: { trainLoss: 3, valLoss: 3.5 } },
  { step: 4, values: { trainLoss: 2.9, valLoss: 3.7 } },
]);
writeFileSync(join(tmp, 'ckpt.bin'), 'weights');
store.logArtifact(base.id, join(tmp, 'ckpt.bin'), { kind: 'checkpoint' });
store.finishRun(base.id, 'finished');
// A continuation without the model in its config: the size comes from its run dir's config.json.
const runDir = join(tmp, 'run');
mkdirSync(runDir);
writeFileSync(join(runDir, 'config.json'), JSON.stringify({ model }));
const child = store.createRun({ kind: 'train', config: { resume: runDir }, runDir, parentRunId: base.id });

const registry = new ModelRegistry();
registry.addRun(tinyRun({ name: 'tiny' }));
const stub: ClassicalPredictor = { task: 'classification', features: ['a', 'b'], labels: ['no', 'yes'], predict: (rows) => rows.map(() => 'yes') };
registry.addClassical('clf', stub);
const reports = join(tmp, 'reports');
const webDir = join(tmp, 'web');
const app = createApp({ registry, dashboard: { home, store, reportsDirs: [reports, join(tmp, 'missing')], webDir, pollMs: 20 } });

async function json<T>(path: string, status = 200): Promise<T> {
  const res = await app.request(path);
  assert.equal(res.status, status, `${path}: ${res.status}`);
  return (await res.json()) as T;
}

test('GET /api/runs: newest first, with the GPT size, parameter count and best valLoss', async () => {
  const { runs } = await json<RunsResponse>('/api/runs');
  assert.deepEqual(runs.map((r) => r.id), [child.id, base.id]);
  const b = runs[1]!;
  assert.equal(b.status, 'finished');
  assert.equal(b.parameters, countGptParameters(model));
  assert.equal(b.bestValLoss, 3.5); // min(4.5, 3.5, 3.7)
  assert.deepEqual(b.summary, { trainLoss: 2.9, valLoss: 3.7, lr: 1e-4 });
  assert.equal(runs[0]!.parameters, countGptParameters(model), 'from the run dir');
  assert.equal(runs[0]!.status, 'running');
  assert.equal((await json<RunsResponse>('/api/runs?kind=train')).runs.length, 1);
  await json('/api/runs?limit=0', 400);
});

test('GET /api/runs/:id: artifacts, metric names, children; by prefix; 404', async () => {
  const d = await json<RunDetailResponse>(`/api/runs/${base.id.slice(0, 6)}`);
  assert.equal(d.run.id, base.id);
  assert.deepEqual(d.artifacts.map((a) => a.kind), ['checkpoint']);
  assert.equal(d.artifacts[0]!.size, 7);
  assert.deepEqual(d.metricNames.map((m) => `${m.name}:${m.count}`), ['lr:1', 'trainLoss:4', 'valLoss:3']);
  assert.deepEqual(d.children.map((c) => c.id), [child.id]);
  const err = await json<{ error: { code: string } }>('/api/runs/nope', 404);
  assert.equal(err.error.code, 'run_not_found');
});

test('GET /api/runs/:id/metrics: all points, then only newer ones after the cursor', async () => {
  const all = await json<MetricsResponse>(`/api/runs/${base.id}/metrics`);
  assert.equal(all.points.length, 8);
  assert.equal(all.cursor, Math.max(...all.points.map((p) => p.id)));
  assert.deepEqual((await json<MetricsResponse>(`/api/runs/${base.id}/metrics?afterId=${all.cursor}`)).points, []);
  const val = await json<MetricsResponse>(`/api/runs/${base.id}/metrics?names=valLoss`);
  assert.deepEqual(val.points.map((p) => p.value), [4.5, 3.5, 3.7]);
  await json(`/api/runs/${base.id}/metrics?afterId=-1`, 400);
  store.logMetrics(child.id, 1, { trainLoss: NaN });
  const nan = await json<MetricsResponse>(`/api/runs/${child.id}/metrics`);
  assert.equal(nan.points[0]!.value, null, 'NaN travels as null');
});

/** Reads SSE `data:` events until [DONE] or `limit` events. */
async function readEvents(res: Response, limit: number): Promise<(MetricsResponse | '[DONE]')[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: (MetricsResponse | '[DONE]')[] = [];
  let buf = '';
  while (events.length < limit) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0 && events.length < limit) {
      const data = buf.slice(0, i).replace(/^data: /, '');
      buf = buf.slice(i + 2);
      events.push(data === '[DONE]' ? '[DONE]' : (JSON.parse(data) as MetricsResponse));
    }
  }
  await reader.cancel();
  return events;
}

test('GET /api/runs/:id/stream: new points as they are logged, [DONE] when the run ends', async () => {
  const run = store.createRun({ kind: 'pretrain' });
  store.logMetrics(run.id, 1, { trainLoss: 3 });
  const res = await app.request(`/api/runs/${run.id}/stream`);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reading = readEvents(res, 10);
  await new Promise((r) => setTimeout(r, 60));
  store.logMetrics(run.id, 2, { trainLoss: 2.5 });
  await new Promise((r) => setTimeout(r, 60));
  store.logMetrics(run.id, 3, { trainLoss: 2 });
  store.finishRun(run.id, 'finished');
  const events = await reading;
  assert.equal(events.at(-1), '[DONE]');
  const data = events.slice(0, -1) as MetricsResponse[];
  assert.deepEqual(data.flatMap((e) => e.points.map((p) => p.step)), [1, 2, 3], 'each point once, in order');
  assert.equal(data.at(-1)!.status, 'finished');
  assert.equal(data[0]!.status, 'running');
  // A finished run: what is left after the cursor, then [DONE].
  const again = await readEvents(await app.request(`/api/runs/${run.id}/stream?afterId=${data[0]!.cursor}`), 10);
  assert.deepEqual((again[0] as MetricsResponse).points.map((p) => p.step), [2, 3]);
  assert.equal(again[1], '[DONE]');
});

test('GET /api/models: served GPTs and classical models, and the registry', async () => {
  store.registerModel({ name: 'base', kind: 'gpt', path: runDir, metrics: { valLoss: 3.5 }, runId: base.id });
  const { served, registry: reg } = await json<ModelsResponse>('/api/models');
  assert.deepEqual(served.map((m) => `${m.kind}:${m.id}`), ['language:tiny', 'classical:clf']);
  const tiny = served[0]!;
  assert.ok(tiny.kind === 'language' && tiny.parameters > 0 && tiny.config.nLayer === 1);
  assert.deepEqual(served[1], { kind: 'classical', id: 'clf', created: served[1]!.created, task: 'classification', features: ['a', 'b'], labels: ['no', 'yes'] });
  assert.deepEqual(reg.map((m) => `${m.name}@${m.version}`), ['base@1']);
});

test('GET /api/reports: empty, then the JSON files of the report directories', async () => {
  assert.deepEqual((await json<ReportsResponse>('/api/reports')).reports, []);
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, 'scale.json'), JSON.stringify({ runs: [{ parameters: 1000, valLoss: 3 }] }));
  writeFileSync(join(reports, 'notes.txt'), 'not a report');
  writeFileSync(join(reports, 'broken.json'), '{');
  const list = await json<ReportsResponse>('/api/reports');
  assert.deepEqual(list.reports.map((r) => r.name), ['broken.json', 'scale.json']);
  assert.deepEqual(await json('/api/reports/scale.json'), { runs: [{ parameters: 1000, valLoss: 3 }] });
  await json('/api/reports/broken.json', 500);
  await json('/api/reports/other.json', 404);
  await json('/api/reports/notes.txt', 404);
  assert.equal((await app.request('/api/reports/..%2Fhome%2Fmoxing.db')).status, 404);
});

test('static: a page saying how to build when web/dist is missing; files once built; other paths keep the JSON 404', async () => {
  let res = await app.request('/');
  assert.equal(res.status, 503);
  assert.match(await res.text(), /npm run build:web/);
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>moxing</title>');
  writeFileSync(join(webDir, 'assets', 'index-abc.js'), 'console.log(1)');
  res = await app.request('/');
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '<!doctype html><title>moxing</title>');
  res = await app.request('/assets/index-abc.js');
  assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.match(res.headers.get('cache-control') ?? '', /immutable/);
  for (const path of ['/assets/missing.js', '/v2/nothing', '/api/nothing', '/..%2F..%2Fetc%2Fpasswd', '/assets/..%2F..%2Fhome%2Fmoxing.db']) {
    res = await app.request(path);
    assert.equal(res.status, 404, path);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unknown_url', path);
  }
});

test('API keys: /api needs the same Bearer key as /v1; the web app stays open', async () => {
  const locked = createApp({ registry, apiKeys: ['sk-dash-12345678'], dashboard: { home, store, reportsDirs: [reports], webDir } });
  assert.equal((await locked.request('/api/runs')).status, 401);
  assert.equal((await locked.request('/api/runs', { headers: { Authorization: 'Bearer sk-dash-12345678' } })).status, 200);
  assert.equal((await locked.request('/')).status, 200);
});
