// Tests for `moxing runs`, `runs show`, `models` and `plot`, in-process against a temp MOXING_HOME.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerRuns } from './runs.js';
import { registerModels } from './models.js';
import { registerPlot } from './plot.js';
import { startTracking } from '../../runs/tracker.js';
import { UserError } from '../errors.js';

/** A home with a finished pretraining run (300 steps, val every 50, a checkpoint, a registered model) and a fine-tune of it. */
function fixture(home: string): { base: string; ft: string } {
  const env = { MOXING_HOME: home };
  const base = startTracking('pretrain', { lr: 3e-4, model: { nLayer: 1 } }, { env, name: 'tiny', runDir: join(home, 'base') });
  for (let s = 1; s <= 300; s++) base.log(s, { trainLoss: 4 / Math.sqrt(s), lr: 3e-4, ...(s % 50 === 0 ? { valLoss: 4.2 / Math.sqrt(s) } : {}) });
  writeFileSync(join(home, 'model.bin'), 'abc');
  base.artifact(join(home, 'model.bin'), 'checkpoint');
  base.registerModel({ name: 'moxing-tiny', kind: 'gpt', path: join(home, 'model.bin'), metrics: { valLoss: 0.2425 } });
  base.finish();
  const ft = startTracking('finetune', {}, { env, initFrom: join(home, 'base') });
  ft.log(1, { trainLoss: 1 });
  ft.finish('failed');
  return { base: base.runId!, ft: ft.runId! };
}

async function run(home: string, args: string[]): Promise<string> {
  let out = '';
  const io = { write: (s: string) => void (out += s), env: { MOXING_HOME: home } };
  const program = new Command().exitOverride();
  registerRuns(program, io);
  registerModels(program, io);
  registerPlot(program, io);
  await program.parseAsync(['node', 'moxing', ...args]);
  return out;
}

