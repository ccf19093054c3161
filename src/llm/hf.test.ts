// Hugging Face GPT-2 interop: logits of an imported model match PyTorch; export -> import is bit-exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, cpSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor } from '../tensor/index.js';
import { loadRun } from './run-dir.js';
import { exportHf, importHf } from './hf.js';
import { loadSafetensors, saveSafetensors } from '../io/index.js';

const fixtures = fileURLToPath(new URL('../io/fixtures/', import.meta.url));
const hfDir = join(fixtures, 'hf-gpt2-tiny');
const reference = JSON.parse(readFileSync(join(fixtures, 'hf-gpt2-tiny-logits.json'), 'utf8')) as { idx: number[][]; logits: number[] };
const tmp = mkdtempSync(join(tmpdir(), 'moxing-hf-'));

async function logitsOf(runDir: string): Promise<Float32Array | Float64Array> {
  const { model } = await loadRun(runDir);
  return model.forward(tensor(reference.idx, { dtype: 'int32' })).logits.dataSync() as Float32Array;
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / den;
}

test('an imported HF GPT-2 gives the PyTorch reference logits within 1e-4', async () => {
  const run = join(tmp, 'imported');
  await importHf(hfDir, run);
  const logits = await logitsOf(run);
  assert.equal(logits.length, reference.logits.length);
  const e = maxRel(logits, reference.logits);
  assert.ok(e < 1e-4, `max relative error ${e}`);
});

test('export -> import round trip is bit-exact, and export reproduces the HF tensors exactly', async () => {
  const run = join(tmp, 'rt-run');
  await importHf(hfDir, run);
  const out = join(tmp, 'rt-hf');
  await exportHf(run, out);
  const original = (await loadSafetensors(join(hfDir, 'model.safetensors'))).tensors;
  const exported = (await loadSafetensors(join(out, 'model.safetensors'))).tensors;
  assert.deepEqual(Object.keys(exported).sort(), Object.keys(original).sort());
  for (const [name, t] of Object.entries(original)) {
    assert.deepEqual(exported[name].shape, t.shape, name);
    assert.deepEqual(Buffer.from(exported[name].data.buffer, exported[name].data.byteOffset, exported[name].data.byteLength),
      Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), name);
  }
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(config.model_type, 'gpt2');
  assert.equal(config.n_embd, 16);
  const again = join(tmp, 'rt-run-2');
  await importHf(out, again);
  const a = (await loadRun(run)).model.stateDict();
  const b = (await loadRun(again)).model.stateDict();
  for (const [name, t] of Object.entries(a)) assert.deepEqual(Array.from(b[name].dataSync()), Array.from(t.dataSync()), name);
  // An earlier export may be written again; a moxing run, the Hugging Face folder or a file may not be written over.
  await exportHf(run, out);
  const runConfig = readFileSync(join(run, 'config.json'), 'utf8');
  await assert.rejects(exportHf(run, run), /rt-run already holds a model \(config\.json\)/);
  await assert.rejects(exportHf(run, again), /rt-run-2 already holds a model/);
  assert.equal(readFileSync(join(run, 'config.json'), 'utf8'), runConfig);
  await assert.rejects(importHf(out, out), /rt-hf already holds a model/);
  assert.equal((JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { model_type: string }).model_type, 'gpt2');
  await assert.rejects(importHf(out, join(run, 'config.json', 'x')), /config\.json is a file, not a folder/);
});

test('names without the transformer. prefix and an explicit tied lm_head load; an untied head is refused', async () => {
  const { tensors, metadata } = await loadSafetensors(join(hfDir, 'model.safetensors'));
  const bare: typeof tensors = {};
  for (const [k, v] of Object.entries(tensors)) bare[k.replace(/^transformer\./, '')] = v;
  bare['lm_head.weight'] = tensors['transformer.wte.weight'];
  const dir = join(tmp, 'bare');
  cpSync(hfDir, dir, { recursive: true });
  await saveSafetensors(join(dir, 'model.safetensors'), bare, metadata);
  await importHf(dir, join(tmp, 'bare-run'));
  assert.ok(maxRel(await logitsOf(join(tmp, 'bare-run')), reference.logits) < 1e-4);
  const untied = { ...bare, 'lm_head.weight': { ...bare['lm_head.weight'], data: new Float32Array(bare['lm_head.weight'].data.length) } };
  await saveSafetensors(join(dir, 'model.safetensors'), untied, metadata);
  await assert.rejects(importHf(dir, join(tmp, 'untied-run')), /lm_head.weight differs from transformer.wte.weight/);
  writeFileSync(join(dir, 'config.json'), '{"model_type": "llama"}');
  await assert.rejects(importHf(dir, join(tmp, 'llama-run')), /model_type 'llama' is not gpt2/);
});
