import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropout, philox4x32, philoxUniform } from './philox.js';

test('Philox 4x32-10 gives the known-answer vectors of Random123 (Salmon et al. 2011)', () => {
  assert.deepEqual(philox4x32(0, 0, 0, 0, 0, 0), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  const max = 0xffffffff;
  assert.deepEqual(philox4x32(max, max, max, max, max, max), [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
  assert.deepEqual(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0), [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]);
});

test('philoxUniform is the top 24 bits of the first word for counter (index, index / 2^32), key (seed, 0)', () => {
  let s = 1;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 2000; i++) {
    const seed = next();
    const index = i % 2 ? next() : next() * 4096 + next(); // beyond 2^32 too
    const [x0] = philox4x32(index >>> 0, Math.floor(index / 4294967296) >>> 0, 0, 0, seed, 0);
    assert.equal(philoxUniform(seed, index), (x0 >>> 8) / 16777216, `seed ${seed} index ${index}`);
  }
});

test('dropout keeps each element with probability 1 - p, scaled, from its own counter', () => {
  const n = 20000;
  const x = new Float32Array(n).fill(2);
  const out = new Float32Array(n);
  const mask = new Float32Array(n);
  dropout(x, out, mask, 0.25, 7, 100);
  const kept = mask.filter((m) => m !== 0).length;
  assert.ok(Math.abs(kept / n - 0.75) < 0.015, `kept ${kept} of ${n}`);
  mask.forEach((m, i) => assert.ok(m === 0 || Math.abs(m - 4 / 3) < 1e-6, `mask ${i} = ${m}`));
  // Element i depends only on (seed, offset + i): a slice starting later gives the same tail.
  const tail = new Float32Array(n - 100);
  dropout(x.subarray(100), new Float32Array(n - 100), tail, 0.25, 7, 200);
  assert.deepEqual(tail, mask.subarray(100));
});
