// Modules: names, state dicts, parameter counts; MLPs that learn XOR and handwritten digits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Module, Linear, LayerNorm, Embedding, Sequential, MLP, ReLU, Dropout, countParameters } from './index.js';
import { tensor, Rng, noGrad, fromArray, type Tensor } from '../tensor/index.js';
import { crossEntropy, mseLoss } from './functional.js';
import { AdamW } from '../optim/index.js';

class Block extends Module {
  ln = new LayerNorm(4);
  mlp = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 4));
  forward(x: Tensor): Tensor {
    return this.mlp.forward(this.ln.forward(x)).add(x);
  }
}
class Net extends Module {
  wte = new Embedding(10, 4);
  h = [new Block(), new Block()];
}

test('parameters are named by field path, arrays and Sequential by position', () => {
  const names = Object.keys(new Net().stateDict());
  assert.deepEqual(names.slice(0, 7), ['wte.weight', 'h.0.ln.weight', 'h.0.ln.bias', 'h.0.mlp.0.weight', 'h.0.mlp.0.bias', 'h.0.mlp.2.weight', 'h.0.mlp.2.bias']);
  assert.equal(names.length, 1 + 2 * 6);
  // 10*4 + 2 * (4+4 + 4*8+8 + 8*4+4)
  assert.equal(countParameters(new Net()), 40 + 2 * 84);
  assert.equal(new MLP([64, 512, 512, 10]).numParameters(), 64 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
});

test('loadStateDict copies values and rejects wrong keys or shapes with clear errors', () => {
  const a = new Net();
  const b = new Net();
  b.loadStateDict(a.stateDict());
  assert.deepEqual(Array.from(b.stateDict()['h.1.mlp.2.weight'].dataSync()), Array.from(a.stateDict()['h.1.mlp.2.weight'].dataSync()));
  const state = a.stateDict();
  delete state['wte.weight'];
  assert.throws(() => b.loadStateDict(state), /missing keys: wte.weight/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), extra: tensor([1]) }), /unexpected keys: extra/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), 'wte.weight': tensor([[1]]) }), /wte.weight has shape \[1,1\] but the module expects \[10,4\]/);
});

test('train/eval switch dropout in every sub-module', () => {
  const net = new Sequential(new Linear(3, 3), new Dropout(0.5));
  net.eval();
  assert.equal(net.layers[1].training, false);
  const x = tensor([[1, 2, 3]]);
  assert.deepEqual(Array.from(net.forward(x).dataSync()), Array.from(net.forward(x).dataSync()));
});

test('a tiny MLP learns XOR', () => {
  const rng = new Rng(0);
  const net = new MLP([2, 8, 1], { activation: 'tanh', rng });
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]);
  const opt = new AdamW(net.parameters(), { lr: 0.05, weightDecay: 0 });
  let loss = Infinity;
  for (let i = 0; i < 500; i++) {
    opt.zeroGrad();
    const l = mseLoss(net.forward(x), y);
    l.backward();
    opt.step();
    loss = l.itemSync();
  }
  assert.ok(loss < 0.01, `XOR loss ${loss}`);
  const pred = Array.from(noGrad(() => net.forward(x)).dataSync()).map((v) => (v > 0.5 ? 1 : 0));
  assert.deepEqual(pred, [0, 1, 1, 0]);
});

test('an MLP trained with AdamW on digits reaches >= 0.95 test accuracy', () => {
  // The digits fixture committed with the repository (scripts/make-test-fixtures.mjs).
  const csv = readFileSync(new URL('../../test/fixtures/datasets/digits/digits_8x8.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
  const n = csv.length;
  const X = new Float32Array(n * 64);
  const Y = new Int32Array(n);
  csv.forEach((line, i) => {
    const v = line.split(',').map(Number);
    for (let j = 0; j < 64; j++) X[i * 64 + j] = v[j] / 16;
    Y[i] = v[64];
  });
  const rng = new Rng(0);
  const perm = rng.permutation(n);
  const nTrain = Math.floor(0.8 * n);
  const take = (idx: Int32Array): [Tensor, Tensor] => {
    const xs = new Float32Array(idx.length * 64);
    const ys = new Int32Array(idx.length);
    idx.forEach((r, i) => {
      xs.set(X.subarray(r * 64, r * 64 + 64), i * 64);
      ys[i] = Y[r];
    });
    return [fromArray(xs, [idx.length, 64]), fromArray(ys, [idx.length])];
  };
  const trainIdx = perm.slice(0, nTrain);
  const [xTest, yTest] = take(perm.slice(nTrain));
  const net = new MLP([64, 128, 10], { rng });
  const opt = new AdamW(net.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
  const batch = 64;
  for (let epoch = 0; epoch < 20; epoch++) {
    const order = rng.permutation(nTrain);
    for (let s = 0; s < nTrain; s += batch) {
      const [xb, yb] = take(order.slice(s, s + batch).map((i) => trainIdx[i]));
      opt.zeroGrad();
      crossEntropy(net.forward(xb), yb).backward();
      opt.step();
    }
  }
  const pred = noGrad(() => net.forward(xTest)).argmax(1);
  let correct = 0;
  for (let i = 0; i < yTest.size; i++) if (pred.dataSync()[i] === yTest.dataSync()[i]) correct++;
  const acc = correct / yTest.size;
  assert.ok(acc >= 0.95, `digits test accuracy ${acc}`);
});
