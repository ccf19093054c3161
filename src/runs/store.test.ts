// Tests for the tracking store: runs, metrics, artifacts, registry, migrations, reopening, two writers at once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { RunStore, databasePath, moxingHome } from './store.js';
import { MIGRATIONS } from './schema.js';

const CHILD = fileURLToPath(new URL('./test-child.ts', import.meta.url));

function withHome(fn: (home: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'moxing-runs-'));
    try {
      await fn(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

test('MOXING_HOME picks the home, else ~/.moxing; the database is moxing.db inside it', () => {
  assert.equal(moxingHome({ MOXING_HOME: '/data/mx' }), '/data/mx');
  assert.match(moxingHome({}), /\.moxing$/);
  assert.equal(databasePath('/data/mx'), '/data/mx/moxing.db');
});

test('a run: create, log metrics, read them back by step and by id cursor, finish', withHome((home) => {
  const store = RunStore.open(home);
  try {
    const run = store.createRun({ kind: 'pretrain', name: 'tiny', config: { lr: 3e-4, nLayer: 1 }, initFrom: 'gpt2' });
    assert.match(run.id, /^[0-9a-f]{8}$/);
    assert.equal(run.status, 'running');
    assert.deepEqual(run.config, { lr: 3e-4, nLayer: 1 });
    assert.equal(run.pid, process.pid);
    assert.equal(run.host, hostname());
    assert.equal(run.initFrom, 'gpt2');

    for (let step = 1; step <= 10; step++) store.logMetrics(run.id, step, { trainLoss: 4 - step / 10 });
    store.logMetrics(run.id, 10, { valLoss: 3.5 });
    store.logMetrics(run.id, 11, { trainLoss: NaN, valLoss: Infinity }); // a diverged step stays visible

    const all = store.metrics(run.id);
    assert.equal(all.length, 13);
    assert.deepEqual(all.slice(0, 2).map((p) => [p.step, p.name, p.value]), [[1, 'trainLoss', 3.9], [2, 'trainLoss', 3.8]]);
    assert.deepEqual(store.metrics(run.id, { afterStep: 9 }).map((p) => [p.step, p.name]),
      [[10, 'trainLoss'], [10, 'valLoss'], [11, 'trainLoss'], [11, 'valLoss']]);
    const last = store.metrics(run.id, { afterStep: 10 });
    assert.ok(Number.isNaN(last[0]!.value));
    assert.equal(last[1]!.value, Infinity);
    assert.deepEqual(store.metrics(run.id, { names: ['valLoss'] }).map((p) => p.step), [10, 11]);
    assert.deepEqual(store.metrics(run.id, { names: [] }), []);

    // The id cursor: a poller that saw everything sees only what comes next, re-logged values included.
    const cursor = Math.max(...all.map((p) => p.id));
    assert.deepEqual(store.metrics(run.id, { afterId: cursor }), []);
    store.logMetrics(run.id, 10, { valLoss: 3.4 });
    const fresh = store.metrics(run.id, { afterId: cursor });
    assert.deepEqual(fresh.map((p) => [p.step, p.name, p.value]), [[10, 'valLoss', 3.4]]);
    assert.equal(store.metrics(run.id).length, 13); // replaced, not duplicated

    const got = store.getRun(run.id)!;
    assert.equal(got.lastStep, 11);
    assert.deepEqual(Object.keys(got.summary).sort(), ['trainLoss', 'valLoss']);
    assert.ok(Number.isNaN(got.summary.trainLoss));
    assert.equal(got.summary.valLoss, 3.4); // the last value written
    assert.deepEqual(store.metricNames(run.id), [
      { name: 'trainLoss', count: 11, firstStep: 1, lastStep: 11 },
      { name: 'valLoss', count: 2, firstStep: 10, lastStep: 11 },
    ]);

    store.finishRun(run.id, 'finished');
    const done = store.getRun(run.id)!;
    assert.equal(done.status, 'finished');
    assert.ok(done.endedAt !== null && done.endedAt >= done.startedAt);
  } finally {
    store.close();
  }
}));

test('bad input is refused: unknown runs, non-integer steps, non-number values, missing parents', withHome((home) => {
  const store = RunStore.open(home);
  try {
    const run = store.createRun({ kind: 'fit', config: {} });
    assert.throws(() => store.logMetrics('nope', 1, { loss: 1 }), /no run nope/);
    assert.throws(() => store.logMetrics(run.id, 1.5, { loss: 1 }), /step must be an integer/);
    assert.throws(() => store.logMetrics(run.id, 1, { loss: '1' as unknown as number }), /must be a number/);
    assert.throws(() => store.finishRun('nope', 'finished'), /no run nope/);
    assert.throws(() => store.createRun({ kind: 'fit', parentRunId: 'nope' }), /parent run nope does not exist/);
    assert.throws(() => store.createRun({ kind: 'bad kind' }), /bad run kind/);
    assert.deepEqual(store.metrics(run.id), []); // the failed batch left nothing behind
  } finally {
    store.close();
  }
}));

test('listRuns: newest first, by kind or run dir; getRun by unambiguous prefix; lineage', withHome((home) => {
  const store = RunStore.open(home);
  try {
    const base = store.createRun({ kind: 'pretrain', config: {}, runDir: join(home, 'base') });
    const ft = store.createRun({ kind: 'finetune', config: {}, parentRunId: base.id, initFrom: join(home, 'base') });
    assert.equal(ft.parentRunId, base.id);
    assert.deepEqual(store.listRuns().map((r) => r.id), [ft.id, base.id]);
    assert.deepEqual(store.listRuns({ kind: 'pretrain' }).map((r) => r.id), [base.id]);
    assert.deepEqual(store.listRuns({ runDir: join(home, 'base') }).map((r) => r.id), [base.id]);
    assert.deepEqual(store.listRuns({ parentRunId: base.id }).map((r) => r.id), [ft.id]);
    assert.equal(store.listRuns({ limit: 1 }).length, 1);
    assert.equal(store.getRun(base.id.slice(0, 6))?.id, base.id);
    assert.equal(store.getRun('zzzz'), undefined);

    // 17 ids over 16 hex digits: two share a first character, and that prefix is ambiguous.
    const ids = [base.id, ft.id];
    for (let i = 0; i < 15; i++) ids.push(store.createRun({ kind: 'fit', process: null }).id);
    const shared = ids.find((id, i) => ids.findIndex((o) => o[0] === id[0]) !== i)!;
    assert.throws(() => store.getRun(shared[0]!), /is ambiguous/);
  } finally {
    store.close();
  }
}));

test('artifacts: size and SHA-256 of a file, and of a directory as a sha256sum manifest', withHome((home) => {
  const store = RunStore.open(home);
  try {
    const run = store.createRun({ kind: 'pretrain', config: {} });
    const dir = join(home, 'run');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'model.bin'), 'weights');
    writeFileSync(join(dir, 'sub', 'a.json'), '{}');
    const file = store.logArtifact(run.id, join(dir, 'model.bin'), { kind: 'checkpoint' });
    assert.deepEqual([file.size, file.sha256, file.kind], [7, sha256('weights'), 'checkpoint']);
    const folder = store.logArtifact(run.id, dir);
    const manifest = `${sha256('weights')}  model.bin\n${sha256('{}')}  sub/a.json\n`;
    assert.deepEqual([folder.size, folder.sha256], [9, sha256(manifest)]);

    writeFileSync(join(dir, 'model.bin'), 'weights v2'); // re-logging updates the entry
    store.logArtifact(run.id, join(dir, 'model.bin'));
    assert.deepEqual(store.artifacts(run.id).map((a) => [a.path, a.size]), [[dir, 9], [join(dir, 'model.bin'), 10]]);
    assert.throws(() => store.logArtifact(run.id, join(home, 'missing')), /ENOENT/);
  } finally {
    store.close();
  }
}));

