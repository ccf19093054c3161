// Every op: a forward check against hand-computed values and a float64 finite-difference gradient check.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, tensor, randn, rand, gradCheck, Rng, noGrad, type NestedArray } from '../tensor/index.js';
import * as ops from './index.js';

const f64 = (shape: number[], seed: number, scale = 1): Tensor => {
  const t = randn(shape, { dtype: 'float64', rng: new Rng(seed) });
  for (let i = 0; i < t.size; i++) t.dataSync()[i] *= scale;
  t.requiresGrad = true;
  return t;
};
const positive = (shape: number[], seed: number): Tensor => {
  const t = rand(shape, { dtype: 'float64', rng: new Rng(seed), low: 0.5, high: 2 });
  t.requiresGrad = true;
  return t;
};
const ints = (values: NestedArray): Tensor => tensor(values, { dtype: 'int32' });

function close(actual: NestedArray, expected: NestedArray, tol = 1e-6): void {
  const a = [actual].flat(Infinity as 1) as number[];
  const e = [expected].flat(Infinity as 1) as number[];
  assert.equal(a.length, e.length, `length ${a.length} != ${e.length}`);
  a.forEach((v, i) => {
    const ok = Object.is(v, e[i]) || Math.abs(v - e[i]) <= tol * Math.max(1, Math.abs(e[i]));
    assert.ok(ok, `element ${i}: ${v} != ${e[i]}`);
  });
}

function checkGrad(name: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  test(`${name}: gradient matches finite differences`, () => {
    const r = gradCheck(f, inputs);
    assert.ok(r.maxRelError <= 1e-5, `${name}: max relative error ${r.maxRelError} at ${JSON.stringify(r.worst)}`);
  });
}

describe('element-wise arithmetic', () => {
  test('forward with broadcasting', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([10, 20, 30]);
    close(a.add(b).toArraySync(), [[11, 22, 33], [14, 25, 36]]);
    close(a.sub(1).toArraySync(), [[0, 1, 2], [3, 4, 5]]);
    close(a.mul(tensor([[2], [3]])).toArraySync(), [[2, 4, 6], [12, 15, 18]]);
    close(a.div(2).toArraySync(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
    close(a.pow(2).toArraySync(), [[1, 4, 9], [16, 25, 36]]);
    close(a.maximum(3.5).toArraySync(), [[3.5, 3.5, 3.5], [4, 5, 6]]);
    assert.deepEqual(tensor([[1], [2]]).add(tensor([1, 2, 3])).shape, [2, 3]);
  });
  test('shape errors name the op and shapes', () => {
    assert.throws(() => tensor([1, 2, 3]).add(tensor([1, 2])), /add: cannot broadcast \[3\] with \[2\]/);
  });
  checkGrad('add (broadcast)', (a, b) => a.add(b), [f64([2, 3, 4], 1), f64([3, 1], 2)]);
  checkGrad('sub (broadcast)', (a, b) => a.sub(b), [f64([3, 4], 3), f64([4], 4)]);
  checkGrad('mul (broadcast)', (a, b) => a.mul(b), [f64([2, 1, 4], 5), f64([3, 4], 6)]);
  checkGrad('div', (a, b) => a.div(b), [f64([3, 4], 7), positive([3, 4], 8)]);
  checkGrad('pow (tensor exponent)', (a, b) => a.pow(b), [positive([3, 4], 9), f64([3, 4], 10)]);
  checkGrad('pow (scalar exponent)', (a) => a.pow(3), [f64([5], 11)]);
  checkGrad('maximum', (a, b) => a.maximum(b), [f64([4, 3], 12), f64([3], 13)]);
});

describe('unary functions', () => {
  test('forward values', () => {
    const x = tensor([-1, 0, 2], { dtype: 'float64' });
    close(x.neg().toArraySync(), [1, -0, -2]);
    close(x.exp().toArraySync(), [Math.exp(-1), 1, Math.exp(2)]);
    close(tensor([1, Math.E]).log().toArraySync(), [0, 1]);
    close(tensor([4, 9]).sqrt().toArraySync(), [2, 3]);
    close(x.abs().toArraySync(), [1, 0, 2]);
    close(x.tanh().toArraySync(), [Math.tanh(-1), 0, Math.tanh(2)]);
    close(x.sigmoid().toArraySync(), [1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-2))]);
    close(x.relu().toArraySync(), [0, 0, 2]);
    // GPT-2 GELU at 1: 0.5 * (1 + tanh(sqrt(2/pi) * 1.044715)) = 0.8411919906
    close(tensor([1], { dtype: 'float64' }).gelu().toArraySync(), [0.8411919906082768], 1e-12);
    close(tensor([-1000, 1000]).sigmoid().toArraySync(), [0, 1]);
  });
  checkGrad('neg', (x) => x.neg(), [f64([3, 4], 20)]);
  checkGrad('exp', (x) => x.exp(), [f64([3, 4], 21)]);
  checkGrad('log', (x) => x.log(), [positive([3, 4], 22)]);
  checkGrad('sqrt', (x) => x.sqrt(), [positive([3, 4], 23)]);
  checkGrad('abs', (x) => x.abs(), [positive([3, 4], 24)]);
  checkGrad('tanh', (x) => x.tanh(), [f64([3, 4], 25)]);
  checkGrad('sigmoid', (x) => x.sigmoid(), [f64([3, 4], 26)]);
  checkGrad('relu', (x) => x.relu(), [positive([3, 4], 27)]);
  checkGrad('gelu', (x) => x.gelu(), [f64([3, 4], 28, 2)]);
});

