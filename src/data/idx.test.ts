// IDX reader: hand-built bytes, every element type round trip, gzip, errors, and the real Fashion-MNIST files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { parseIdx, readIdx, encodeIdx, type IdxArray } from './idx.js';
import { fixturePath } from './test-datasets.js';

test('parses hand-built bytes: a 2x3 uint8 matrix', () => {
  // magic 00 00 08 02, dims 2 and 3 (big-endian), then six bytes.
  const bytes = Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 250, 251, 252);
  const a = parseIdx(bytes);
  assert.equal(a.type, 'uint8');
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 250, 251, 252]);
  // Big-endian int32: 00 00 01 00 = 256, ff ff ff ff = -1.
  const b = parseIdx(Uint8Array.of(0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 1, 0, 255, 255, 255, 255));
  assert.deepEqual(Array.from(b.data), [256, -1]);
});

test('every element type survives encode -> gzip -> parse', () => {
  const cases: IdxArray[] = [
    { type: 'int8', shape: [3], data: Int8Array.of(-128, 0, 127) },
    { type: 'int16', shape: [2, 1], data: Int16Array.of(-300, 300) },
    { type: 'int32', shape: [2], data: Int32Array.of(-70000, 70000) },
    { type: 'float32', shape: [1, 2], data: Float32Array.of(1.5, -0.25) },
    { type: 'float64', shape: [2], data: Float64Array.of(Math.PI, -1e300) },
  ];
  for (const c of cases) {
    const back = parseIdx(gzipSync(encodeIdx(c)));
    assert.equal(back.type, c.type);
    assert.deepEqual(back.shape, c.shape);
    assert.deepEqual(Array.from(back.data), Array.from(c.data));
  }
});

test('malformed files are clear errors', () => {
  assert.throws(() => parseIdx(Uint8Array.of(1, 2, 8, 1), 'x.idx'), /x\.idx: not an IDX file/);
  assert.throws(() => parseIdx(Uint8Array.of(0, 0, 7, 1, 0, 0, 0, 1, 0)), /unknown IDX element type 0x7/);
  assert.throws(() => parseIdx(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 5, 1, 2)), /truncated data: shape \[5\] needs 13 bytes, the file has 10/);
  assert.throws(() => parseIdx(Uint8Array.of(0, 0, 8, 3, 0)), /truncated header/);
  assert.throws(() => readIdx('/nonexistent/t10k.idx'), /no such file/);
});

test('reads real Fashion-MNIST files (the committed cut): 200 dev images of 28x28, every label', () => {
  const images = readIdx(fixturePath('fashion_mnist/small/dev-images-idx3-ubyte.gz'));
  const labels = readIdx(fixturePath('fashion_mnist/small/dev-labels-idx1-ubyte.gz'));
  assert.equal(images.type, 'uint8');
  assert.deepEqual(images.shape, [200, 28, 28]);
  assert.deepEqual(labels.shape, [200]);
  const counts = new Array<number>(10).fill(0);
  for (const l of labels.data) counts[l]!++;
  assert.ok(counts.every((c) => c > 0), `label counts ${counts}`);
  // Pixels span the full byte range.
  let max = 0;
  for (const v of images.data) max = Math.max(max, v);
  assert.equal(max, 255);
});

test('encodeIdx refuses what its own reader would reject or store wrongly', () => {
  assert.throws(() => encodeIdx({ type: 'uint8', shape: [2, 2], data: Uint8Array.of(1, 2, 3) }), /data has 3 values, shape \[2, 2\] holds 4/);
  assert.throws(() => encodeIdx({ type: 'uint8', shape: [1], data: [300] as never }), /value 300 at 0 does not fit uint8 \(0\.\.255\)/);
  assert.throws(() => encodeIdx({ type: undefined as never, shape: [1], data: Uint8Array.of(1) }), /type must be one of uint8, int8, int16, int32, float32, float64, got undefined/);
});