test('model registry: versions count up per name; latest, by version, by name', withHome((home) => {
  const store = RunStore.open(home);
  try {
    const run = store.createRun({ kind: 'pretrain', config: {} });
    const a1 = store.registerModel({ name: 'moxing-base', kind: 'gpt', path: home, metrics: { valLoss: 3.1 }, runId: run.id });
    const a2 = store.registerModel({ name: 'moxing-base', kind: 'gpt', path: home, metrics: { valLoss: 2.9 } });
    const b1 = store.registerModel({ name: 'iris/forest', kind: 'classical', path: home, description: 'random forest' });
    assert.deepEqual([a1.version, a2.version, b1.version], [1, 2, 1]);
    assert.equal(a1.runId, run.id);
    assert.deepEqual(a1.metrics, { valLoss: 3.1 });
    assert.equal(store.getModel('moxing-base')?.version, 2);
    assert.deepEqual(store.getModel('moxing-base', 1)?.metrics, { valLoss: 3.1 });
    assert.equal(store.getModel('moxing-base', 3), undefined);
    assert.deepEqual(store.listModels().map((m) => `${m.name}:${m.version}`), ['iris/forest:1', 'moxing-base:2', 'moxing-base:1']);
    assert.deepEqual(store.listModels({ latest: true }).map((m) => `${m.name}:${m.version}`), ['iris/forest:1', 'moxing-base:2']);
    assert.deepEqual(store.listModels({ name: 'iris/forest' }).map((m) => m.description), ['random forest']);
    assert.deepEqual(store.listModels({ runId: run.id }).map((m) => m.version), [1]);
    assert.throws(() => store.registerModel({ name: 'x y', kind: 'gpt', path: home }), /bad model name/);
    assert.throws(() => store.registerModel({ name: 'x', kind: 'gpt', path: join(home, 'missing') }), /ENOENT/);
    assert.throws(() => store.registerModel({ name: 'x', kind: 'onnx' as 'gpt', path: home }), /model kind/);
  } finally {
    store.close();
  }
}));

