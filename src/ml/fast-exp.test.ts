import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expFast, expFastInto } from './fast-exp.js';

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

test('expFastInto gives expFast to the bit, in place or not, the slow path included', () => {
  const x = Float64Array.from({ length: 5001 }, (_, i) => -760 + (1480 * i) / 5000 + 1e-9 * Math.cos(i));
  x[7] = NaN; x[8] = -Infinity; x[9] = Infinity; x[10] = 0;
  const out = new Float64Array(x.length);
  expFastInto(x, out, x.length);
  for (let i = 0; i < x.length; i++) assert.ok(Object.is(out[i], expFast(x[i]!)), `x = ${x[i]}: ${out[i]} against ${expFast(x[i]!)}`);
  const inPlace = Float64Array.from(x);
  expFastInto(inPlace, inPlace, 100);
  assert.deepEqual(inPlace.subarray(0, 100), out.subarray(0, 100));
  assert.deepEqual(inPlace.subarray(100), x.subarray(100)); // past n: untouched
});
