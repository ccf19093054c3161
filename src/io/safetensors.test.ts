// Tests for safetensors: byte-exact files from the format spec, bit-exact round trips for every dtype,
// every malformed case, and fuzzing with random bytes and mutations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  fromFloat32,
  loadSafetensors,
  saveSafetensors,
  SafetensorsError,
  toFloat32,
} from './index.js';
import type { SafeTensor, SafetensorsPart } from './index.js';
import { adoptLittleEndian, littleEndianBytes } from './safetensors-dtype.js';

const ascii = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const le64 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0, 0, 0, 0];
const bytesOf = (a: ArrayBufferView): number[] => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];

/** A file from a header text (padded with spaces to 8 bytes, as the reference writer does) and data. */
function file(header: string, data: number[] | Uint8Array = []): Uint8Array {
  const json = ascii(header);
  while (json.length % 8 !== 0) json.push(0x20);
  return Uint8Array.from([...le64(json.length), ...json, ...data]);
}

test('byte-for-byte: the empty file, with and without metadata', () => {
  // 8-byte length (8), "{}", 6 spaces of padding
  assert.deepEqual([...encodeSafetensors({})], [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  // {"__metadata__":{"framework":"pt"}} is 35 bytes, padded to 40
  const withMeta = encodeSafetensors({}, { framework: 'pt' });
  assert.deepEqual([...withMeta], [...le64(40), ...ascii('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32]);
  assert.deepEqual(decodeSafetensors(withMeta), { tensors: {}, metadata: { framework: 'pt' } });
  assert.deepEqual(decodeSafetensors(encodeSafetensors({})), { tensors: {}, metadata: {} });
});

test('byte-for-byte: one F32 tensor, header already aligned and header needing padding', () => {
  const data = new Float32Array([0, 1, 2, 3, 4, 5]);
  // 1.0f = 0x3f800000 -> little-endian 00 00 80 3f; 2.0f = 0x40000000; 3.0f = 0x40400000; ...
  const dataBytes = [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64];
  const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header.length, 64); // a multiple of 8: no padding
  const out = encodeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } });
  assert.deepEqual([...out], [64, 0, 0, 0, 0, 0, 0, 0, ...ascii(header), ...dataBytes]);

  const header2 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header2.length, 65); // padded with 7 spaces to 72
  const out2 = encodeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } });
  assert.deepEqual([...out2], [72, 0, 0, 0, 0, 0, 0, 0, ...ascii(header2), 32, 32, 32, 32, 32, 32, 32, ...dataBytes]);
  const back = decodeSafetensors(out2).tensors.attn0;
  assert.deepEqual(back, { dtype: 'F32', shape: [1, 1, 2, 3], data });
});

test('order: dtype alignment descending, then name in UTF-8 byte order; metadata first, keys sorted', () => {
  const t = (dtype: SafeTensor['dtype'], n: number): SafeTensor => {
    const data =
      dtype === 'F32' ? new Float32Array(n) : dtype === 'F64' ? new Float64Array(n)
      : dtype === 'I32' ? new Int32Array(n) : dtype === 'I64' ? new BigInt64Array(n)
      : dtype === 'U8' ? new Uint8Array(n) : new Uint16Array(n);
    return { dtype, shape: [n], data };
  };
  const out = encodeSafetensors(
    { b: t('U8', 1), a: t('U8', 2), w: t('F16', 1), x: t('BF16', 1), y: t('I32', 1), z: t('F32', 1),
      d: t('F64', 1), c: t('I64', 1), '9': t('F32', 0), '10': t('F32', 0) },
    { z: '1', '2': 'two', a: 'x' },
  );
  const expected =
    '{"__metadata__":{"2":"two","a":"x","z":"1"},' +
    '"c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},' +
    '"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},' +
    '"10":{"dtype":"F32","shape":[0],"data_offsets":[16,16]},' + // "10" < "9" < "z" bytewise
    '"9":{"dtype":"F32","shape":[0],"data_offsets":[16,16]},' +
    '"z":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},' +
    '"y":{"dtype":"I32","shape":[1],"data_offsets":[20,24]},' +
    '"x":{"dtype":"BF16","shape":[1],"data_offsets":[24,26]},' +
    '"w":{"dtype":"F16","shape":[1],"data_offsets":[26,28]},' +
    '"a":{"dtype":"U8","shape":[2],"data_offsets":[28,30]},' +
    '"b":{"dtype":"U8","shape":[1],"data_offsets":[30,31]}}';
  assert.deepEqual([...out], [...file(expected), ...new Array(31).fill(0)]);

  // U+FF01 sorts after U+1F600 in UTF-16 (0xFF01 > 0xD83D) but before it in UTF-8 / code points.
  const emoji = decodeSafetensors(encodeSafetensors({ '😀': t('U8', 1), '！': t('U8', 1) })).tensors;
  assert.deepEqual(Object.keys(emoji), ['！', '😀']); // decoded in file order
});

