// State dicts through safetensors: bit-exact round trip of a module, half-precision storage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MLP } from '../nn/layers.js';
import { Rng } from '../tensor/random.js';
import { saveStateDict, loadStateDict } from './state-dict.js';

const dir = mkdtempSync(join(tmpdir(), 'moxing-state-'));

test('a module state dict round-trips through safetensors bit-exactly', async () => {
  const a = new MLP([5, 7, 3], { rng: new Rng(1) });
  const path = join(dir, 'mlp.safetensors');
  await saveStateDict(path, a.stateDict(), { metadata: { format: 'pt' } });
  const { tensors, metadata } = await loadStateDict(path);
  assert.equal(metadata.format, 'pt');
  const b = new MLP([5, 7, 3], { rng: new Rng(2) });
  b.loadStateDict(tensors);
  for (const [name, t] of Object.entries(a.stateDict())) {
    const u = new Uint32Array(t.dataSync().buffer, t.dataSync().byteOffset, t.size);
    const v = b.stateDict()[name].dataSync();
    const w = new Uint32Array(v.buffer, v.byteOffset, v.length);
    assert.deepEqual(Array.from(w), Array.from(u), name);
  }
});

test('BF16 storage halves the file and keeps values within bf16 precision', async () => {
  const a = new MLP([64, 64], { rng: new Rng(3) });
  const p32 = join(dir, 'a32.safetensors');
  const p16 = join(dir, 'a16.safetensors');
  await saveStateDict(p32, a.stateDict());
  await saveStateDict(p16, a.stateDict(), { dtype: 'BF16' });
  assert.ok(readFileSync(p16).length < 0.6 * readFileSync(p32).length);
  const { tensors } = await loadStateDict(p16);
  const orig = a.stateDict()['0.weight'].dataSync();
  tensors['0.weight'].dataSync().forEach((v, i) => assert.ok(Math.abs(v - orig[i]) <= Math.abs(orig[i]) * 2 ** -8));
});

test('a truncated file is rejected with a clear error', async () => {
  const path = join(dir, 'bad.safetensors');
  await saveStateDict(path, new MLP([3, 2], { rng: new Rng(0) }).stateDict());
  const bytes = readFileSync(path);
  writeFileSync(path, bytes.subarray(0, bytes.length - 5));
  await assert.rejects(loadStateDict(path), /bad\.safetensors/);
});

test('a missing or folder safetensors path is named; a tensor called __proto__ survives loading', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-sd-names-'));
  await assert.rejects(loadStateDict(join(dir, 'none.safetensors')), /none\.safetensors: safetensors file: no such file/);
  await assert.rejects(loadStateDict(dir), /: safetensors file: is a directory, expected a \.safetensors file/);
  const { tensor } = await import('../tensor/create.js');
  const path = join(dir, 'odd.safetensors');
  const named: Record<string, ReturnType<typeof tensor>> = Object.create(null) as Record<string, ReturnType<typeof tensor>>;
  named['__proto__'] = tensor([1, 2]);
  await saveStateDict(path, named);
  const back = (await loadStateDict(path)).tensors;
  assert.deepEqual(Object.keys(back), ['__proto__']);
  assert.deepEqual(Array.from(back['__proto__']!.dataSync()), [1, 2]);
});

test('I64 tensors load as int32 exactly, and a value int32 cannot hold is an error naming it, never wrapped', async () => {
  const { saveSafetensors } = await import('./safetensors.js');
  const path = join(dir, 'ids.safetensors');
  await saveSafetensors(path, { ids: { dtype: 'I64', shape: [3], data: BigInt64Array.of(-(2n ** 31n), 0n, 2n ** 31n - 1n) } });
  assert.deepEqual(Array.from((await loadStateDict(path)).tensors.ids!.dataSync()), [-(2 ** 31), 0, 2 ** 31 - 1]);
  // 2^31 wrapped to -2^31 before; 2^32 + 5 to 5.
  await saveSafetensors(path, { ids: { dtype: 'I64', shape: [2, 2], data: BigInt64Array.of(1n, 2n, 3n, 2n ** 31n) } });
  await assert.rejects(loadStateDict(path), { message: `${path}: safetensors data (tensor "ids"): I64 value 2147483648 at index 3 does not fit int32 (the type I64 tensors load as: [-2147483648, 2147483647])` });
  await saveSafetensors(path, { ids: { dtype: 'I64', shape: [1], data: BigInt64Array.of(2n ** 32n + 5n) } });
  await assert.rejects(loadStateDict(path), /I64 value 4294967301 at index 0 does not fit int32/);
});
