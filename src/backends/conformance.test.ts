// Every kernel of every available fast backend against the js reference, on 1 and 2 threads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackends, setThreads } from './index.js';
import { conformanceCases } from './test-conformance.js';
import { wasmBuildDir } from './wasm/module.js';

test('the wasm kernels are built (npm run build)', () => {
  const path = join(wasmBuildDir(), 'kernels.wasm');
  assert.ok(existsSync(path), `missing ${path}: run \`npm run build\` first`);
});

const { wasm, blas } = initBackends();
const expectRelaxed = process.env.MOXING_EXPECT_RELAXED;

test('wasm backend loads with the expected SIMD build', () => {
  assert.ok(wasm, 'the wasm backend failed to load (MOXING_DEBUG=1 says why)');
  if (expectRelaxed !== undefined) assert.equal(wasm.runtime.relaxed, expectRelaxed === '1');
});

test('blas backend loads where a BLAS is installed', (t) => {
  if (!blas) {
    // CI installs libopenblas0-pthread, so there a missing BLAS is a failure.
    if (process.env.CI) assert.fail('no BLAS library found on CI (MOXING_DEBUG=1 says why)');
    t.skip('no BLAS library on this machine');
    return;
  }
  assert.ok(blas.library.path);
});

for (const backend of [wasm, blas]) {
  if (!backend) continue;
  for (const threads of [1, 2]) {
    test(`${backend.name} kernels match js (${threads} thread${threads > 1 ? 's' : ''})`, async (t) => {
      setThreads(threads);
      let checked = 0;
      for (const c of conformanceCases()) {
        if (!backend.kernels[c.kernel]) continue;
        await t.test(c.name, () => {
          const result = c.run(backend);
          // wasm must take every in-heap float32 call; blas hands tiny products on by design.
          if (backend.name === 'wasm') assert.equal(result, 'ok', `${c.name} was not handled`);
          if (result === 'ok') checked++;
        });
      }
      assert.ok(checked > 0);
    });
  }
}

test('without --experimental-wasm-relaxed-simd Node 20 gets the plain SIMD build', (t) => {
  if (expectRelaxed !== undefined || process.execArgv.includes('--experimental-wasm-relaxed-simd')) {
    t.skip('flag given');
    return;
  }
  // Node >= 22 may ship relaxed SIMD unflagged; then either build is right.
  if (Number(process.versions.node.split('.')[0]) < 22) assert.equal(wasm?.runtime.relaxed, false);
});