/** Every dtype with the awkward values: NaN payloads, -0, subnormals, extremes. */
function awkwardStateDict(): Record<string, SafeTensor> {
  const f32 = new Float32Array(new Uint32Array([
    0x7fc00001, 0xffc00000, 0x7f800001, 0x7f800000, 0xff800000, 0x80000000, 0x00000001, 0x007fffff,
    0x7f7fffff, 0x3f800000, 0xbeaaaaab,
  ]).buffer);
  const f64 = new Float64Array(new BigUint64Array([
    0x7ff8000000000001n, 0x7ff0000000000001n, 0xfff8000000000000n, 0x8000000000000000n, 1n,
    0x7fefffffffffffffn, 0x3ff0000000000000n,
  ]).buffer);
  const all16 = Uint16Array.from({ length: 0x10000 }, (_, i) => i); // includes NaNs, -0, subnormals
  return {
    'h.0.attn.c_attn.weight': { dtype: 'F32', shape: [11], data: f32 },
    'h.0.attn.c_attn.bias': { dtype: 'F32', shape: [], data: new Float32Array([-0]) },
    'wpe.weight': { dtype: 'F64', shape: [7, 1], data: f64 },
    'half.f16': { dtype: 'F16', shape: [256, 256], data: all16 },
    'half.bf16': { dtype: 'BF16', shape: [0x10000], data: all16.slice() },
    'labels': { dtype: 'I32', shape: [2, 2], data: new Int32Array([-2147483648, 2147483647, -1, 0]) },
    'steps': { dtype: 'I64', shape: [3], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -1n]) },
    'bytes': { dtype: 'U8', shape: [256], data: Uint8Array.from({ length: 256 }, (_, i) => i) },
    'empty': { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
  };
}

function assertBitExact(got: Record<string, SafeTensor>, want: Record<string, SafeTensor>): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    assert.equal(g.dtype, w.dtype, name);
    assert.deepEqual(g.shape, w.shape, name);
    assert.equal(g.data.constructor, w.data.constructor, name);
    assert.deepEqual(bytesOf(g.data), bytesOf(w.data), name);
  }
}

test('a state dict round-trips bit-exactly for every dtype, and re-encodes to the same bytes', () => {
  const sd = awkwardStateDict();
  const bytes = encodeSafetensors(sd, { format: 'pt', note: 'ünïcode ✓' });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assertBitExact(tensors, sd);
  assert.deepEqual(metadata, { format: 'pt', note: 'ünïcode ✓' });
  assert.deepEqual([...encodeSafetensors(tensors, metadata)], [...bytes]);
  for (const t of Object.values(tensors)) assert.equal(t.data.byteOffset % t.data.BYTES_PER_ELEMENT, 0);
});

test('decoding copies: works from an unaligned view, and results do not alias the input', () => {
  const sd = { w: { dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2.25]) } } satisfies Record<string, SafeTensor>;
  const bytes = encodeSafetensors(sd);
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const view = shifted.subarray(3);
  const { tensors } = decodeSafetensors(view);
  assert.deepEqual([...tensors.w.data], [1.5, -2.25]);
  view.fill(0, bytes.length - 16);
  assert.deepEqual([...tensors.w.data], [1.5, -2.25]);
  // a Buffer from a shared pool, where slice() would be a view into other data
  const pooled = Buffer.concat([Buffer.alloc(5, 9), Buffer.from(bytes)]).subarray(5);
  assert.deepEqual([...decodeSafetensors(pooled).tensors.w.data], [1.5, -2.25]);
});