function withHome(fn: (home: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'moxing-cli-runs-'));
    try {
      await fn(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}

test('moxing runs: a table newest first, --kind, --limit, --json; an empty home says so', withHome(async (home) => {
  assert.match(await run(home, ['runs']), /^no runs in .*moxing\.db\n$/);
  const { base, ft } = fixture(home);
  const lines = (await run(home, ['runs'])).trimEnd().split('\n');
  assert.match(lines[0]!, /^ID +KIND +NAME +STATUS +STEP +METRICS +STARTED +DURATION$/);
  assert.match(lines[1]!, new RegExp(`^${ft} +finetune +- +failed +1 +trainLoss=1 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +\\d+s$`));
  assert.match(lines[2]!, new RegExp(`^${base} +pretrain +tiny +finished +300 +trainLoss=0\\.2309 valLoss=0\\.2425 lr=3e-4 `));
  assert.equal(lines.length, 3);
  assert.equal((await run(home, ['runs', '--kind', 'pretrain'])).trimEnd().split('\n').length, 2);
  assert.equal((await run(home, ['runs', 'list', '--limit', '1'])).trimEnd().split('\n').length, 2);
  const json = JSON.parse(await run(home, ['runs', '--json'])) as { id: string; parentRunId: string | null }[];
  assert.deepEqual(json.map((r) => [r.id, r.parentRunId]), [[ft, base], [base, null]]);
  await assert.rejects(run(home, ['runs', '--limit', '0']), (e: Error) => e instanceof UserError && /--limit must be/.test(e.message));
}));

test('moxing runs show: by prefix; lineage, metrics, config, artifacts, models; --json; unknown ids', withHome(async (home) => {
  const { base, ft } = fixture(home);
  const text = await run(home, ['runs', 'show', base.slice(0, 5)]);
  assert.match(text, new RegExp(`^run ${base}  pretrain  tiny\n  status +finished\n`));
  assert.match(text, new RegExp(`children +${ft} \\(finetune\\)`));
  assert.match(text, /\n  trainLoss +0\.2309 +300 +1-300\n/);
  assert.match(text, /\n  valLoss +0\.2425 +6 +50-300\n/);
  assert.match(text, /\nconfig\n  \{\n    "lr": 0\.0003,/);
  assert.match(text, /model\.bin +checkpoint +3 B +ba7816bf8f01cfea\n/); // sha256('abc')
  assert.match(text, /registered models\n  moxing-tiny v1 /);
  const shown = JSON.parse(await run(home, ['runs', 'show', ft, '--json'])) as { run: { parentRunId: string; status: string }; metrics: unknown[] };
  assert.deepEqual([shown.run.parentRunId, shown.run.status, shown.metrics.length], [base, 'failed', 1]);
  await assert.rejects(run(home, ['runs', 'show', 'zzzz']), (e: Error) => e instanceof UserError && /no run "zzzz"/.test(e.message));
}));

test('moxing models: every version or the latest, --name, --json', withHome(async (home) => {
  assert.match(await run(home, ['models']), /^no registered models in /);
  const { base } = fixture(home);
  const lines = (await run(home, ['models'])).trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME +VERSION +KIND +METRICS +RUN +CREATED +PATH$/);
  assert.match(lines[1]!, new RegExp(`^moxing-tiny +1 +gpt +valLoss=0\\.2425 +${base} +.* /.*model\\.bin$`));
  const json = JSON.parse(await run(home, ['models', '--json', '--latest', '--name', 'moxing-tiny'])) as { version: number }[];
  assert.deepEqual(json.map((m) => m.version), [1]);
  assert.match(await run(home, ['models', '--name', 'other']), /^no registered models named other/);
}));

test('moxing plot: a run to PNG and SVG, a metrics.jsonl, several sources, bad input', withHome(async (home) => {
  const { base, ft } = fixture(home);
  const png = join(home, 'loss.png');
  assert.match(await run(home, ['plot', base, '--out', png]), /^wrote .*loss\.png: trainLoss, valLoss \(306 points\)\n$/);
  assert.deepEqual([...readFileSync(png).subarray(1, 4)], [0x50, 0x4e, 0x47]); // 'PNG'

  const svg = join(home, 'lr.svg');
  await run(home, ['plot', base.slice(0, 4), '--metric', 'lr', '--out', svg, '--title', 'learning rate']);
  assert.match(readFileSync(svg, 'utf8'), />learning rate<\/text>/);

  const jsonl = join(home, 'metrics.jsonl');
  writeFileSync(jsonl, ['{"step":1,"trainLoss":3,"lr":0.1,"elapsedSeconds":1}', '{"step":2,"trainLoss":2.5,"valLoss":2.7,"lr":0.1,"elapsedSeconds":2}', ''].join('\n'));
  assert.match(await run(home, ['plot', jsonl, base, '--out', svg, '--log-y']),
    new RegExp(`: metrics\\.jsonl: trainLoss, metrics\\.jsonl: valLoss, ${base}: trainLoss, ${base}: valLoss \\(309 points\\)`));

  const rejects = (args: string[], re: RegExp) => assert.rejects(run(home, args), (e: Error) => e instanceof UserError && re.test(e.message));
  await rejects(['plot', base, '--out', join(home, 'x.jpg')], /--out must end in \.png or \.svg/);
  await rejects(['plot', 'nope', '--out', svg], /no run "nope"/);
  await rejects(['plot', ft, '--metric', 'missing', '--out', svg], /nothing to plot/);
  await rejects(['plot', base, '--out', svg, '--width', '-3'], /--width must be a positive number/);
  await rejects(['plot', base, '--out', join(home, 'no', 'dir', 'x.svg')], /x\.svg: its folder .*dir does not exist/);
  // A run directory stands for its metrics.jsonl; a path that names nothing is a missing file, not a run id.
  const runDir = join(home, 'run-a');
  mkdirSync(runDir);
  writeFileSync(join(runDir, 'metrics.jsonl'), readFileSync(jsonl));
  assert.match(await run(home, ['plot', runDir, jsonl, '--out', svg]), /: run-a: trainLoss, run-a: valLoss, metrics\.jsonl: trainLoss, metrics\.jsonl: valLoss \(6 points\)/);
  const emptyDir = join(home, 'empty-dir');
  mkdirSync(emptyDir);
  await rejects(['plot', emptyDir, '--out', svg], /empty-dir: a directory without metrics\.jsonl/);
  await rejects(['plot', join(home, 'nope.jsonl'), '--out', svg], /nope\.jsonl: no such file \(plot reads metrics\.jsonl files, run directories and tracked run ids\)/);
  writeFileSync(jsonl, 'oops\n');
  await rejects(['plot', jsonl, '--out', svg], /metrics\.jsonl:1: not JSON/);
  assert.equal(existsSync(join(home, 'x.jpg')), false);
}));

test('moxing plot: a run id with no tracking database is a clear error, and creates none', withHome(async (home) => {
  const empty = join(home, 'empty');
  await assert.rejects(run(empty, ['plot', 'abc', '--out', join(home, 'x.svg')]), /neither a file nor a tracked run/);
  assert.equal(existsSync(empty), false);
}));
