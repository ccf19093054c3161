// Int8 linear layers: the fast kernel equals the js reference; quantization error stays small.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { linearInt8 as jsLinearInt8 } from '../backends/js/linear-int8.js';
import { randn } from '../tensor/create.js';
import { Rng } from '../tensor/random.js';
import { linearInt8, quantizeInt8, dequantize } from './quantize.js';
import * as ops from '../ops/index.js';

test('linearInt8 on the fast backends equals the js reference (odd sizes, bias, several rows)', () => {
  initBackends();
  const rng = new Rng(3);
  for (const [rows, nIn, nOut] of [[1, 768, 300], [3, 37, 19], [2, 64, 1]]) {
    const x = randn([rows, nIn], { rng });
    const w = randn([nOut, nIn], { rng });
    const b = randn([nOut], { rng });
    const qw = quantizeInt8(w);
    const fast = linearInt8(x, qw, b).dataSync();
    const ref = new Float32Array(rows * nOut);
    jsLinearInt8(x.dataSync() as Float32Array, qw.q, qw.scale, b.dataSync() as Float32Array, ref, rows, nIn, nOut);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(fast[i] - ref[i]) <= 1e-4 * Math.max(1, Math.abs(ref[i])), `${rows}x${nIn}x${nOut} [${i}]: ${fast[i]} vs ${ref[i]}`);
    // and close to the float layer: per-channel int8 keeps the relative error near 1%
    const exact = ops.linear(x, w, b).dataSync();
    let num = 0;
    let den = 0;
    for (let i = 0; i < exact.length; i++) { num += (fast[i] - exact[i]) ** 2; den += exact[i] ** 2; }
    assert.ok(Math.sqrt(num / den) < 0.02, `relative error ${Math.sqrt(num / den)}`);
    assert.ok(dequantize(qw).size === w.size);
  }
});