test('little-endian on any host: the big-endian path swaps each element and reads it back', () => {
  const f32 = new Float32Array(new Uint32Array([0x01020304, 0x7f800001]).buffer); // a NaN payload too
  const le = littleEndianBytes(f32, 'F32', true);
  assert.equal(le.buffer, f32.buffer); // a view: no copy on little-endian hosts
  const be = littleEndianBytes(f32, 'F32', false);
  assert.deepEqual([...be], [...le.slice(0, 4).reverse(), ...le.slice(4).reverse()]);
  assert.deepEqual(bytesOf(f32), bytesOf(new Uint32Array([0x01020304, 0x7f800001]))); // source untouched
  assert.deepEqual(bytesOf(adoptLittleEndian(new Uint8Array(be), 'F32', false)), bytesOf(f32));
  const i64 = new BigInt64Array([0x0102030405060708n]);
  assert.deepEqual([...littleEndianBytes(i64, 'I64', false)], [1, 2, 3, 4, 5, 6, 7, 8]);
  const back = adoptLittleEndian(littleEndianBytes(i64, 'I64', false), 'I64', false) as BigInt64Array;
  assert.equal(back[0], 0x0102030405060708n);
});

test('saveSafetensors / loadSafetensors round-trip through a file; errors name the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-st-'));
  try {
    const path = join(dir, 'model.safetensors');
    const sd = awkwardStateDict();
    await saveSafetensors(path, sd, { step: '7' });
    const back = await loadSafetensors(path);
    assertBitExact(back.tensors, sd);
    assert.deepEqual(back.metadata, { step: '7' });
    assert.ok(readFileSync(path).equals(encodeSafetensors(sd, { step: '7' }))); // streamed == in memory
    await saveSafetensors(path, {});
    assert.deepEqual(await loadSafetensors(path), { tensors: {}, metadata: {} });

    // the file reader applies the same checks as decodeSafetensors
    const cases: Array<[number[] | Uint8Array, SafetensorsPart, RegExp]> = [
      [[1, 2, 3], 'header length', /file is 3 bytes/],
      [encodeSafetensors(sd).subarray(0, 40), 'header length', /truncated file/],
      [file('{"a":'), 'header', /not valid JSON/],
      [file('{}', [0]), 'data', /1 bytes belong to no tensor/],
    ];
    for (const [bytes, part, pattern] of cases) {
      const p = join(dir, 'case.safetensors');
      writeFileSync(p, Uint8Array.from(bytes));
      await assert.rejects(loadSafetensors(p), (e: unknown) => e instanceof SafetensorsError && e.part === part && pattern.test(e.message));
    }
    await assert.rejects(loadSafetensors(join(dir, 'missing.safetensors')), { code: 'ENOENT' });

    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 0, 0]));
    await assert.rejects(loadSafetensors(bad), (e: unknown) => {
      assert.ok(e instanceof SafetensorsError);
      assert.equal(e.path, bad);
      assert.equal(e.tensor, 'w');
      assert.ok(e.message.startsWith(`${bad}: safetensors tensor info (tensor "w"): `), e.message);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('toFloat32 and fromFloat32', () => {
  const f32 = new Float32Array([1, -2]);
  assert.equal(toFloat32({ dtype: 'F32', shape: [2], data: f32 }), f32);
  assert.deepEqual([...toFloat32({ dtype: 'F64', shape: [2], data: new Float64Array([0.1, 3]) })], [Math.fround(0.1), 3]);
  // F16 0x3c00 = 1, 0xc000 = -2, 0x0001 = 2^-24, 0x7c00 = Infinity; BF16 0x3f80 = 1, 0xc000 = -2
  assert.deepEqual([...toFloat32({ dtype: 'F16', shape: [4], data: new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7c00]) })], [1, -2, 2 ** -24, Infinity]);
  assert.deepEqual([...toFloat32({ dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xc000]) })], [1, -2]);
  // NaN payload 0x7e01 widens to 0x7fc02000 exactly
  const nan = toFloat32({ dtype: 'F16', shape: [1], data: new Uint16Array([0x7e01]) });
  assert.equal(new Uint32Array(nan.buffer)[0], 0x7fc02000);
  assert.throws(() => toFloat32({ dtype: 'I32', shape: [1], data: new Int32Array(1) }), TypeError);
  assert.throws(() => toFloat32({ dtype: 'F16', shape: [1], data: new Float32Array(1) }), TypeError);

  const values = new Float32Array([1, 0.1, -0, 65504]);
  assert.deepEqual([...fromFloat32(values, [4], 'F16').data], [0x3c00, 0x2e66, 0x8000, 0x7bff]);
  assert.deepEqual([...fromFloat32(values, [4], 'BF16').data], [0x3f80, 0x3dcd, 0x8000, 0x4780]);
  assert.equal(fromFloat32(values, [4]).data, values);
  assert.deepEqual([...toFloat32(fromFloat32(values, [4], 'F64'))], [...values]);
});

