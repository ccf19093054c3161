// conv2d, maxPool2d, avgPool2d: hand-checked values, a direct-loop reference, float64 gradient checks; the nn layers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, randn, gradCheck, Rng, fromArray } from '../tensor/index.js';
import { conv2d, maxPool2d, avgPool2d } from './index.js';
import { Conv2d, MaxPool2d, Flatten, Sequential, ReLU, Linear } from '../nn/index.js';

const f64 = { dtype: 'float64' as const };

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

/** The definition, loop by loop: out[n,o,y,x] = b[o] + Σ_c,i,j w[o,c,i,j] · xpad[n,c,y·s+i·d, x·s+j·d]. */
function directConv(x: Tensor, w: Tensor, b: Tensor | null, s: number, p: number, d: number): { data: Float64Array; shape: number[] } {
  const [N, C, H, W] = x.shape as number[];
  const [O, , kh, kw] = w.shape as number[];
  const Ho = Math.floor((H! + 2 * p - d * (kh! - 1) - 1) / s) + 1;
  const Wo = Math.floor((W! + 2 * p - d * (kw! - 1) - 1) / s) + 1;
  const out = new Float64Array(N! * O! * Ho * Wo);
  for (let n = 0; n < N!; n++) for (let o = 0; o < O!; o++) for (let y = 0; y < Ho; y++) for (let xo = 0; xo < Wo; xo++) {
    let acc = b ? b.dataSync()[o]! : 0;
    for (let c = 0; c < C!; c++) for (let i = 0; i < kh!; i++) for (let j = 0; j < kw!; j++) {
      const yy = y * s - p + i * d;
      const xx = xo * s - p + j * d;
      if (yy < 0 || yy >= H! || xx < 0 || xx >= W!) continue;
      acc += w.dataSync()[((o * C! + c) * kh! + i) * kw! + j]! * x.dataSync()[((n * C! + c) * H! + yy) * W! + xx]!;
    }
    out[((n * O! + o) * Ho + y) * Wo + xo] = acc;
  }
  return { data: out, shape: [N!, O!, Ho, Wo] };
}

test('conv2d: hand-checked values with bias, stride and padding', () => {
  const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  const w = tensor([[[[1, 0], [0, -1]]]]);
  // Every 2x2 window is a - d: 1-5, 2-6, 4-8, 5-9 = -4; plus bias 0.5.
  const y = conv2d(x, w, tensor([0.5]));
  assert.deepEqual(y.shape, [1, 1, 2, 2]);
  assert.deepEqual(Array.from(y.dataSync()), [-3.5, -3.5, -3.5, -3.5]);
  // Padding 1, stride 2 on the 5x5 padded image: windows at (0,0), (0,2), (2,0), (2,2):
  // 0 - 1 = -1, 0 - 3 = -3, 0 - 7 = -7, 5 - 9 = -4.
  const z = conv2d(x, w, null, { stride: 2, padding: 1 });
  assert.deepEqual(z.shape, [1, 1, 2, 2]);
  assert.deepEqual(Array.from(z.dataSync()), [-1, -3, -7, -4]);
});

test('conv2d equals the direct loops (channels, stride, padding, dilation, rectangular kernel)', () => {
  const rng = new Rng(1);
  for (const [s, p, d, kh, kw] of [[1, 0, 1, 3, 3], [2, 1, 1, 3, 2], [1, 2, 2, 3, 3], [3, 1, 1, 2, 4]] as const) {
    const x = randn([2, 3, 9, 8], { ...f64, rng });
    const w = randn([4, 3, kh, kw], { ...f64, rng });
    const b = randn([4], { ...f64, rng });
    const ref = directConv(x, w, b, s, p, d);
    const y = conv2d(x, w, b, { stride: s, padding: p, dilation: d });
    assert.deepEqual(y.shape, ref.shape);
    close(y.dataSync(), ref.data, 1e-12, `conv s${s} p${p} d${d}`);
  }
  // float32 agrees with float64 to float32 precision.
  const x = randn([2, 2, 6, 6], { rng });
  const w = randn([3, 2, 3, 3], { rng });
  const ref = directConv(x, w, null, 1, 1, 1);
  close(conv2d(x, w, null, { padding: 1 }).dataSync(), ref.data, 1e-5, 'float32');
});

test('conv2d gradients match finite differences (x, weight, bias)', () => {
  const rng = new Rng(2);
  for (const opts of [{}, { stride: 2, padding: 1 }, { padding: [1, 0] as const, dilation: 2 }]) {
    const x = randn([2, 2, 6, 5], { ...f64, rng, requiresGrad: true });
    const w = randn([3, 2, 3, 2], { ...f64, rng, requiresGrad: true });
    const b = randn([3], { ...f64, rng, requiresGrad: true });
    const r = gradCheck((xx, ww, bb) => conv2d(xx!, ww!, bb!, opts), [x, w, b]);
    assert.ok(r.maxRelError <= 1e-5, `conv2d ${JSON.stringify(opts)}: ${JSON.stringify(r)}`);
  }
});

