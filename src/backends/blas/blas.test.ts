// BLAS discovery: MOXING_BLAS first, then common names; a missing library is reported, not thrown.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { candidateLibraries, loadBlas } from './library.js';
import { createBlasBackend } from './index.js';
import { execFileSync } from 'node:child_process';

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

/** The backend, or null with the test skipped (a failure on CI, which installs OpenBLAS). */
function blasOrSkip(t: TestContext): ReturnType<typeof createBlasBackend> {
  const blas = createBlasBackend();
  if (blas) return blas;
  if (process.env.CI) assert.fail('CI installs libopenblas0-pthread');
  t.skip('no BLAS on this machine');
  return null;
}

test('sgemm and dgemm through the backend, with offsets and transposes', (t) => {
  const blas = blasOrSkip(t);
  if (!blas) return;
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

test('one-column and one-row products (the GEMV path) equal a plain loop: transposes, offsets, batches, accumulation', (t) => {
  const blas = blasOrSkip(t);
  if (!blas) return;
  assert.ok(blas.library.dgemv && blas.library.sgemv, 'OpenBLAS has cblas_?gemv');
  // out[b] (m x n) = op(A_b) op(B_b), op(A) (m x k): the reference reads A and B by their layouts.
  const reference = (a: Float64Array, bm: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean, aOff: number, bOff: number, out: Float64Array, acc: boolean): void => {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += a[aOff + (transA ? l * m + i : i * k + l)]! * bm[bOff + (transB ? j * k + l : l * n + j)]!;
      out[i * n + j] = (acc ? out[i * n + j]! : 0) + s;
    }
  };
  const shapes = [[700, 1, 37], [1, 650, 41], [1, 1, 9000]] as const;
  let seed = 1;
  const rand = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; };
  for (const Arr of [Float64Array, Float32Array]) {
    // Batches of 2 (each its own A and B, or one A or one B shared by both) and of 1; an output that
    // is not accumulated into starts as NaN, which must be overwritten, not scaled by 0.
    const batches = [[2, true, true], [2, false, true], [2, true, false], [1, true, true]] as const;
    for (const [m, n, k] of shapes) for (const transA of [false, true]) for (const transB of [false, true]) for (const accumulate of [false, true]) for (const [batch, ownA, ownB] of batches) {
      const aOffset = 3, bOffset = 5;
      const aStride = ownA ? m * k : 0, bStride = ownB ? k * n : 0;
      const a = Float64Array.from({ length: aOffset + batch * m * k }, rand);
      const bm = Float64Array.from({ length: bOffset + batch * k * n }, rand);
      const start = accumulate ? Float64Array.from({ length: batch * m * n }, rand) : new Float64Array(batch * m * n).fill(NaN);
      const out = Arr.from(start);
      const ok = blas.kernels.matmul!(Arr.from(a), Arr.from(bm), out, {
        batch, m, n, k, transA, transB, aOffset, bOffset, aBatchStride: aStride, bBatchStride: bStride, accumulate,
      });
      const what = `${Arr.name} m=${m} n=${n} k=${k} transA=${transA} transB=${transB} accumulate=${accumulate} batch=${batch} strides ${aStride}/${bStride}`;
      // One row times a transposed B, alone, is left to the next backend (wasm's GEMV).
      if (batch === 1 && m === 1 && transB && !transA) { assert.equal(ok, false, what); continue; }
      assert.ok(ok, what);
      for (let bi = 0; bi < batch; bi++) {
        const want = Float64Array.from(start.subarray(bi * m * n, (bi + 1) * m * n));
        reference(a, bm, m, n, k, transA, transB, aOffset + bi * aStride, bOffset + bi * bStride, want, accumulate);
        const got = out.subarray(bi * m * n, (bi + 1) * m * n);
        const tol = Arr === Float32Array ? 2e-3 : 1e-10;
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}, batch ${bi}, [${i}]: ${got[i]} against ${want[i]}`);
      }
    }
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

test('MOXING_THREADS sets the BLAS threads as well as the wasm pool (as setThreads does); without it BLAS keeps its own', (t) => {
  const blas = blasOrSkip(t);
  if (!blas) return;
  if (!blas.library.getThreads) {
    t.skip(`${blas.library.path} does not say its thread count`);
    return;
  }
  // A child process: the thread count is read once, when the backends start. OPENBLAS_NUM_THREADS=2
  // is OpenBLAS's own default on two cores, which MOXING_THREADS must override.
  const script = "import { initBackends, getThreads } from './src/backends/index.ts'; const { blas } = initBackends(); console.log(JSON.stringify({ moxing: getThreads(), blas: blas?.library.getThreads?.() ?? null }));";
  const run = (env: Record<string, string | undefined>): unknown => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    return JSON.parse(out.trim().split('\n').at(-1)!);
  };
  assert.deepEqual(run({ MOXING_THREADS: '1', OPENBLAS_NUM_THREADS: '2' }), { moxing: 1, blas: 1 });
  assert.equal((run({ MOXING_THREADS: undefined, OPENBLAS_NUM_THREADS: '1' }) as { blas: number }).blas, 1);
  assert.equal((run({ MOXING_THREADS: 'abc', OPENBLAS_NUM_THREADS: '1' }) as { blas: number }).blas, 1); // not a count: ignored
});