function rejects(bytes: Uint8Array, part: SafetensorsPart, pattern: RegExp, tensor?: string): void {
  assert.throws(() => decodeSafetensors(bytes), (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, `not a SafetensorsError: ${String(e)}`);
    assert.equal(e.part, part, e.message);
    assert.equal(e.tensor, tensor, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

const entry = (dtype: string, shape: unknown, offsets: unknown): string =>
  JSON.stringify({ dtype, shape, data_offsets: offsets });

test('malformed: short file, header length, header encoding and JSON', () => {
  rejects(new Uint8Array(0), 'header length', /file is 0 bytes, too short/);
  rejects(new Uint8Array(7), 'header length', /file is 7 bytes/);
  const valid = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } });
  rejects(valid.subarray(0, 20), 'header length', /only 12 bytes follow \(truncated file\?\)/);
  rejects(Uint8Array.from([...le64(16), ...ascii('{}')]), 'header length', /16 bytes of header/);
  rejects(Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, ...ascii('{}')]), 'header length', /over the 100000000-byte limit/);
  rejects(Uint8Array.from([255, 255, 255, 255, 255, 255, 255, 255]), 'header length', /18446744073709551615 bytes is over/);
  rejects(file('{"a":"\xff"}').map((b) => (b === 0xc3 ? 0xff : b)), 'header', /not valid UTF-8/);
  rejects(file('{"a":'), 'header', /not valid JSON/);
  rejects(Uint8Array.from([...le64(5), 0xef, 0xbb, 0xbf, ...ascii('{}')]), 'header', /not valid JSON/); // BOM
  rejects(file('[]'), 'header', /must be a JSON object, got \[\]/);
  rejects(file('null'), 'header', /must be a JSON object, got null/);
  rejects(file('"x"'), 'header', /must be a JSON object/);
  rejects(file('{"\\ud800":{}}'), 'header', /not valid Unicode/);
});

