// Tests for startTracking: buffered logging, lineage, turning it off, surviving a broken database, exit hooks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunStore } from './store.js';
import { startTracking } from './tracker.js';

const CHILD = fileURLToPath(new URL('./test-child.ts', import.meta.url));

function withHome(fn: (home: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'moxing-tracker-'));
    try {
      await fn(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}

test('a tracked run: metrics are buffered then written, artifacts and models recorded, finish closes it', withHome(async (home) => {
  const env = { MOXING_HOME: home };
  const tracker = startTracking('pretrain', { lr: 3e-4 }, { env, name: 'tiny', runDir: join(home, 'base'), flushIntervalMs: 60_000 });
  const runId = tracker.runId!;
  for (let step = 1; step <= 50; step++) tracker.log(step, { trainLoss: 3 - step / 100 });
  const store = RunStore.open(home);
  try {
    // The first log is written at once (so a dashboard sees the run start); the rest wait for a flush.
    assert.equal(store.metrics(runId).length, 1);
    tracker.flush();
    assert.equal(store.metrics(runId).length, 50);
    writeFileSync(join(home, 'model.bin'), 'w');
    tracker.artifact(join(home, 'model.bin'), 'checkpoint');
    assert.equal(tracker.registerModel({ name: 'tiny', kind: 'gpt', path: join(home, 'model.bin') })?.runId, runId);
    const seen = store.getRun(runId)!.heartbeatAt!;
    await new Promise((r) => setTimeout(r, 5));
    tracker.heartbeat();
    assert.ok(store.getRun(runId)!.heartbeatAt! > seen);
    tracker.log(51, { valLoss: 2.5 });
    tracker.finish();
    tracker.log(52, { valLoss: 2.4 }); // after finish: ignored

    const run = store.getRun(runId)!;
    assert.deepEqual([run.kind, run.name, run.status, run.lastStep], ['pretrain', 'tiny', 'finished', 51]);
    assert.deepEqual(run.config, { lr: 3e-4 });
    assert.equal(store.artifacts(runId)[0]?.kind, 'checkpoint');
    assert.equal(store.metrics(runId).length, 51);
  } finally {
    store.close();
  }
}));

test('initFrom a tracked run dir makes that run the parent', withHome((home) => {
  const env = { MOXING_HOME: home };
  const base = startTracking('pretrain', {}, { env, runDir: join(home, 'base') });
  base.finish();
  const ft = startTracking('finetune', {}, { env, initFrom: join(home, 'base') });
  const lost = startTracking('finetune', {}, { env, parentRunId: 'gone', warn: () => undefined });
  ft.finish();
  lost.finish();
  const store = RunStore.open(home);
  try {
    assert.equal(store.getRun(ft.runId!)?.parentRunId, base.runId);
    assert.equal(store.getRun(ft.runId!)?.initFrom, join(home, 'base'));
    assert.equal(store.getRun(lost.runId!)?.parentRunId, null); // lineage dropped, run still tracked
  } finally {
    store.close();
  }
}));

test('MOXING_TRACKING=0 records nothing and creates no database', withHome((home) => {
  const tracker = startTracking('fit', {}, { env: { MOXING_HOME: join(home, 'mx'), MOXING_TRACKING: '0' } });
  assert.equal(tracker.runId, undefined);
  tracker.log(1, { loss: 1 });
  tracker.finish();
  assert.equal(existsSync(join(home, 'mx')), false);
}));

test('an unusable database warns once and never throws into the training loop', withHome((home) => {
  const warnings: string[] = [];
  const file = join(home, 'not-a-dir');
  writeFileSync(file, '');
  const tracker = startTracking('train', {}, { env: { MOXING_HOME: file }, warn: (m) => warnings.push(m) });
  assert.equal(tracker.runId, undefined);
  tracker.log(1, { loss: 1 });
  tracker.artifact(file);
  tracker.finish('failed');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^moxing: tracking is off: .*training continues/);

  // A database that breaks mid-run (here: a bad value, then a closed store) also only warns, once.
  const live: string[] = [];
  const ok = startTracking('train', {}, { env: { MOXING_HOME: home }, warn: (m) => live.push(m) });
  ok.log(1, { loss: 'x' as unknown as number });
  ok.log(2, { loss: 1 });
  ok.artifact(join(home, 'missing'));
  ok.finish();
  assert.equal(live.length, 1);
  assert.match(live[0]!, /dropped a metric: metric "loss" must be a number/);
}));

test('a process that exits failing without finish() leaves its run failed, buffered metrics written', { timeout: 20_000 }, withHome((home) => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'fail', home], { encoding: 'utf8' });
  assert.equal(child.status, 1, child.stderr);
  const { runId } = JSON.parse(child.stdout) as { runId: string };
  const store = RunStore.open(home);
  try {
    const run = store.getRun(runId)!;
    assert.equal(run.status, 'failed');
    assert.deepEqual(store.metrics(runId).map((p) => p.value), [2, 1.5]);
  } finally {
    store.close();
  }
}));