describe('reductions', () => {
  test('sum, mean, max, argmax', () => {
    const x = tensor([[1, 5, 3], [4, 2, 6]]);
    close(x.sum().toArraySync(), 21);
    close(x.sum(0).toArraySync(), [5, 7, 9]);
    close(x.sum(1, true).toArraySync(), [[9], [12]]);
    close(x.sum([0, 1]).toArraySync(), 21);
    close(x.mean(1).toArraySync(), [3, 4]);
    close(x.max(1).toArraySync(), [5, 6]);
    close(x.max().toArraySync(), 6);
    assert.deepEqual(x.argmax(1).toArraySync(), [1, 2]);
    assert.deepEqual(x.argmax(0, true).toArraySync(), [[1, 0, 1]]);
    assert.equal(x.argmax().itemSync(), 5);
    assert.throws(() => x.sum(2), /sum: axis 2 is out of range for a tensor of rank 2/);
  });
  checkGrad('sum all', (x) => x.sum(), [f64([3, 4], 30)]);
  checkGrad('sum axis 1', (x) => x.sum(1), [f64([2, 3, 4], 31)]);
  checkGrad('sum axes keepDims', (x) => x.sum([0, 2], true), [f64([2, 3, 4], 32)]);
  checkGrad('mean', (x) => x.mean(-1), [f64([3, 5], 33)]);
  checkGrad('max axis', (x) => x.max(1), [f64([3, 5], 34)]);
  checkGrad('max all', (x) => x.max(), [f64([3, 5], 35)]);
});

describe('matmul', () => {
  test('forward: 2-D, batched and broadcast batch', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 0], [0, 1], [1, 1]]);
    close(a.matmul(b).toArraySync(), [[4, 5], [10, 11]]);
    const batched = ops.stack([a, a.mul(2)]).matmul(b);
    close(batched.toArraySync(), [[[4, 5], [10, 11]], [[8, 10], [20, 22]]]);
    assert.deepEqual(randn([2, 1, 3, 4]).matmul(randn([5, 4, 2])).shape, [2, 5, 3, 2]);
  });
  test('shape error names the op, the shapes and the dimensions', () => {
    assert.throws(() => randn([2, 3]).matmul(randn([4, 5])), { message: 'matmul: [2,3] x [4,5]: inner dimensions 3 != 4' });
  });
  checkGrad('matmul 2-D', (a, b) => a.matmul(b), [f64([3, 4], 40), f64([4, 5], 41)]);
  checkGrad('matmul batched', (a, b) => a.matmul(b), [f64([2, 3, 4], 42), f64([2, 4, 2], 43)]);
  checkGrad('matmul shared weight', (a, b) => a.matmul(b), [f64([2, 3, 4], 44), f64([4, 2], 45)]);
  checkGrad('matmul broadcast both', (a, b) => a.matmul(b), [f64([2, 1, 3, 4], 46), f64([3, 4, 2], 47)]);
  checkGrad('matmul shared left', (a, b) => a.matmul(b), [f64([3, 4], 48), f64([2, 4, 2], 49)]);
});