test('malformed: dtype, shape and data_offsets of a tensor', () => {
  const one = (e: string, data: number[] = [0, 0, 0, 0]): Uint8Array => file(`{"w":${e}}`, data);
  rejects(one('3'), 'tensor info', /expected \{dtype, shape, data_offsets\}, got 3/, 'w');
  rejects(one(entry('I8', [4], [0, 4])), 'tensor info', /unsupported dtype "I8" \(supported: /, 'w');
  rejects(one(entry('float32', [1], [0, 4])), 'tensor info', /unsupported dtype "float32"/, 'w');
  rejects(one('{"shape":[1],"data_offsets":[0,4]}'), 'tensor info', /unsupported dtype undefined/, 'w');
  rejects(one(entry('F32', [-1], [0, 4])), 'tensor info', /non-negative integers, got -1/, 'w');
  rejects(one(entry('F32', [1.5], [0, 4])), 'tensor info', /non-negative integers, got 1.5/, 'w');
  rejects(one(entry('F32', ['1'], [0, 4])), 'tensor info', /non-negative integers, got "1"/, 'w');
  rejects(one(entry('F32', 1, [0, 4])), 'tensor info', /shape must be an array/, 'w');
  rejects(one(entry('F32', [2 ** 30, 2 ** 30, 2 ** 30], [0, 4])), 'tensor info', /too many elements/, 'w');
  rejects(one('{"dtype":"F32","shape":[1]}'), 'tensor info', /data_offsets must be \[begin, end\]/, 'w');
  rejects(one(entry('F32', [1], [0])), 'tensor info', /data_offsets must be/, 'w');
  rejects(one(entry('F32', [1], [0, 4, 8])), 'tensor info', /data_offsets must be/, 'w');
  rejects(one(entry('F32', [1], [-4, 0])), 'tensor info', /data_offsets must be/, 'w');
  rejects(one(entry('F32', [1], [0.5, 4])), 'tensor info', /data_offsets must be/, 'w');
  rejects(one(entry('F32', [1], ['0', '4'])), 'tensor info', /data_offsets must be/, 'w');
  rejects(one(entry('F32', [1], [0, 2 ** 60])), 'tensor info', /data_offsets must be/, 'w'); // not exact in JSON
  rejects(one(entry('F32', [1], [4, 0])), 'tensor info', /\[4, 0\] end before they begin/, 'w');
  rejects(one(entry('F32', [2], [0, 8])), 'tensor info', /\[0, 8\] end past the 4-byte data buffer/, 'w');
  rejects(one(entry('F32', [2, 2], [0, 4])), 'tensor info', /hold 4 bytes, but F32 \[2,2\] needs 16/, 'w');
  rejects(one(entry('F64', [1], [0, 4])), 'tensor info', /hold 4 bytes, but F64 \[1\] needs 8/, 'w');
});

test('malformed: overlapping ranges, holes, uncovered bytes, truncated data', () => {
  const two = (a: unknown, b: unknown, n: number): Uint8Array =>
    file(`{"a":${entry('F32', [1], a)},"b":${entry('F32', [1], b)}}`, new Array(n).fill(0));
  rejects(two([0, 4], [2, 6], 6), 'data', /range \[2, 6\] overlaps tensor "a" at \[0, 4\]/, 'b');
  rejects(two([0, 4], [0, 4], 4), 'data', /overlaps tensor "a"/, 'b');
  rejects(two([0, 4], [8, 12], 12), 'data', /range \[8, 12\] leaves a 4-byte hole after tensor "a"/, 'b');
  rejects(two([4, 8], [8, 12], 12), 'data', /leaves a 4-byte hole after the start of the buffer/, 'a');
  rejects(two([0, 4], [4, 8], 12), 'data', /tensors cover 8 bytes, but the buffer has 12: 4 bytes belong to no tensor/);
  rejects(file('{}', [1]), 'data', /tensors cover 0 bytes, but the buffer has 1/);
  // a valid file cut anywhere in its data
  const valid = two([0, 4], [4, 8], 8);
  for (let cut = valid.length - 8; cut < valid.length; cut++) {
    rejects(valid.subarray(0, cut), 'tensor info', /end past the \d-byte data buffer \(truncated file\?\)/, cut < valid.length - 4 ? 'a' : 'b');
  }
  assert.deepEqual(Object.keys(decodeSafetensors(valid).tensors), ['a', 'b']);
});

test('malformed: __metadata__', () => {
  rejects(file('{"__metadata__":{"a":1}}'), 'metadata', /value of "a" must be a string, got 1/);
  rejects(file('{"__metadata__":["a"]}'), 'metadata', /must be an object of strings/);
  rejects(file('{"__metadata__":"a"}'), 'metadata', /must be an object of strings/);
  rejects(file('{"__metadata__":{"a":"\\udc00"}}'), 'metadata', /not valid Unicode/);
  assert.deepEqual(decodeSafetensors(file('{"__metadata__":null}')), { tensors: {}, metadata: {} });
  // "__proto__" is an ordinary name, not a prototype
  const odd = decodeSafetensors(file(`{"__metadata__":{"__proto__":"x"},"__proto__":${entry('U8', [1], [0, 1])}}`, [7]));
  assert.equal(Object.getPrototypeOf(odd.tensors), Object.prototype);
  assert.deepEqual([...odd.tensors['__proto__'].data], [7]);
  assert.equal(odd.metadata['__proto__'], 'x');
});

test('the writer refuses bad input with SafetensorsError', () => {
  const bad = (tensors: Record<string, unknown>, pattern: RegExp, metadata?: Record<string, unknown>): void => {
    assert.throws(
      () => encodeSafetensors(tensors as Record<string, SafeTensor>, metadata as Record<string, string>),
      (e: unknown) => e instanceof SafetensorsError && e.part === 'input' && pattern.test(e.message),
    );
  };
  const ok = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
  bad({ __metadata__: ok }, /reserved/);
  bad({ w: { ...ok, dtype: 'I8' } }, /unsupported dtype "I8"/);
  bad({ w: { ...ok, shape: [-1] } }, /non-negative integers/);
  bad({ w: { ...ok, data: new Float64Array(1) } }, /F32 data must be a Float32Array, got Float64Array/);
  bad({ w: { dtype: 'F16', shape: [1], data: new Float32Array(1) } }, /F16 data must be a Uint16Array/);
  bad({ w: { ...ok, shape: [2] } }, /shape \[2\] has 2 elements but data has 1/);
  bad({ w: null }, /expected \{dtype, shape, data\}/);
  bad({ '\ud800': ok }, /not valid Unicode/);
  bad({}, /metadata value of "a" must be a string/, { a: 1 });
});

/** A small seeded generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Decoding garbage either succeeds (and then re-encodes) or throws SafetensorsError; nothing else. */
function decodeOrReject(bytes: Uint8Array): boolean {
  try {
    const { tensors, metadata } = decodeSafetensors(bytes);
    decodeSafetensors(encodeSafetensors(tensors, metadata));
    return true;
  } catch (e) {
    if (e instanceof SafetensorsError) return false;
    throw new Error(`unexpected ${String(e)} on [${[...bytes.subarray(0, 64)].join(',')}...]`);
  }
}

test('fuzz: random bytes and mutated valid files never crash, hang or escape SafetensorsError', () => {
  const random = rng(20240601);
  const int = (n: number): number => Math.floor(random() * n);
  for (let i = 0; i < 1500; i++) {
    const bytes = Uint8Array.from({ length: int(96) }, () => int(256));
    if (bytes.length >= 8 && i % 2 === 0) bytes.set(le64(int(bytes.length)), 0); // a plausible length
    decodeOrReject(bytes);
  }

  const sd = awkwardStateDict();
  delete sd['half.f16'];
  delete sd['half.bf16'];
  sd.small16 = { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0x7e01]) };
  const valid = encodeSafetensors(sd, { format: 'pt' });
  const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    let bytes = valid.slice();
    const at = i % 3 === 0 ? 8 + int(headerEnd - 8) : int(bytes.length); // favour the header
    switch (i % 6) {
      case 0:
        bytes[at] ^= 1 << int(8);
        break;
      case 1:
        bytes[at] = int(256);
        break;
      case 2:
        bytes = bytes.slice(0, int(bytes.length));
        break;
      case 3: {
        const grown = new Uint8Array(bytes.length + 1);
        grown.set(bytes.subarray(0, at));
        grown[at] = int(256);
        grown.set(bytes.subarray(at), at + 1);
        bytes = grown;
        break;
      }
      case 4: {
        // swap a digit in the header for another: shapes and offsets disagree
        const digits = [...bytes.subarray(8, headerEnd).keys()].filter((k) => bytes[8 + k] >= 48 && bytes[8 + k] <= 57);
        bytes[8 + digits[int(digits.length)]] = 48 + int(10);
        break;
      }
      default:
        bytes[int(8)] = int(256); // the length field
    }
    if (decodeOrReject(bytes)) accepted++;
  }
  assert.ok(accepted > 0 && accepted < 3000, `accepted ${accepted}`); // mutations of data bytes stay valid
});
