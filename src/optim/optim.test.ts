// Optimizers, schedules and clipping against hand-computed updates (PyTorch's formulas).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parameter } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { tensor, Rng, randn, type Tensor } from '../tensor/index.js';
import { SGD, Adam, AdamW, clipGradNorm, warmupCosineSchedule, stepSchedule, constantSchedule } from './index.js';
import { crossEntropy } from '../ops/index.js';

const p64 = (values: number[]): Parameter => Parameter.from(tensor(values, { dtype: 'float64' }));
const setGrad = (p: Parameter, g: number[]): void => {
  p.grad = tensor(g, { dtype: p.dtype });
};
const near = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('SGD: plain, momentum and nesterov steps', () => {
  const p = p64([1]);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  setGrad(p, [2]);
  opt.step(); // buf = 2, p = 1 - 0.2
  near(p.dataSync()[0], 0.8);
  setGrad(p, [2]);
  opt.step(); // buf = 0.9*2 + 2 = 3.8, p = 0.8 - 0.38
  near(p.dataSync()[0], 0.42);
  const q = p64([1]);
  const nes = new SGD([q], { lr: 0.1, momentum: 0.9, nesterov: true });
  setGrad(q, [2]);
  nes.step(); // buf = 2, g = 2 + 0.9*2 = 3.8
  near(q.dataSync()[0], 1 - 0.38);
});

test('Adam and AdamW: first step moves each weight by lr (bias correction), AdamW decays first', () => {
  const a = p64([1, -1]);
  const adam = new Adam([a], { lr: 0.01 });
  setGrad(a, [0.5, -3]);
  adam.step(); // m_hat = g, v_hat = g^2 -> step = lr * sign(g)
  near(a.dataSync()[0], 0.99, 1e-9);
  near(a.dataSync()[1], -0.99, 1e-9);
  const w = p64([2]);
  const adamw = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
  setGrad(w, [1]);
  adamw.step(); // p = 2 * (1 - 0.05) - 0.1 * 1/(1 + 1e-8)
  near(w.dataSync()[0], 1.9 - 0.1 / (1 + 1e-8), 1e-12);
  // second step with g = 1 again: m = 1, v = 1 after correction -> same size of step
  setGrad(w, [1]);
  const before = w.dataSync()[0];
  adamw.step();
  near(w.dataSync()[0], before * 0.95 - 0.1 / (1 + 1e-8), 1e-12);
});

test('parameter groups carry their own weight decay; state round-trips', () => {
  const w = p64([1]);
  const b = p64([1]);
  const opt = new AdamW([{ params: [w], options: { weightDecay: 0.1 } }, { params: [b], options: { weightDecay: 0 } }], { lr: 0.1 });
  setGrad(w, [0]);
  setGrad(b, [0]);
  opt.step();
  near(w.dataSync()[0], 0.99);
  near(b.dataSync()[0], 1);
  const saved = opt.getState();
  assert.equal(saved.step, 1);
  assert.deepEqual(Object.keys(saved.buffers).sort(), ['0.exp_avg', '0.exp_avg_sq', '1.exp_avg', '1.exp_avg_sq']);
  const other = new AdamW([{ params: [w], options: { weightDecay: 0.1 } }, { params: [b], options: { weightDecay: 0 } }], { lr: 0.1 });
  other.setState(saved);
  assert.equal(other.stepCount, 1);
});

test('clipGradNorm scales to the max norm and returns the norm before', () => {
  const a = p64([0, 0]);
  const b = p64([0]);
  setGrad(a, [3, 0]);
  setGrad(b, [4]);
  near(clipGradNorm([a, b], 1)!.itemSync(), 5);
  near(a.grad!.dataSync()[0], 0.6, 1e-6);
  near(b.grad!.dataSync()[0], 0.8, 1e-6);
  setGrad(a, [0.3, 0]);
  setGrad(b, [0.4]);
  near(clipGradNorm([a, b], 1)!.itemSync(), 0.5);
  near(a.grad!.dataSync()[0], 0.3);
});

