// A pretraining run's page lists the checkpoint in its run directory, recorded or not.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../runs/store.js';
import { saveCheckpoint } from '../llm/run-dir.js';
import { createApp } from './app.js';
import { ModelRegistry } from './model-registry.js';
import { tinyRun } from './test-models.js';
import { checkpointFiles } from './dashboard-checkpoints.js';
import type { RunDetailResponse } from './dashboard-types.js';

const tmp = mkdtempSync(join(tmpdir(), 'moxing-dashboard-ckpt-'));
const store = RunStore.open(join(tmp, 'home'));
after(() => {
  store.close();
  rmSync(tmp, { recursive: true, force: true });
});
const app = createApp({ registry: new ModelRegistry(), dashboard: { home: join(tmp, 'home'), store, webDir: join(tmp, 'web') } });

async function detail(id: string): Promise<RunDetailResponse> {
  const res = await app.request(`/api/runs/${id}`);
  assert.equal(res.status, 200);
  return (await res.json()) as RunDetailResponse;
}

/** A run directory as `moxing pretrain` leaves it after a checkpoint at `step`. */
async function pretrainDir(name: string, step: number): Promise<string> {
  const run = tinyRun({ name });
  const dir = join(tmp, name);
  const state = { step, modelRng: run.model.rng.getState(), dataRng: [1, 2, 3, 4] as [number, number, number, number], tokensSeen: step * 64, bestValLoss: 4.2 };
  await saveCheckpoint(dir, { config: run.config, tokenizer: run.tokenizer, model: run.model, state });
  return dir;
}

test('a pretraining run still training (nothing recorded yet) lists the checkpoint files of its run dir, with the step', async () => {
  const dir = await pretrainDir('live', 40);
  const run = store.createRun({ kind: 'pretrain', config: {}, runDir: dir });
  const { artifacts } = await detail(run.id);
  assert.deepEqual(artifacts.map((a) => a.path.slice(dir.length + 1)), ['model.safetensors', 'state.json', 'config.json', 'tokenizer.json']);
  for (const a of artifacts) {
    assert.equal(a.kind, 'checkpoint');
    assert.equal(a.step, 40);
    assert.equal(a.sha256, null);
    assert.ok(a.size > 0 && !Number.isNaN(Date.parse(a.createdAt)));
  }
});

test('a finished run shows what it recorded first, and a recorded file is not listed twice', async () => {
  const dir = await pretrainDir('done', 120);
  const run = store.createRun({ kind: 'pretrain', config: {}, runDir: dir });
  store.logArtifact(run.id, dir, { kind: 'run-dir' });
  store.logArtifact(run.id, join(dir, 'model.safetensors'), { kind: 'checkpoint' });
  store.finishRun(run.id, 'finished');
  const { artifacts } = await detail(run.id);
  assert.deepEqual(artifacts.map((a) => `${a.kind}:${a.path.slice(dir.length + 1)}`), ['run-dir:', 'checkpoint:model.safetensors', 'checkpoint:state.json', 'checkpoint:config.json', 'checkpoint:tokenizer.json']);
  assert.equal(artifacts[1]!.sha256?.length, 64, 'the recorded file keeps its hash');
  assert.equal(artifacts[1]!.step, null);
});

test('no checkpoint: a run dir without state.json (an interrupted first checkpoint), a missing dir, no run dir', async () => {
  const partial = join(tmp, 'partial');
  mkdirSync(partial);
  writeFileSync(join(partial, 'config.json'), '{}');
  assert.deepEqual(checkpointFiles(partial), []);
  assert.deepEqual(checkpointFiles(join(tmp, 'gone')), []);
  const run = store.createRun({ kind: 'pretrain', config: {} });
  assert.deepEqual((await detail(run.id)).artifacts, []);
});
