// The op test suite (tensor, ops, nn, optim) run again on each fast backend, in a child node per backend.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackends } from './index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SUITE_DIRS = ['src/tensor', 'src/ops', 'src/nn', 'src/optim'];
const files = SUITE_DIRS.flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).filter((f) => f.endsWith('.test.ts')).map((f) => join(d, f)) : []);
const preload = './src/backends/test-use-backend.ts';

const { wasm, blas } = initBackends();

for (const [name, backend] of [['wasm', wasm], ['blas', blas]] as const) {
  test(`op suite on MOXING_BACKEND=${name}`, (t) => {
    if (!backend) {
      if (name === 'blas' && process.env.CI) assert.fail('no BLAS library on CI');
      t.skip(`${name} not available here`);
      return;
    }
    const env: Record<string, string | undefined> = { ...process.env, MOXING_BACKEND: name };
    // A nested run reports to its own stdout, not to this test runner.
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', preload, '--test', ...files], {
      cwd: root, encoding: 'utf8', env, timeout: 600_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    assert.match(output, /^# pass [1-9]/m, output.slice(-3000));
    assert.equal(r.status, 0, output.slice(-6000));
  });
}