test('clipGradNorm: a shared gradient is scaled once and never in place; Infinity only measures; float32 and odd lengths', () => {
  const shared = tensor([6, 8], { dtype: 'float64' });
  const a = p64([0, 0]);
  const b = p64([0, 0]);
  a.grad = shared;
  b.grad = shared;
  near(clipGradNorm([a, b, p64([1])], 5)!.itemSync(), Math.sqrt(200));
  assert.deepEqual(Array.from(shared.dataSync()), [6, 8]);
  const f = 5 / (Math.sqrt(200) + 1e-6);
  near(a.grad.dataSync()[1], 8 * f);
  near(b.grad!.dataSync()[1], 8 * f);
  const c = p64([0, 0]);
  const g = tensor([30, 40], { dtype: 'float64' });
  c.grad = g;
  near(clipGradNorm([c], Infinity)!.itemSync(), 50);
  assert.equal(c.grad, g);
  assert.throws(() => clipGradNorm([c], 0), /maxNorm must be positive/);
  // float32, lengths that are not multiples of the loop's four accumulators.
  const values = Array.from({ length: 7 }, (_, i) => i - 3.5);
  const d = Parameter.from(tensor(values.slice(0, 5)));
  const e = Parameter.from(tensor(values.slice(5)));
  d.grad = tensor(values.slice(0, 5));
  e.grad = tensor(values.slice(5));
  const want = Math.hypot(...values);
  near(clipGradNorm([d, e], 1)!.itemSync(), want, 1e-5);
  near(e.grad.dataSync()[1], values[6]! / (want + 1e-6), 1e-6);
});

test('schedules: warmup is linear, cosine ends at minLr, step decay', () => {
  const s = warmupCosineSchedule({ lr: 1, minLr: 0.1, warmupSteps: 10, decaySteps: 110 });
  near(s(0), 0.1);
  near(s(9), 1);
  near(s(60), 0.55); // halfway through the cosine: (1 + 0.1) / 2
  near(s(110), 0.1);
  near(s(1000), 0.1);
  near(stepSchedule(1, 10, 0.5)(25), 0.25);
  near(constantSchedule(0.3)(99), 0.3);
});

test('gradient accumulation over micro-batches equals the full-batch gradient', () => {
  const rng = new Rng(1);
  const layer = new Linear(4, 3, { rng, dtype: 'float64' });
  const x = randn([8, 4], { rng, dtype: 'float64' });
  const y = tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' });
  crossEntropy(layer.forward(x), y).backward();
  const full = Array.from((layer.weight.grad as Tensor).dataSync());
  layer.zeroGrad();
  for (let k = 0; k < 4; k++) {
    const xb = x.slice(0, 2 * k, 2 * k + 2);
    const yb = y.slice(0, 2 * k, 2 * k + 2);
    crossEntropy(layer.forward(xb), yb).div(4).backward();
  }
  const acc = Array.from((layer.weight.grad as Tensor).dataSync());
  acc.forEach((v, i) => near(v, full[i], 1e-12));
});

test('optimizers refuse hyper-parameters that would turn every weight into NaN, naming the one', () => {
  const p = Parameter.from(tensor([1, 2]));
  assert.throws(() => new SGD([p], { lr: NaN }), /optimizer: lr must be a finite number >= 0, got NaN/);
  assert.throws(() => new SGD([p], { lr: -1 }), /lr must be a finite number >= 0, got -1/);
  assert.throws(() => new SGD([p], { momentum: -1 }), /momentum must be a finite number in \[0, 1\]/);
  assert.throws(() => new Adam([p], { beta2: 1 }), /beta2 must be a finite number in \[0, 1\), got 1/);
  assert.throws(() => new AdamW([p], { eps: -1 }), /eps must be a finite number > 0/);
  assert.throws(() => new AdamW([p], { weightDecay: NaN }), /weightDecay must be a finite number >= 0, got NaN/);
  const ok = new AdamW([p], { lr: 1e-3 });
  assert.throws(() => ok.setLr(Infinity), /the learning rate must be a finite number >= 0, got Infinity/);
  ok.setLr(0); // a schedule may reach 0
});

test('schedules refuse settings that give NaN rates', () => {
  assert.throws(() => stepSchedule(0.1, 0), /stepSize must be a whole number >= 1, got 0/);
  assert.throws(() => warmupCosineSchedule({ lr: 1e-3, minLr: 1e-4, warmupSteps: 10 } as never), /decaySteps must be a finite number >= 0, got undefined/);
});