test('conv2d rejects mismatched shapes with clear errors', () => {
  const x = randn([1, 2, 5, 5]);
  assert.throws(() => conv2d(x, randn([3, 1, 3, 3])), /2 channels/);
  assert.throws(() => conv2d(randn([2, 5, 5]), randn([3, 2, 3, 3])), /\(N, C, H, W\)/);
  assert.throws(() => conv2d(x, randn([3, 2, 7, 7])), /does not fit/);
  assert.throws(() => conv2d(x, randn([3, 2, 3, 3]), randn([2])), /bias/);
});

test('maxPool2d and avgPool2d: hand-checked values', () => {
  const x = tensor([[[[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 9, 8], [-1, 7, 6, 2]]]]);
  assert.deepEqual(Array.from(maxPool2d(x, 2).dataSync()), [4, 5, 7, 9]);
  // Means of the four 2x2 blocks: 10/4, 7/4, 6/4, 25/4.
  assert.deepEqual(Array.from(avgPool2d(x, 2).dataSync()), [2.5, 1.75, 1.5, 6.25]);
  // 3x3 windows, stride 1: max of rows 0-2 cols 0-2 is 9, etc.
  assert.deepEqual(Array.from(maxPool2d(x, 3, { stride: 1 }).dataSync()), [9, 9, 9, 9]);
  // Padding 1, window 2, stride 2: corners alone at the edges; padding never wins a max (all-negative input).
  const neg = tensor([[[[-1, -2], [-3, -4]]]]);
  assert.deepEqual(Array.from(maxPool2d(neg, 2, { padding: 1 }).dataSync()), [-1, -2, -3, -4]);
  // avg with padding counts the zeros: each corner window holds one value of four.
  assert.deepEqual(Array.from(avgPool2d(neg, 2, { padding: 1 }).dataSync()), [-0.25, -0.5, -0.75, -1]);
  // The max gradient goes to the argmax only.
  const xg = tensor([[[[1, 2], [3, 4]]]], { requiresGrad: true });
  maxPool2d(xg, 2).sum().backward();
  assert.deepEqual(Array.from(xg.grad!.dataSync()), [0, 0, 0, 1]);
});

test('pooling gradients match finite differences', () => {
  const rng = new Rng(3);
  for (const [k, opts] of [[2, {}], [3, { stride: 2, padding: 1 }], [[2, 3], { stride: [1, 2] }]] as const) {
    // Distinct values: a max with ties has no derivative.
    const x = randn([2, 3, 7, 6], { ...f64, rng, requiresGrad: true });
    const rm = gradCheck((xx) => maxPool2d(xx!, k, opts), [x]);
    assert.ok(rm.maxRelError <= 1e-5, `maxPool2d ${k}: ${JSON.stringify(rm)}`);
    const ra = gradCheck((xx) => avgPool2d(xx!, k, opts), [x]);
    assert.ok(ra.maxRelError <= 1e-5, `avgPool2d ${k}: ${JSON.stringify(ra)}`);
  }
});

test('Conv2d, MaxPool2d, Flatten layers: names, shapes, PyTorch init bound, training step lowers the loss', () => {
  const rng = new Rng(0);
  const conv = new Conv2d(1, 4, 3, { padding: 1, rng });
  const net = new Sequential(conv, new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3, { rng }));
  assert.deepEqual(Object.keys(net.stateDict()), ['0.weight', '0.bias', '4.weight', '4.bias']);
  assert.deepEqual(conv.weight.shape, [4, 1, 3, 3]);
  const bound = 1 / Math.sqrt(9);
  assert.ok(Array.from(conv.weight.dataSync()).every((v) => Math.abs(v) <= bound));
  const x = randn([5, 1, 8, 8], { rng });
  const y = net.forward(x);
  assert.deepEqual(y.shape, [5, 3]);
  // One plain gradient step on a squared loss lowers it.
  const target = fromArray(new Float32Array(15).fill(1), [5, 3]);
  const lossOf = (): Tensor => net.forward(x).sub(target).pow(2).mean();
  const before = lossOf();
  before.backward();
  for (const p of net.parameters()) for (let i = 0; i < p.size; i++) p.dataSync()[i] -= 0.1 * p.grad!.dataSync()[i]!;
  assert.ok(lossOf().itemSync() < before.itemSync());
});
