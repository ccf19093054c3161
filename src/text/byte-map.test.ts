// Tests for GPT-2's byte-to-unicode map.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BYTE_ORDER, BYTE_TO_CHAR, bytesToToken, tokenToBytes } from './byte-map.js';
import { GPT2_FILES } from './test-corpus.js';

test('256 distinct single characters; printable bytes map to themselves', () => {
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(BYTE_TO_CHAR[0x41], 'A');
  assert.equal(BYTE_TO_CHAR[0x20], 'Ġ'); // space is the 33rd non-printable: 0x100 + 32 = 0x120
  assert.equal(BYTE_TO_CHAR[0x0a], 'Ċ'); // 0x100 + 10
  assert.equal(BYTE_TO_CHAR[0x00], 'Ā');
  assert.equal(BYTE_TO_CHAR[0xad], 'Ń'); // soft hyphen, the last remapped byte: 0x100 + 67
});

test('the byte order equals GPT-2 ids 0..255 in encoder.json', () => {
  const encoder = JSON.parse(readFileSync(join(GPT2_FILES, 'encoder.json'), 'utf8')) as Record<string, number>;
  BYTE_ORDER.forEach((b, id) => assert.equal(encoder[BYTE_TO_CHAR[b]!], id));
});

test('bytes <-> token strings round-trip; chars outside the map give null', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(tokenToBytes(bytesToToken(all)), all);
  assert.equal(tokenToBytes('<unk>x\u4e2d'), null);
});
