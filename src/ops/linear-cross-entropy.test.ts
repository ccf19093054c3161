// linearCrossEntropy == crossEntropy(linear(...)): loss and gradients on cpu and cpu-strict, chunks
// that do not divide the rows, ignored targets; a finite-difference check; errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackends } from '../backends/index.js';
import { Tensor, fromArray, gradCheck, noGrad, randn, Rng, tensor } from '../tensor/index.js';
import type { TypedArray } from '../tensor/dtype.js';
import * as F from './index.js';

initBackends();

interface Run {
  loss: number;
  grads: Array<TypedArray | null>;
}

interface Case {
  rows: number[]; // hidden's leading shape
  C: number;
  V: number;
  bias: boolean;
  /** Every k-th target is ignored (-1); 0: none. */
  ignoreEvery: number;
}

/** Seeded inputs on a device: hidden, weight, bias (or null), targets. */
function inputs(c: Case, device: string, seed: number): [Tensor, Tensor, Tensor | null, Tensor] {
  const rng = new Rng(seed);
  const n = c.rows.reduce((a, b) => a * b, 1);
  const f32 = (size: number, scale: number): Float32Array => Float32Array.from({ length: size }, () => (rng.next() * 2 - 1) * scale);
  const hidden = fromArray(f32(n * c.C, 2), [...c.rows, c.C], { device, requiresGrad: true });
  const weight = fromArray(f32(c.V * c.C, 1), [c.V, c.C], { device, requiresGrad: true });
  const bias = c.bias ? fromArray(f32(c.V, 0.5), [c.V], { device, requiresGrad: true }) : null;
  const t = Int32Array.from({ length: n }, (_, i) => (c.ignoreEvery > 0 && i % c.ignoreEvery === c.ignoreEvery - 1 ? -1 : rng.int(c.V)));
  return [hidden, weight, bias, fromArray(t, c.rows, { device })];
}

/** Loss and gradients after backward from loss * 3 (so the upstream gradient is not 1). */
async function run(c: Case, device: string, fused: boolean, chunkRows?: number): Promise<Run> {
  const [h, w, b, t] = inputs(c, device, 11);
  const loss = fused
    ? F.linearCrossEntropy(h, w, b, t, { ignoreIndex: -1, chunkRows })
    : F.crossEntropy(F.linear(h, w, b), t, { ignoreIndex: -1 });
  loss.mul(3).backward();
  const grads = await Promise.all([h, w, b].map((x) => (x ? x.grad!.data() : Promise.resolve(null))));
  return { loss: await loss.item(), grads };
}

function assertNear(got: Run, want: Run, what: string, tol = 2e-5): void {
  assert.ok(Math.abs(got.loss - want.loss) <= tol * (1 + Math.abs(want.loss)), `${what}: loss ${got.loss} != ${want.loss}`);
  got.grads.forEach((g, i) => {
    const h = want.grads[i];
    assert.equal(g === null, h === null, `${what}: gradient ${i} presence`);
    if (!g || !h) return;
    let worst = 0;
    for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j]! - h[j]!) / (1e-3 + Math.abs(h[j]!)));
    const scale = Math.max(...Array.from(h, Math.abs));
    let absWorst = 0;
    for (let j = 0; j < g.length; j++) absWorst = Math.max(absWorst, Math.abs(g[j]! - h[j]!));
    assert.ok(absWorst <= tol * (1 + scale), `${what}: gradient ${i} off by ${absWorst} (largest ${scale}, relative ${worst})`);
  });
}

const cases: Array<{ name: string; c: Case; chunkRows?: number }> = [
  { name: 'bias, ignored targets, last chunk shorter (5, 5, 2)', c: { rows: [2, 6], C: 6, V: 13, bias: true, ignoreEvery: 4 }, chunkRows: 5 },
  { name: 'no bias, chunks of one row', c: { rows: [7], C: 5, V: 9, bias: false, ignoreEvery: 3 }, chunkRows: 1 },
  { name: 'one chunk (default chunk rows)', c: { rows: [3, 4], C: 8, V: 17, bias: true, ignoreEvery: 0 } },
  { name: 'every target ignored', c: { rows: [4], C: 3, V: 5, bias: true, ignoreEvery: 1 }, chunkRows: 3 },
];