describe('layout', () => {
  test('reshape is a view; permute, transpose, slice, concat, stack, broadcastTo', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const r = x.reshape(3, -1);
    assert.deepEqual(r.shape, [3, 2]);
    assert.equal(r.dataSync().buffer, x.dataSync().buffer);
    close(x.transpose().toArraySync(), [[1, 4], [2, 5], [3, 6]]);
    close(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).permute(2, 0, 1).toArraySync(), [[[1, 3], [5, 7]], [[2, 4], [6, 8]]]);
    close(x.slice(1, 1, 3).toArraySync(), [[2, 3], [5, 6]]);
    close(x.slice(0, -1).toArraySync(), [[4, 5, 6]]);
    close(ops.concat([x, tensor([[7, 8, 9]])], 0).toArraySync(), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    close(ops.concat([x, tensor([[0], [0]])], 1).toArraySync(), [[1, 2, 3, 0], [4, 5, 6, 0]]);
    close(ops.stack([tensor([1, 2]), tensor([3, 4])], 1).toArraySync(), [[1, 3], [2, 4]]);
    close(tensor([1, 2]).broadcastTo([2, 2]).toArraySync(), [[1, 2], [1, 2]]);
    assert.throws(() => x.reshape(4, 2), /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
    assert.throws(() => x.slice(1, 2, 5), /slice: range \[2, 5\) is out of bounds for axis 1 of size 3/);
  });
  test('stack: errors name stack and the input at fault, not the concat it is built on', () => {
    const a = tensor([1, 2]);
    assert.throws(() => ops.stack([a, tensor([1, 2, 3])]), { message: 'stack: input 1 has shape [3], input 0 has [2] (stack needs equal shapes)' });
    assert.throws(() => ops.stack([a, a, tensor([1, 2], { dtype: 'float64' })]), { message: 'stack: input 2 is float64, input 0 is float32 (stack needs one dtype)' });
    assert.throws(() => ops.stack([a, a], 2), /stack: axis 2 is out of range/);
  });
  checkGrad('reshape', (x) => x.reshape(4, 3).mul(x.reshape(4, 3)), [f64([3, 4], 50)]);
  checkGrad('permute', (x) => x.permute(2, 0, 1), [f64([2, 3, 4], 51)]);
  checkGrad('transpose', (x) => x.transpose(0, 2), [f64([2, 3, 4], 52)]);
  checkGrad('slice inner axis', (x) => x.slice(1, 1, 3), [f64([2, 4, 3], 53)]);
  checkGrad('slice outer axis', (x) => x.slice(0, 1), [f64([3, 4], 54)]);
  checkGrad('concat', (a, b) => ops.concat([a, b], 1), [f64([2, 3], 55), f64([2, 2], 56)]);
  checkGrad('stack', (a, b) => ops.stack([a, b], 0), [f64([2, 3], 57), f64([2, 3], 58)]);
  checkGrad('broadcastTo', (x) => x.broadcastTo([2, 3, 4]), [f64([3, 1], 59)]);
  test('cast float32 <-> float64 keeps gradients flowing', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.to('float64').mul(3).sum().backward();
    close(x.grad!.toArraySync(), [3, 3]);
    assert.equal(x.grad!.dtype, 'float32');
    assert.deepEqual(tensor([1.7, -2.2]).to('int32').toArraySync(), [1, -2]);
  });
});

