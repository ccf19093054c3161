// The wasm kernels with and without relaxed SIMD: the conformance suite in a child node per mode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const suite = fileURLToPath(new URL('../conformance.test.ts', import.meta.url));

function runSuite(flags: string[], env: Record<string, string>): { status: number | null; output: string } {
  // Run the file itself (not --test): inside a test run, a nested --test would report to the parent.
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', suite], {
    encoding: 'utf8',
    env: childEnv,
    timeout: 240_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  return { status: /^# pass [1-9]/m.test(output) ? r.status : -1, output };
}

test('wasm kernels with relaxed-SIMD FMA (--experimental-wasm-relaxed-simd) match js', () => {
  const { status, output } = runSuite(['--experimental-wasm-relaxed-simd'], { MOXING_EXPECT_RELAXED: '1' });
  assert.equal(status, 0, output.slice(-4000));
});

test('wasm kernels fall back to plain SIMD when relaxed SIMD is off (MOXING_WASM_RELAXED=0)', () => {
  const { status, output } = runSuite(['--experimental-wasm-relaxed-simd'], { MOXING_EXPECT_RELAXED: '0', MOXING_WASM_RELAXED: '0' });
  assert.equal(status, 0, output.slice(-4000));
});
