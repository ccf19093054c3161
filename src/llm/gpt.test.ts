// GPT: loss, logits and gradients against a PyTorch float64 reference; gradient check of attention;
// KV-cache decoding equals the full forward; generation is seeded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor, gradCheck, randn, Rng } from '../tensor/index.js';
import { GPT, KVCache } from './gpt.js';
import { generate } from './generate.js';
import { configFromPreset } from './config.js';
import type { GPTConfig } from './config.js';

interface Fixture {
  config: GPTConfig;
  idx: number[][];
  targets: number[][];
  weights: Record<string, { shape: number[]; data: number[] }>;
  logits: number[];
  loss: number;
  grads: Record<string, number[]>;
}
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/gpt-1layer.json', import.meta.url)), 'utf8')) as Fixture;

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / Math.max(den, 1e-12);
}

test('a 1-layer GPT matches the PyTorch float64 reference: logits, loss and every gradient', () => {
  const model = new GPT(fixture.config, { dtype: 'float64' });
  const state = Object.fromEntries(Object.entries(fixture.weights).map(([k, w]) => [k, new Tensor(Float64Array.from(w.data), w.shape)]));
  model.loadStateDict(state);
  const idx = tensor(fixture.idx, { dtype: 'int32' });
  const targets = tensor(fixture.targets, { dtype: 'int32' });
  const { logits, loss } = model.forward(idx, targets);
  assert.ok(relErr(logits.dataSync(), fixture.logits) < 1e-10, 'logits');
  assert.ok(Math.abs(loss!.itemSync() - fixture.loss) / fixture.loss < 1e-10, `loss ${loss!.itemSync()} vs ${fixture.loss}`);
  loss!.backward();
  for (const [name, p] of model.namedParameters()) {
    const e = relErr(p.grad!.dataSync(), fixture.grads[name]);
    assert.ok(e < 1e-4, `${name}: relative error ${e}`);
  }
  // float32 stays within 1e-4 of the reference too
  const m32 = new GPT(fixture.config);
  m32.loadStateDict(state);
  const l32 = m32.forward(idx, targets).loss!.itemSync();
  assert.ok(Math.abs(l32 - fixture.loss) / fixture.loss < 1e-4);
});

test('gradient check through a whole attention block (float64)', () => {
  const config: GPTConfig = { vocabSize: 7, blockSize: 5, nLayer: 1, nHead: 2, nEmbd: 4, dropout: 0, bias: true };
  const model = new GPT(config, { dtype: 'float64', seed: 3 });
  const idx = tensor([[1, 4, 2, 6]], { dtype: 'int32' });
  const targets = tensor([[4, 2, 6, 0]], { dtype: 'int32' });
  const names = ['transformer.h.0.attn.c_attn.weight', 'transformer.h.0.attn.c_proj.bias', 'transformer.h.0.ln_1.weight', 'transformer.wpe.weight'];
  const params = model.namedParameters().filter(([n]) => names.includes(n)).map(([, p]) => p);
  const r = gradCheck(() => model.forward(idx, targets).loss!, params);
  assert.ok(r.maxRelError < 1e-5, `max relative error ${r.maxRelError}`);
});

test('KV-cache decoding gives the same logits as the full forward, also batched across positions', () => {
  const config: GPTConfig = { vocabSize: 32, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0, bias: true };
  const model = new GPT(config, { seed: 1 });
  const seq = [3, 7, 1, 9, 4, 4, 2];
  const full = model.forward(tensor([seq], { dtype: 'int32' })).logits; // (1, 7, V)
  const cache = new KVCache(config);
  let last = model.forwardCached(tensor([seq.slice(0, 3)], { dtype: 'int32' }), [cache]);
  for (let t = 3; t < seq.length; t++) {
    assert.ok(relErr(last.dataSync(), full.dataSync().subarray((t - 1) * 32, t * 32)) < 1e-5, `position ${t - 1}`);
    last = model.forwardCached(tensor([[seq[t]]], { dtype: 'int32' }), [cache]);
  }
  // Two sequences at different lengths decoded in one batched step.
  const a = new KVCache(config);
  const b = new KVCache(config);
  model.forwardCached(tensor([seq.slice(0, 2)], { dtype: 'int32' }), [a]);
  model.forwardCached(tensor([seq.slice(0, 5)], { dtype: 'int32' }), [b]);
  const step = model.forwardCached(tensor([[seq[2]], [seq[5]]], { dtype: 'int32' }), [a, b]);
  assert.ok(relErr(step.dataSync().subarray(0, 32), full.dataSync().subarray(2 * 32, 3 * 32)) < 1e-5);
  assert.ok(relErr(step.dataSync().subarray(32, 64), full.dataSync().subarray(5 * 32, 6 * 32)) < 1e-5);
});