describe('indexing and selection', () => {
  test('embedding, gather, where, maskedFill', () => {
    const table = tensor([[0, 1], [10, 11], [20, 21]]);
    close(ops.embedding(table, ints([[2, 0], [1, 1]])).toArraySync(), [[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
    assert.throws(() => ops.embedding(table, ints([3])), /embedding: index 3 at position 0 is out of range \[0, 3\)/);
    close(ops.gather(tensor([[1, 2, 3], [4, 5, 6]]), 1, ints([[2], [0]])).toArraySync(), [[3], [4]]);
    close(ops.where(tensor([1, 0, 1]), tensor([1, 2, 3]), tensor([9, 9, 9])).toArraySync(), [1, 9, 3]);
    close(tensor([[1, 2], [3, 4]]).maskedFill(tensor([[0, 1], [0, 0]]), -Infinity).toArraySync(), [[1, -Infinity], [3, 4]]);
  });
  test('embedding backward scatter-adds repeated ids', () => {
    const table = tensor([[0, 0], [0, 0], [0, 0]], { requiresGrad: true });
    ops.embedding(table, ints([1, 1, 2])).sum().backward();
    close(table.grad!.toArraySync(), [[0, 0], [2, 2], [1, 1]]);
  });
  checkGrad('embedding', (t) => ops.embedding(t, ints([[0, 2, 2], [1, 0, 3]])), [f64([4, 3], 60)]);
  checkGrad('gather axis 1', (x) => ops.gather(x, 1, ints([[0, 0], [2, 1], [1, 1]])), [f64([3, 4], 61)]);
  checkGrad('gather axis 0', (x) => ops.gather(x, 0, ints([[2, 0, 1, 1]])), [f64([3, 4], 62)]);
  checkGrad('where', (a, b) => ops.where(tensor([[1, 0, 1]], { dtype: 'int32' }), a, b), [f64([2, 3], 63), f64([3], 64)]);
  checkGrad('maskedFill', (x) => x.maskedFill(tensor([1, 0, 0, 1]), 0), [f64([3, 4], 65)]);
});

describe('softmax and cross-entropy', () => {
  test('softmax rows sum to 1; log-softmax matches log of softmax; stable for large inputs', () => {
    const x = tensor([[1, 2, 3], [1000, 1000, 1000]], { dtype: 'float64' });
    const s = x.softmax();
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const z = e[0] + e[1] + e[2];
    close(s.toArraySync(), [e.map((v) => v / z), [1 / 3, 1 / 3, 1 / 3]], 1e-12);
    close(x.logSoftmax().toArraySync(), (s.toArraySync() as number[][]).map((r) => r.map(Math.log)), 1e-12);
    close(x.softmax(0).sum(0).toArraySync(), [1, 1, 1], 1e-12);
  });
  test('cross-entropy: hand value, ignore index, errors', () => {
    // row 0: -log softmax([0, ln 3])[1] = -log(3/4); row 1 ignored
    const logits = tensor([[0, Math.log(3)], [5, -5]], { dtype: 'float64' });
    close(ops.crossEntropy(logits, ints([1, -100])).toArraySync(), -Math.log(0.75), 1e-12);
    close(ops.crossEntropy(logits, ints([1, 0]), { reduction: 'none' }).toArraySync(), [-Math.log(0.75), Math.log(1 + Math.exp(-10))], 1e-12);
    assert.throws(() => ops.crossEntropy(logits, ints([2, 0])), /crossEntropy: target 2 at row 0 is out of range \[0, 2\)/);
    assert.throws(() => ops.crossEntropy(logits, ints([1])), /crossEntropy: logits \[2,2\] and targets \[1\] disagree/);
  });
  checkGrad('softmax last axis', (x) => x.softmax(), [f64([3, 5], 70)]);
  checkGrad('softmax axis 0', (x) => x.softmax(0), [f64([3, 5], 71)]);
  checkGrad('logSoftmax', (x) => x.logSoftmax(), [f64([2, 3, 5], 72)]);
  checkGrad('crossEntropy mean with ignore', (x) => ops.crossEntropy(x, ints([[1, -100], [4, 0]])), [f64([2, 2, 5], 73)]);
  checkGrad('crossEntropy none', (x) => ops.crossEntropy(x, ints([1, 2, 0]), { reduction: 'none' }), [f64([3, 4], 74)]);
});

describe('normalization, dropout, fused layers', () => {
  test('layer norm output has zero mean and unit variance per row', () => {
    const y = ops.layerNorm(randn([4, 16], { dtype: 'float64', rng: new Rng(1) }), null, null, 0);
    const m = Array.from(y.mean(-1).dataSync());
    const v = Array.from(y.pow(2).mean(-1).dataSync());
    m.forEach((x) => assert.ok(Math.abs(x) < 1e-12));
    v.forEach((x) => assert.ok(Math.abs(x - 1) < 1e-9));
  });
  test('dropout: seeded, scaled by 1/(1-p), identity in eval', () => {
    const x = tensor(new Array(1000).fill(1));
    const a = x.dropout(0.3, true, new Rng(5));
    const b = x.dropout(0.3, true, new Rng(5));
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const kept = Array.from(a.dataSync()).filter((v) => v !== 0);
    kept.forEach((v) => assert.ok(Math.abs(v - 1 / 0.7) < 1e-6));
    assert.ok(Math.abs(kept.length / 1000 - 0.7) < 0.05);
    assert.equal(x.dropout(0.3, false), x);
  });
  test('linear equals matmul with the transposed weight plus bias', () => {
    const x = randn([2, 3, 4], { rng: new Rng(2) });
    const w = randn([5, 4], { rng: new Rng(3) });
    const b = randn([5], { rng: new Rng(4) });
    close(Array.from(ops.linear(x, w, b).dataSync()), Array.from(x.matmul(w.transpose()).add(b).dataSync()), 1e-5);
    assert.throws(() => ops.linear(x, randn([5, 3]), null), /linear: input \[2,3,4\] x weight \[5,3\]: last axis 4 != in features 3/);
  });
  test('fused attention equals the composite softmax(q k^T / sqrt(d) + mask) v', () => {
    const [B, H, T, D] = [2, 2, 5, 4];
    const q = randn([B, H, T, D], { dtype: 'float64', rng: new Rng(7) });
    const k = randn([B, H, T, D], { dtype: 'float64', rng: new Rng(8) });
    const v = randn([B, H, T, D], { dtype: 'float64', rng: new Rng(9) });
    const mask = tensor(Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (j > i ? 1 : 0))));
    const composite = q.matmul(k.transpose()).mul(1 / Math.sqrt(D)).maskedFill(mask.to('float64'), -Infinity).softmax().matmul(v);
    close(Array.from(ops.scaledDotProductAttention(q, k, v).dataSync()), Array.from(composite.dataSync()), 1e-12);
    const full = q.matmul(k.transpose()).mul(1 / Math.sqrt(D)).softmax().matmul(v);
    close(Array.from(ops.scaledDotProductAttention(q, k, v, { causal: false }).dataSync()), Array.from(full.dataSync()), 1e-12);
  });
  checkGrad('layerNorm', (x, w, b) => ops.layerNorm(x, w, b), [f64([3, 6], 80), f64([6], 81), f64([6], 82)]);
  checkGrad('layerNorm without affine', (x) => ops.layerNorm(x, null, null), [f64([2, 3, 5], 83)]);
  checkGrad('dropout (fixed mask)', (x) => x.dropout(0.5, true, new Rng(3)), [f64([4, 5], 84)]);
  checkGrad('linear', (x, w, b) => ops.linear(x, w, b), [f64([2, 3, 4], 85), f64([5, 4], 86), f64([5], 87)]);
  checkGrad('attention causal', (q, k, v) => ops.scaledDotProductAttention(q, k, v), [f64([2, 4, 3], 88), f64([2, 4, 3], 89), f64([2, 4, 3], 90)]);
  checkGrad('attention full', (q, k, v) => ops.scaledDotProductAttention(q, k, v, { causal: false }), [f64([1, 3, 2], 91), f64([1, 3, 2], 92), f64([1, 3, 2], 93)]);
});

describe('autograd', () => {
  test('gradients accumulate across backward calls and noGrad records nothing', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(x).sum().backward();
    close(x.grad!.toArraySync(), [4, 6, 8]);
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
  });
  test('detach cuts the graph; a tensor used twice gets both contributions', () => {
    const x = tensor([3], { requiresGrad: true });
    x.mul(x.detach()).sum().backward();
    close(x.grad!.toArraySync(), [3]);
    const z = tensor([2], { requiresGrad: true });
    const h = z.mul(z);
    h.add(h).sum().backward();
    close(z.grad!.toArraySync(), [8]);
  });
  test('backward without a gradient needs a scalar; int tensors cannot require grad', () => {
    assert.throws(() => tensor([1, 2], { requiresGrad: true }).mul(2).backward(), /only a single-element tensor/);
    assert.throws(() => tensor([1], { dtype: 'int32', requiresGrad: true }), /int32 tensor cannot require grad/);
    assert.throws(() => tensor([1, 2]).sum().backward(), /does not require grad/);
  });
  test('a deep chain does not overflow the stack', () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(0);
    y.sum().backward();
    close(x.grad!.toArraySync(), [1]);
  });
});

describe('packed self-attention', () => {
  test('equals splitting heads, the composite causal attention and merging heads', () => {
    const [B, T, H, D] = [2, 5, 2, 3];
    const C = H * D;
    const qkv = randn([B, T, 3 * C], { dtype: 'float64', rng: new Rng(11) });
    const heads = (i: number) => qkv.slice(2, i * C, (i + 1) * C).reshape(B, T, H, D).permute(0, 2, 1, 3);
    const composite = ops.scaledDotProductAttention(heads(0), heads(1), heads(2)).permute(0, 2, 1, 3).reshape(B, T, C);
    close(Array.from(ops.packedSelfAttention(qkv, H).dataSync()), Array.from(composite.dataSync()), 1e-12);
    assert.throws(() => ops.packedSelfAttention(randn([2, 3, 7]), 2), /packed qkv \[2,3,7\] must be \(B, T, 3 \* C\)/);
  });
  checkGrad('packed self-attention', (qkv) => ops.packedSelfAttention(qkv, 2), [f64([2, 4, 12], 95)]);
});
