// The wasm runtime: range splitting, the worker pool's join, and a trap in a worker surfacing as an error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitRange } from './runtime.js';
import { createWasmBackend } from './index.js';

test('splitRange covers [0, n) with aligned starts and no empty parts', () => {
  assert.deepEqual(splitRange(10, 2, 4), [[0, 8], [8, 10]]);
  assert.deepEqual(splitRange(3, 4), [[0, 1], [1, 2], [2, 3]]);
  for (const [n, parts, align] of [[1000, 3, 16], [7, 2, 1], [5, 8, 4], [0, 2, 1]]) {
    const r = splitRange(n, parts, align);
    let next = 0;
    for (const [s, e] of r) {
      assert.equal(s, next);
      assert.ok(e > s && (s % align === 0));
      next = e;
    }
    assert.equal(next, n);
  }
});

test('two threads give the single-thread result and the pool joins every call', () => {
  const wasm = createWasmBackend();
  const n = 300_001;
  const x = wasm.alloc('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) x[i] = (i % 97) / 10 - 5;
  const one = wasm.alloc('float32', n) as Float32Array;
  const two = wasm.alloc('float32', n) as Float32Array;
  wasm.runtime.setThreads(1);
  assert.ok(wasm.kernels.unary!('gelu', x, one));
  wasm.runtime.setThreads(2);
  for (let rep = 0; rep < 200; rep++) {
    two.fill(0);
    assert.ok(wasm.kernels.unary!('gelu', x, two));
    assert.equal(two[n - 1], one[n - 1]);
  }
  assert.deepEqual(two, one);
});

test('a kernel that traps in a worker throws on the caller instead of hanging', () => {
  const wasm = createWasmBackend();
  wasm.runtime.setThreads(2);
  if (wasm.runtime.threadsFor(1 << 20, 1) < 2) return; // one core: no workers to test
  const bad = 2 ** 32 - 64; // out of bounds: the worker's unary traps
  const x = wasm.alloc('float32', 64) as Float32Array;
  const px = wasm.runtime.heap.addressOf(x);
  assert.throws(() => wasm.runtime.run('unary', [[0, px, px, 16], [0, bad, bad, 16]]), /trapped in a worker/);
  // The pool still works afterwards.
  assert.ok(wasm.kernels.unary!('neg', x, x));
});
