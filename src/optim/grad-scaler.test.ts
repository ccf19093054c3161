// GradScaler: scaled training equals unscaled training; an overflow skips the step and halves the factor.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameter } from '../nn/module.js';
import { SGD } from './sgd.js';
import { GradScaler } from './grad-scaler.js';

const param = (v: number[]): Parameter => new Parameter(Float64Array.from(v), [v.length]);

test('a scaled and unscaled step equals a plain step', () => {
  const a = param([1, -2, 3]);
  const b = param([1, -2, 3]);
  const scaler = new GradScaler({ initScale: 1024 });
  a.mul(a).sum().backward();
  scaler.scale(b.mul(b).sum()).backward();
  assert.deepEqual(Array.from(b.grad!.dataSync()), [2048, -4096, 6144]); // 2x * 1024
  scaler.unscale([b]);
  new SGD([a], { lr: 0.1 }).step();
  assert.equal(scaler.update(true), true);
  new SGD([b], { lr: 0.1 }).step();
  assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync())); // 0.8, -1.6, 2.4
});

test('an overflow skips the step and halves the factor; finite steps grow it back', () => {
  const scaler = new GradScaler({ initScale: 8, growthInterval: 2 });
  assert.equal(scaler.update(false), false);
  assert.equal(scaler.factor, 4);
  assert.equal(scaler.skipped, 1);
  assert.equal(scaler.update(true), true);
  assert.equal(scaler.factor, 4);
  assert.equal(scaler.update(true), true);
  assert.equal(scaler.factor, 8);
});
