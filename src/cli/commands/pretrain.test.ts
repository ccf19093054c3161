// The GPT commands end to end in child processes: kill -9 mid-run and resume reproduces the
// uninterrupted curve; bad input gives one clear line and leaves checkpoints intact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'moxing-cli-gpt-'));
const env = { ...process.env, MOXING_TRACKING: '0', MOXING_HOME: join(root, 'home') };
// Children run in a temp dir: point --import at tsx's loader by URL, not by package name.
const cli = [process.execPath, '--import', import.meta.resolve('tsx'), join(process.cwd(), 'scripts', 'moxing-dev.ts')];

function moxing(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cli[0], [...cli.slice(1), ...args], { cwd: root, env, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. '.repeat(300);
writeFileSync(join(root, 'corpus.txt'), text);
writeFileSync(join(root, 'other.txt'), '静夜思 床前明月光，疑是地上霜。举头望明月，低头思故乡。'.repeat(200));
const shape = ['--n-layer', '1', '--n-head', '2', '--n-embd', '16', '--block-size', '16', '--batch-size', '4', '--eval-every', '3', '--eval-iters', '2', '--warmup-steps', '2', '--dropout', '0.1'];
const curve = (dir: string) => readFileSync(join(root, dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; trainLoss: number; valLoss?: number });

test('setup: tokenizer and data', () => {
  let r = moxing('tokenizer', 'train', 'corpus.txt', '--vocab-size', '280', '--special', '<|endoftext|>', '--out', 'tok.json');
  assert.equal(r.code, 0, r.stderr);
  r = moxing('data', 'prepare', 'corpus.txt', '--tokenizer', 'tok.json', '--out', 'data');
  assert.equal(r.code, 0, r.stderr);
  r = moxing('tokenizer', 'train', 'other.txt', '--vocab-size', '270', '--out', 'tok2.json');
  r = moxing('data', 'prepare', 'other.txt', '--tokenizer', 'tok2.json', '--out', 'data2');
  assert.equal(r.code, 0, r.stderr);
});

test('kill -9 between checkpoints, then train --resume: the same curve as an uninterrupted run', async () => {
  const full = moxing('pretrain', '--data', 'data', ...shape, '--max-steps', '30', '--out', 'full', '--json');
  assert.equal(full.code, 0, full.stderr);
  const last = JSON.parse(full.stdout.trim().split('\n').pop()!) as Record<string, number>;
  assert.deepEqual(Object.keys(last).sort(), ['step', 'tokensPerSecond', 'trainLoss', 'valLoss']);
  assert.equal(last.step, 30);

  // The kill must land between the checkpoint at step 12 and the end of the run: about 80 ms of steps
  // here, watched by a 5 ms poll. A parent kept off the cpu that long on a loaded machine sees the
  // run finish first (checkpoint at step 30), so that try is run again, three at most.
  let state = { step: 30 };
  for (let attempt = 0; attempt < 3 && state.step >= 30; attempt++) {
    rmSync(join(root, 'killed'), { recursive: true, force: true });
    const child = spawn(cli[0], [...cli.slice(1), 'pretrain', '--data', 'data', ...shape, '--max-steps', '30', '--out', 'killed'], { cwd: root, env, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r)); // listened to now: it may exit before the kill
    const metrics = join(root, 'killed', 'metrics.jsonl');
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const timer = setInterval(() => {
        const lines = existsSync(metrics) ? readFileSync(metrics, 'utf8').trim().split('\n').filter(Boolean).length : 0;
        if (lines >= 14) { child.kill('SIGKILL'); clearInterval(timer); resolve(); }
        else if (Date.now() > deadline) { child.kill('SIGKILL'); clearInterval(timer); reject(new Error('the run did not progress')); }
      }, 5);
    });
    await exited;
    state = JSON.parse(readFileSync(join(root, 'killed', 'state.json'), 'utf8')) as { step: number };
  }
  assert.ok(state.step % 3 === 0 && state.step >= 12 && state.step < 30, `checkpoint at step ${state.step}`);
  const resumed = moxing('train', '--resume', 'killed', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  const a = curve('full');
  const b = curve('killed');
  assert.deepEqual(b.map((m) => m.step), a.map((m) => m.step));
  b.forEach((m, i) => assert.ok(Math.abs(m.trainLoss - a[i].trainLoss) <= 1e-5, `step ${m.step}: ${m.trainLoss} vs ${a[i].trainLoss}`));
});

test('train --resume on a finished run says there is nothing to train, and prints the recorded losses', () => {
  const last = curve('full').at(-1)!;
  const r = moxing('train', '--resume', 'full', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /the run is already at its last step \(30\): nothing to train \(a --max-steps above 30 continues it\)/);
  const j = JSON.parse(r.stdout) as { step: number; trainLoss: number; tokensPerSecond: number };
  assert.deepEqual([j.step, j.trainLoss, j.tokensPerSecond], [30, last.trainLoss, 0]);
  const below = moxing('train', '--resume', 'full', '--max-steps', '12');
  assert.equal(below.code, 0, below.stderr);
  assert.match(below.stderr, /already at its last step \(30\)/);
});

test('bad input: one clear line, non-zero exit, existing checkpoints untouched', () => {
  const before = readFileSync(join(root, 'full', 'model.safetensors'));
  const cases: Array<[string[], RegExp]> = [
    [['pretrain', '--data', 'nope', ...shape, '--max-steps', '2', '--out', 'x1'], /nope: data directory not found/],
    [['pretrain', '--data', 'data', '--preset', 'micro', '--block-size', '4096', '--max-steps', '2', '--out', 'x2'], /block size 4096 is over the 'micro' preset's limit of 128/],
    [['pretrain', '--data', 'data2', '--init-from', 'full', '--max-steps', '2', '--out', 'x3'], /prepared with a different tokenizer/],
    [['pretrain', '--data', 'data', ...shape, '--max-steps', '2', '--out', 'full'], /already holds a run/],
    [['pretrain', '--data', 'data', ...shape, '--max-steps', 'many', '--out', 'x4'], /expected a positive integer, got 'many'/],
    [['pretrain', '--data', 'data', ...shape, '--max-steps', '2', '--precision', 'bf16', '--out', 'x5'], /expected fp32 or mixed, got 'bf16'/],
    [['pretrain', '--data', 'data', ...shape, '--out', 'x6'], /pretrain needs --max-steps <n>, --time-budget <minutes>, or both/],
    [['pretrain', '--data', 'data', ...shape, '--time-budget', '0', '--out', 'x7'], /expected a number > 0, got '0'/],
    [['generate', '--model', 'nowhere', 'hello'], /model 'nowhere' not found/],
  ];
  for (const [args, message] of cases) {
    const r = moxing(...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, message);
    assert.ok(!r.stderr.includes('    at '), `no stack trace: ${r.stderr}`);
  }
  cpSync(join(root, 'full'), join(root, 'corrupt'), { recursive: true });
  writeFileSync(join(root, 'corrupt', 'model.safetensors'), before.subarray(0, 64));
  const r = moxing('train', '--resume', 'corrupt', '--max-steps', '40');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /corrupt.*model\.safetensors/);
  assert.deepEqual(readFileSync(join(root, 'full', 'model.safetensors')), before);
});

test('pretrain --time-budget: the steps that fit, said on stderr, and the run ends there', () => {
  const r = moxing('pretrain', '--data', 'data', ...shape, '--time-budget', '0.03', '--out', 'budget', '--json');
  assert.equal(r.code, 0, r.stderr);
  const m = /time budget 1\.8 s: (\d+) steps \([\d.]+ s a step, [\d.]+ s an evaluation and checkpoint; timed at step (\d+), [\d.]+ s in\)/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const planned = Number(m[1]);
  assert.ok(planned >= Number(m[2]));
  assert.equal((JSON.parse(r.stdout.trim().split('\n').pop()!) as { step: number }).step, planned);
  assert.equal(curve('budget').length, planned);
  assert.equal((JSON.parse(readFileSync(join(root, 'budget', 'config.json'), 'utf8')) as { train: { maxSteps: number } }).train.maxSteps, planned);
});

test('generate streams a completion; --json gives text, tokens and tokens/s; same seed, same text', () => {
  const a = moxing('generate', '--model', 'full', 'It is a truth', '--max-new-tokens', '12', '--seed', '3', '--json');
  assert.equal(a.code, 0, a.stderr);
  const ja = JSON.parse(a.stdout) as { text: string; tokens: number[]; tokensPerSecond: number };
  assert.ok(ja.tokens.length > 0 && ja.tokens.length <= 12 && ja.tokensPerSecond > 0);
  const b = moxing('generate', '--model', 'full', 'It is a truth', '--max-new-tokens', '12', '--seed', '3');
  assert.equal(b.stdout, `${ja.text}\n`);
  const greedy = moxing('generate', '--model', 'full', 'It is a truth', '--max-new-tokens', '8', '--temperature', '0', '--json');
  const again = moxing('generate', '--model', 'full', 'It is a truth', '--max-new-tokens', '8', '--temperature', '0', '--seed', '9', '--json');
  assert.equal((JSON.parse(greedy.stdout) as { text: string }).text, (JSON.parse(again.stdout) as { text: string }).text);
});

test('--precision mixed on the cpu: loss scaling by a power of two leaves the curve as fp32 gives it', () => {
  const r = moxing('pretrain', '--data', 'data', ...shape, '--max-steps', '6', '--precision', 'mixed', '--out', 'mixed', '--json');
  assert.equal(r.code, 0, r.stderr);
  const f = moxing('pretrain', '--data', 'data', ...shape, '--max-steps', '6', '--out', 'fp32', '--json');
  assert.equal(f.code, 0, f.stderr);
  const [m, p] = [curve('mixed'), curve('fp32')];
  assert.equal(m.length, 6);
  m.forEach((s, i) => assert.ok(Math.abs(s.trainLoss - p[i]!.trainLoss) <= 1e-6, `step ${s.step}: ${s.trainLoss} vs ${p[i]!.trainLoss}`));
  const config = JSON.parse(readFileSync(join(root, 'mixed', 'config.json'), 'utf8')) as { train: { precision: string } };
  assert.equal(config.train.precision, 'mixed');
});

test('finetune --soup 2 prints each member\'s accuracy beside the soup\'s; --soup 0 is refused', () => {
  const rows = ['review,score'];
  for (let i = 0; i < 40; i++) rows.push(i % 2 ? `a truth universally acknowledged ${i},great` : `in want of a wife ${i},other`);
  writeFileSync(join(root, 'reviews.csv'), `${rows.join('\n')}\n`);
  const args = ['finetune', '--from', 'full', '--task', 'classify', '--data', 'reviews.csv', '--text-col', 'review', '--label-col', 'score', '--epochs', '1', '--batch-size', '8', '--lr', '1e-3'];
  const r = moxing(...args, '--soup', '2', '--out', 'soup', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { accuracy: number; memberAccuracy: number[] };
  assert.equal(j.memberAccuracy.length, 2);
  // Progress on stderr with --json too: plain lines off a terminal, through both members' steps.
  assert.match(r.stderr, /^step 1\/10 loss \d+\.\d{4}$/m);
  assert.match(r.stderr, /^step 10\/10 loss \d+\.\d{4}$/m);
  assert.ok(j.accuracy >= 0 && j.accuracy <= 1);
  const text = moxing(...args, '--soup', '2', '--out', 'soup-text');
  assert.match(text.stdout, /the average of 2 members, which alone scored \d\.\d{4}, \d\.\d{4}\); saved /);
  const bad = moxing(...args, '--soup', '0', '--out', 'soup-bad');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /option '--soup <n>' argument '0' is invalid/);
  assert.ok(!existsSync(join(root, 'soup-bad')));
});