test('a reopened database keeps everything, is in WAL mode and is not migrated twice', withHome((home) => {
  const first = RunStore.open(home);
  const run = first.createRun({ kind: 'train', config: { seed: 1 } });
  first.logMetrics(run.id, 1, { trainLoss: 2 });
  first.registerModel({ name: 'm', kind: 'gpt', path: home, runId: run.id });
  first.close();

  const again = RunStore.open(home);
  try {
    assert.equal(again.schemaVersion, MIGRATIONS.length);
    assert.deepEqual(again.getRun(run.id)?.config, { seed: 1 });
    assert.deepEqual(again.metrics(run.id).map((p) => p.value), [2]);
    assert.equal(again.getModel('m')?.runId, run.id);
    assert.equal(again.registerModel({ name: 'm', kind: 'gpt', path: home }).version, 2);
  } finally {
    again.close();
  }
  const raw = new Database(databasePath(home), { readonly: true });
  try {
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }]);
  } finally {
    raw.close();
  }
}));

test('migrations: a new one is applied on open; a database newer than the code is refused', withHome((home) => {
  RunStore.open(home).close();
  const v2 = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'tags', sql: 'CREATE TABLE tags (run_id TEXT, tag TEXT)' }];
  const store = RunStore.open(home, { migrations: v2 });
  assert.equal(store.schemaVersion, v2.length);
  store.close();
  RunStore.open(home, { migrations: v2 }).close(); // already there: nothing to do
  assert.throws(() => RunStore.open(home), /newer than this moxing knows/);
  assert.throws(() => RunStore.open(join(home, 'x'), { migrations: [{ version: 2, name: 'gap', sql: '' }] }), /expected 1/);
}));

test('two writers at once: a child process and this one log into the same run, nothing is lost', { timeout: 30_000 }, withHome(async (home) => {
  const store = RunStore.open(home, { busyTimeoutMs: 10_000 });
  try {
    const run = store.createRun({ kind: 'pretrain', config: {} });
    const stop = join(home, 'stop');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'write', home, run.id, stop, '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await new Promise<void>((ready) => {
      const check = (): void => (out.startsWith('ready') ? ready() : void setTimeout(check, 10));
      check();
    });

    // Write until the child's rows are interleaved with ours (both wrote at once), at least 300 steps.
    const firstId = (): number => store.metrics(run.id, { names: ['parent'], limit: 1 })[0]?.id ?? Infinity;
    const interleaved = (): number => store.metrics(run.id, { names: ['child'] }).filter((p) => p.id > firstId()).length;
    let step = 0;
    const deadline = Date.now() + 15_000;
    while ((step < 300 || interleaved() < 20) && Date.now() < deadline) store.logMetrics(run.id, step++, { parent: step });
    writeFileSync(stop, '');
    assert.equal(await exited, 0);
    const { written } = JSON.parse(out.split('\n')[1]!) as { written: number };

    assert.ok(interleaved() >= 20, 'the two processes wrote at the same time');
    assert.equal(store.metrics(run.id, { names: ['parent'] }).length, step);
    assert.equal(store.metrics(run.id, { names: ['child'] }).length, written);
    assert.equal(store.getRun(run.id)?.lastStep, Math.max(step, written) - 1);
  } finally {
    store.close();
  }
}));

test('a run whose process was killed reads as interrupted; one without a process stays running', { timeout: 20_000 }, withHome((home) => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, 'kill', home], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL');
  const { runId } = JSON.parse(child.stdout) as { runId: string };
  const store = RunStore.open(home);
  try {
    const run = store.getRun(runId)!;
    assert.equal(run.status, 'interrupted');
    assert.deepEqual(run.summary, { trainLoss: 2 });
    assert.equal(store.createRun({ kind: 'fit', process: null }).status, 'running');
    assert.equal(store.createRun({ kind: 'fit' }).status, 'running'); // this process is alive
    // A reused pid: alive, but started at another time, so not the process that ran the run.
    const reused = store.createRun({ kind: 'fit', process: { pid: process.pid, host: hostname(), start: '1' } });
    assert.equal(reused.status, process.platform === 'linux' ? 'interrupted' : 'running');
  } finally {
    store.close();
  }
}));