test('generation: same seed same tokens, greedy is deterministic, budget ends with length', async () => {
  const model = new GPT({ vocabSize: 20, blockSize: 12, nLayer: 1, nHead: 2, nEmbd: 8, dropout: 0, bias: true }, { seed: 2 });
  const run = async (opts: Parameters<typeof generate>[2]) => {
    const out: number[] = [];
    let reason: string | undefined;
    for await (const t of generate(model, [1, 2, 3], opts)) {
      out.push(t.id);
      reason = t.finishReason;
    }
    return { out, reason };
  };
  const a = await run({ seed: 5, maxNewTokens: 6, temperature: 1 });
  const b = await run({ seed: 5, maxNewTokens: 6, temperature: 1 });
  assert.deepEqual(a.out, b.out);
  assert.equal(a.out.length, 6);
  assert.equal(a.reason, 'length');
  const g = await run({ maxNewTokens: 20, temperature: 0 });
  assert.equal(g.out.length, 12 - 3 + 1, 'stops when the context is full (the last token is predicted from a full context)');
  // greedy = argmax of the full forward at each step
  const logits = model.forward(tensor([[1, 2, 3]], { dtype: 'int32' })).logits;
  assert.equal(g.out[0], logits.slice(1, 2, 3).argmax().itemSync());
});

test('config errors and presets', () => {
  assert.throws(() => new GPT({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 3, nEmbd: 8, dropout: 0, bias: true }), /nEmbd 8 is not divisible by nHead 3/);
  assert.throws(() => configFromPreset('micro', { blockSize: 4096 }), /block size 4096 is over the 'micro' preset's limit of 128/);
  assert.throws(() => configFromPreset('huge'), /unknown preset 'huge'/);
  const model = new GPT(configFromPreset('nano', { vocabSize: 512 }));
  const n = model.numParameters();
  assert.ok(n > 80_000 && n < 120_000, `nano has ${n} parameters`);
  const x = randn([1], { rng: new Rng(0) });
  assert.ok(Number.isFinite(x.itemSync()));
  assert.throws(() => model.forward(tensor([new Array(65).fill(1)], { dtype: 'int32' })), /longer than the model's block size 64/);
});

test('int8 quantization: per-channel scales, logits close to float32, decoding works', async () => {
  const { quantizeInt8, dequantize } = await import('../nn/quantize.js');
  const w = tensor([[0.5, -1, 0.25], [2, 0, -2]]);
  const qw = quantizeInt8(w);
  assert.deepEqual(Array.from(qw.q), [64, -127, 32, 127, 0, -127]); // 0.5 / (1/127) = 63.5 -> 64
  assert.ok(relErr(dequantize(qw).dataSync(), w.dataSync()) < 0.01);
  const config: GPTConfig = { vocabSize: 64, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
  const model = new GPT(config, { seed: 4 });
  const idx = tensor([[1, 5, 9, 13, 2, 7]], { dtype: 'int32' });
  const ref = model.forward(idx).logits;
  model.quantize();
  const q = model.forward(idx).logits;
  assert.ok(relErr(q.dataSync(), ref.dataSync()) < 0.05, `int8 logits relative error ${relErr(q.dataSync(), ref.dataSync())}`);
  const tokens: number[] = [];
  for await (const t of generate(model, [1, 2], { maxNewTokens: 5, temperature: 0 })) tokens.push(t.id);
  assert.equal(tokens.length, 5);
});

test('GPT: a config too large to allocate, a bad maxNewTokens, a prompt id outside the vocabulary and a zero repetition penalty are named', async () => {
  const big = { vocabSize: 64, blockSize: 1e10, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
  assert.throws(() => new GPT(big), /GPT config: the model it describes cannot be allocated \(vocabSize 64, blockSize 10000000000/);
  const model = new GPT({ ...big, blockSize: 16 }, { seed: 0 });
  const first = async (ids: number[], o: Record<string, unknown>) => { for await (const t of generate(model, ids, o)) return t; return null; };
  await assert.rejects(first([1], { maxNewTokens: -5 }), /maxNewTokens must be a whole number >= 1, got -5/);
  await assert.rejects(first([1, NaN], {}), /prompt token 1 is NaN, not an id of the model's 64-token vocabulary/);
  await assert.rejects(first([1, 64], {}), /prompt token 1 is 64/);
  await assert.rejects(first([1], { repetitionPenalty: 0 }), /repetition_penalty must be a number > 0 \(1: off\), got 0/);
  assert.ok(await first([1], { maxNewTokens: 1, temperature: 0 }));
});