test('finetune reads the columns eval reads by default: question, answer (qa) and text, label (classify)', () => {
  const rows = ['question,answer'];
  for (let i = 0; i < 12; i++) rows.push(`Who is number ${i}?,Emma ${i}`);
  writeFileSync(join(root, 'qa-default.csv'), `${rows.join('\n')}\n`);
  const qa = moxing('finetune', '--from', 'full', '--task', 'qa', '--data', 'qa-default.csv', '--epochs', '1', '--batch-size', '4', '--out', 'qa-default', '--json');
  assert.equal(qa.code, 0, qa.stderr);
  assert.equal((JSON.parse(qa.stdout) as { task: string }).task, 'qa');
  // classify-only settings are refused for qa, not ignored, and nothing is written
  const soupQa = moxing('finetune', '--from', 'full', '--task', 'qa', '--data', 'qa-default.csv', '--soup', '2', '--freeze-body', '--out', 'qa-soup');
  assert.equal(soupQa.code, 1);
  assert.match(soupQa.stderr, /--soup, --freeze-body: classify only/);
  assert.ok(!existsSync(join(root, 'qa-soup')));
  // reviews.csv (the soup test's) has review and score: the default names are not there, and the message says so.
  const clf = moxing('finetune', '--from', 'full', '--task', 'classify', '--data', 'reviews.csv', '--out', 'clf-default');
  assert.notEqual(clf.code, 0);
  assert.match(clf.stderr, /--text-col text: unknown column 'text'; columns are: review, score/);
  assert.ok(!existsSync(join(root, 'clf-default')));
});

test('merge averages runs into a classifier that classify reads; one run is refused in one line', () => {
  const r = moxing('merge', 'soup', 'soup-text', '--out', 'merged', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { task: string }).task, 'classify');
  const c = moxing('classify', '--model', 'merged', 'a truth universally acknowledged', '--json');
  assert.equal(c.code, 0, c.stderr);
  assert.ok(['great', 'other'].includes((JSON.parse(c.stdout) as { label: string }).label));
  const bad = moxing('merge', 'soup', '--out', 'merged-bad');
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'moxing: merge needs at least two runs to average (got 1)\n');
});