for (const device of ['cpu', 'cpu-strict']) {
  for (const { name, c, chunkRows } of cases) {
    test(`${device}: linearCrossEntropy equals crossEntropy(linear) (${name})`, async () => {
      const want = await run(c, device, false);
      const got = await run(c, device, true, chunkRows);
      assertNear(got, want, `${device} ${name}`);
      if (c.ignoreEvery === 1) {
        assert.equal(got.loss, 0);
        for (const g of got.grads) assert.ok(g!.every((v) => v === 0), 'all ignored: zero gradients');
      }
    });
  }
}

test('cpu-strict gives what cpu gives', async () => {
  const c = cases[0]!;
  assertNear(await run(c.c, 'cpu-strict', true, c.chunkRows), await run(c.c, 'cpu', true, c.chunkRows), 'strict vs cpu', 1e-6);
});

test('linearCrossEntropy: gradients match finite differences (float64, chunks of 2 over 5 rows)', () => {
  const rng = new Rng(5);
  const h = randn([5, 3], { dtype: 'float64', rng });
  const w = randn([4, 3], { dtype: 'float64', rng });
  const b = randn([4], { dtype: 'float64', rng });
  for (const x of [h, w, b]) x.requiresGrad = true;
  const t = tensor([1, -1, 3, 0, 2], { dtype: 'int32' });
  const r = gradCheck((x, y, z) => F.linearCrossEntropy(x, y, z, t, { ignoreIndex: -1, chunkRows: 2 }), [h, w, b]);
  assert.ok(r.maxRelError <= 1e-6, `max relative error ${r.maxRelError} at ${JSON.stringify(r.worst)}`);
});

test('linearCrossEntropy: without grad it records no node and gives the same loss', () => {
  const [h, w, b, t] = inputs(cases[0]!.c, 'cpu', 3);
  const withGrad = F.linearCrossEntropy(h, w, b, t, { ignoreIndex: -1, chunkRows: 4 });
  const without = noGrad(() => F.linearCrossEntropy(h, w, b, t, { ignoreIndex: -1, chunkRows: 4 }));
  assert.equal(withGrad.node?.op, 'linearCrossEntropy');
  assert.equal(without.node, null);
  assert.equal(without.itemSync(), withGrad.itemSync());
});

test('linearCrossEntropy: frozen weight gets no gradient, hidden still does', () => {
  const [h, w, , t] = inputs(cases[1]!.c, 'cpu', 4);
  w.requiresGrad = false;
  F.linearCrossEntropy(h, w, null, t, { ignoreIndex: -1, chunkRows: 3 }).backward();
  assert.equal(w.grad, null);
  assert.ok(h.grad && h.grad.shape.join() === h.shape.join());
});

test('linearCrossEntropy: chunk rows from bytes', () => {
  assert.equal(F.chunkRowsFor(50257, 'float32'), 640); // 667 rows of GPT-2 logits in 128 MiB, to a multiple of 64
  assert.equal(F.chunkRowsFor(4096, 'float64', 2 ** 20), 32);
  assert.equal(F.chunkRowsFor(10, 'float32', 1), 1);
});

test('linearCrossEntropy: bad input is a one-line error naming the op', () => {
  const h = randn([3, 4]);
  const w = randn([5, 4]);
  const t = tensor([0, 1, 2], { dtype: 'int32' });
  assert.throws(() => F.linearCrossEntropy(h, randn([5, 3]), null, t), /linearCrossEntropy: hidden \[3,4\] x weight \[5,3\]/);
  assert.throws(() => F.linearCrossEntropy(h, w, randn([4]), t), /linearCrossEntropy: bias \[4\]/);
  assert.throws(() => F.linearCrossEntropy(h, w, null, tensor([0, 1], { dtype: 'int32' })), /linearCrossEntropy: hidden \[3,4\] and targets \[2\] disagree/);
  assert.throws(() => F.linearCrossEntropy(h, w, null, tensor([0, 5, 1], { dtype: 'int32' })), /linearCrossEntropy: target 5 at row 1 is out of range \[0, 5\)/);
  assert.throws(() => F.linearCrossEntropy(h, w, null, t, { chunkRows: 0 }), /linearCrossEntropy: chunkRows must be a positive integer/);
  assert.throws(() => F.linearCrossEntropy(h, w, null, tensor([0, 1, 2])), /linearCrossEntropy: targets must be int32/);
});
