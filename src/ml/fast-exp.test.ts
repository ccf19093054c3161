import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expFast } from './fast-exp.js';

test('expFast is within 2 ulp of Math.exp over the whole range', () => {
  let worst = 0;
  for (let i = 0; i <= 200000; i++) {
    const x = -745 + (1455 * i) / 200000 + 1e-7 * Math.sin(i);
    const e = Math.exp(x);
    const f = expFast(x);
    if (e === 0 || !Number.isFinite(e)) { assert.equal(f, e); continue; }
    worst = Math.max(worst, Math.abs(f - e) / e);
  }
  assert.ok(worst < 4.5e-16, `worst relative error ${worst}`);
  assert.equal(expFast(0), 1);
  assert.equal(expFast(-Infinity), 0);
  assert.equal(expFast(Infinity), Infinity);
  assert.ok(Number.isNaN(expFast(NaN)));
});
