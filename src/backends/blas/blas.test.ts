// BLAS discovery: MOXING_BLAS first, then common names; a missing library is reported, not thrown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateLibraries, loadBlas } from './library.js';
import { createBlasBackend } from './index.js';

test('MOXING_BLAS is tried before the common names', () => {
  const saved = process.env.MOXING_BLAS;
  process.env.MOXING_BLAS = '/opt/custom/libblas.so';
  try {
    assert.equal(candidateLibraries()[0], '/opt/custom/libblas.so');
  } finally {
    if (saved === undefined) delete process.env.MOXING_BLAS;
    else process.env.MOXING_BLAS = saved;
  }
  if (process.platform === 'linux') assert.ok(candidateLibraries().includes('libopenblas.so.0'));
});

test('libraries that are missing or lack cblas_sgemm are skipped with a reason', () => {
  const r = loadBlas(['/nonexistent/libopenblas.so', 'libc.so.6']);
  assert.ok('errors' in r);
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0], /nonexistent/);
});

test('a bad MOXING_BLAS falls through to the next library', (t) => {
  const r = loadBlas(['/nonexistent/libopenblas.so', ...candidateLibraries()]);
  if ('errors' in r) {
    t.skip('no BLAS on this machine');
    return;
  }
  assert.notEqual(r.path, '/nonexistent/libopenblas.so');
});

test('sgemm and dgemm through the backend, with offsets and transposes', (t) => {
  const blas = createBlasBackend();
  if (!blas) {
    if (process.env.CI) assert.fail('CI installs libopenblas0-pthread');
    t.skip('no BLAS on this machine');
    return;
  }
  // (2x3) @ (3x2) with A read at offset 1 and B given transposed (2x3):
  // A = [[1,2,3],[4,5,6]], B^T = [[1,0,1],[0,1,0]] -> A B = [[4,2],[10,5]]; 1000 copies pass the size cut-off.
  for (const Arr of [Float32Array, Float64Array]) {
    const batch = 1000;
    const a = new Arr(1 + 6 * batch), b = new Arr(6), out = new Arr(4 * batch);
    for (let i = 0; i < batch; i++) a.set([1, 2, 3, 4, 5, 6], 1 + 6 * i);
    b.set([1, 0, 1, 0, 1, 0]);
    const ok = blas.kernels.matmul!(a, b, out, {
      batch, m: 2, n: 2, k: 3, transA: false, transB: true, aOffset: 1, bOffset: 0,
      aBatchStride: 6, bBatchStride: 0, accumulate: false,
    });
    assert.ok(ok);
    assert.deepEqual([...out.subarray(0, 4)], [4, 2, 10, 5]);
    assert.deepEqual([...out.subarray(4 * batch - 4)], [4, 2, 10, 5]);
  }
});

test('loading sets the OpenBLAS spin timeout for the library only: the environment is left as it was', () => {
  const before = process.env.OPENBLAS_THREAD_TIMEOUT;
  try {
    delete process.env.OPENBLAS_THREAD_TIMEOUT;
    loadBlas(['/nonexistent/libopenblas.so']);
    assert.equal(process.env.OPENBLAS_THREAD_TIMEOUT, undefined);
    process.env.OPENBLAS_THREAD_TIMEOUT = '28';
    loadBlas(['/nonexistent/libopenblas.so']);
    assert.equal(process.env.OPENBLAS_THREAD_TIMEOUT, '28');
  } finally {
    if (before === undefined) delete process.env.OPENBLAS_THREAD_TIMEOUT;
    else process.env.OPENBLAS_THREAD_TIMEOUT = before;
  }
});
