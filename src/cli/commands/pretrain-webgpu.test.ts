// 50 steps of `pretrain --preset nano` on webgpu (SwiftShader here and in CI) and on the cpu, same
// seed: the same losses within 1e-3, through the real CLI in child processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWebGpu } from '../../backends/webgpu/index.js';

const root = mkdtempSync(join(tmpdir(), 'moxing-cli-webgpu-'));
const env = { ...process.env, MOXING_TRACKING: '0', MOXING_HOME: join(root, 'home'), MOXING_WEBGPU: 'off' };
const cli = [process.execPath, '--import', import.meta.resolve('tsx'), join(process.cwd(), 'scripts', 'moxing-dev.ts')];

function moxing(extraEnv: Record<string, string>, ...args: string[]): { code: number; stderr: string } {
  const r = spawnSync(cli[0]!, [...cli.slice(1), ...args], { cwd: root, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  return { code: r.status ?? -1, stderr: r.stderr };
}

const curve = (dir: string) => readFileSync(join(root, dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; trainLoss: number });

test('pretrain --preset nano: 50 steps on webgpu give the cpu losses within 1e-3', async (t) => {
  const { backend, reason } = await initWebGpu({ mode: 'swiftshader' });
  if (!backend) {
    if (process.env.CI) throw new Error(`no WebGPU adapter on CI: ${reason}`);
    t.skip(`no WebGPU adapter: ${reason}`);
    return;
  }
  const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. However little known the feelings or views of such a man may be on his first entering a neighbourhood. '.repeat(400);
  writeFileSync(join(root, 'corpus.txt'), text);
  let r = moxing({}, 'tokenizer', 'train', 'corpus.txt', '--vocab-size', '300', '--special', '<|endoftext|>', '--out', 'tok.json');
  assert.equal(r.code, 0, r.stderr);
  r = moxing({}, 'data', 'prepare', 'corpus.txt', '--tokenizer', 'tok.json', '--out', 'data');
  assert.equal(r.code, 0, r.stderr);
  const args = ['pretrain', '--data', 'data', '--preset', 'nano', '--batch-size', '8', '--max-steps', '50', '--eval-every', '50', '--eval-iters', '2', '--seed', '3'];
  r = moxing({}, ...args, '--out', 'cpu');
  assert.equal(r.code, 0, r.stderr);
  r = moxing({ MOXING_BACKEND: 'webgpu', MOXING_WEBGPU: 'swiftshader' }, ...args, '--out', 'gpu');
  assert.equal(r.code, 0, r.stderr);
  const [a, b] = [curve('cpu'), curve('gpu')];
  assert.equal(b.length, 50);
  b.forEach((m, i) => assert.ok(Math.abs(m.trainLoss - a[i]!.trainLoss) <= 1e-3, `step ${m.step}: webgpu ${m.trainLoss} vs cpu ${a[i]!.trainLoss}`));
  assert.ok(b[49]!.trainLoss < b[0]!.trainLoss, 'the loss fell');
});
