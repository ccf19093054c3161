// `moxing bench matmul --json`: one JSON object per line with exactly the documented keys.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { registerBench } from './bench.js';
import { captureIo } from '../io.js';
import { initBackends } from '../../backends/index.js';

test('bench matmul --json prints {"bench","backend","n","threads","gflops"} per backend, size and thread count', async () => {
  initBackends(); // as main() does
  const program = new Command().exitOverride();
  const io = captureIo();
  registerBench(program, io);
  await program.parseAsync(['bench', 'matmul', '--json', '--sizes', '32,40', '--threads', '1,2', '--min-seconds', '0'], { from: 'user' });
  const rows = io.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const backends = [...new Set(rows.map((r) => r.backend))];
  assert.ok(backends.includes('js') && backends.includes('wasm'), `backends: ${backends.join(', ')}`);
  assert.equal(rows.length, backends.length * 2 * 2);
  for (const r of rows) {
    assert.deepEqual(Object.keys(r), ['bench', 'backend', 'n', 'threads', 'gflops']);
    assert.equal(r.bench, 'matmul');
    assert.ok(typeof r.gflops === 'number' && r.gflops >= 0);
  }
});

test('bench matmul: a bad --min-seconds or list is a clear error that names the flag, before any run', async () => {
  const make = () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    registerBench(program, captureIo());
    program.commands.forEach((c) => c.configureOutput({ writeErr: () => undefined }).commands.forEach((s) => s.exitOverride().configureOutput({ writeErr: () => undefined })));
    return program;
  };
  await assert.rejects(make().parseAsync(['bench', 'matmul', '--min-seconds', 'abc'], { from: 'user' }), /--min-seconds <s>' argument 'abc' is invalid/);
  await assert.rejects(make().parseAsync(['bench', 'matmul', '--min-seconds', '-1'], { from: 'user' }), /argument '-1' is invalid/);
  await assert.rejects(make().parseAsync(['bench', 'matmul', '--sizes', '2,0'], { from: 'user' }), /--sizes expects a comma-separated list of positive integers, got '2,0'/);
});
