// Tests for UTF-8 encoding (lone surrogates -> U+FFFD), lenient decoding and validation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { decodeUtf8, encodeUtf8Into, firstInvalidUtf8 } from './utf8.js';
import { fuzzText, rng } from './test-corpus.js';

test('encodeUtf8Into equals TextEncoder, lone surrogates included', () => {
  const enc = new TextEncoder();
  for (let seed = 1; seed <= 20; seed++) {
    const s = fuzzText(seed, 500);
    const out = new Uint8Array(s.length * 3);
    const n = encodeUtf8Into(s, 0, s.length, out);
    assert.deepEqual(out.subarray(0, n), enc.encode(s));
  }
  const out = new Uint8Array(9);
  // A pair cut by the range end is a lone high surrogate: EF BF BD.
  assert.deepEqual([...out.subarray(0, encodeUtf8Into('a😀', 0, 2, out))], [0x61, 0xef, 0xbf, 0xbd]);
});

test('decodeUtf8 keeps a leading BOM and replaces bad bytes with U+FFFD', () => {
  assert.equal(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), '\ufeffa');
  assert.equal(decodeUtf8(new Uint8Array([0x61, 0xe4, 0xb8, 0x62])), 'a\ufffdb'); // truncated 中
  assert.equal(decodeUtf8(new Uint8Array([0xff, 0xfe])), '\ufffd\ufffd');
});

test('firstInvalidUtf8 agrees with isUtf8 and points at the bad byte', () => {
  assert.equal(firstInvalidUtf8(new TextEncoder().encode('héllo 中文 😀')), -1);
  assert.equal(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xc3])), 2);
  assert.equal(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80])), 0); // encoded surrogate
  assert.equal(firstInvalidUtf8(new Uint8Array([0xc0, 0x80])), 0); // overlong
  assert.equal(firstInvalidUtf8(new Uint8Array([0xf4, 0x90, 0x80, 0x80])), 0); // > U+10FFFF
  const r = rng(3);
  for (let k = 0; k < 2000; k++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => (r() < 0.5 ? 0x80 + Math.floor(r() * 0x80) : Math.floor(r() * 256)));
    assert.equal(firstInvalidUtf8(bytes) === -1, isUtf8(bytes), `bytes ${[...bytes]}`);
  }
});
