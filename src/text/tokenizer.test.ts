// Tests for the Tokenizer: round trips, special tokens, offsets, decoding bad bytes, files and errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from './tokenizer.js';
import { dataset, fuzzText, GPT2_FILES, takeBytes } from './test-corpus.js';

const gpt2 = Tokenizer.fromFile(GPT2_FILES);
const english = takeBytes(dataset('jane_austen/prideprejudice.txt'), 200_000);
const chinese = takeBytes(dataset('chinese_poetry/tang_shi.csv'), 200_000);
const small = Tokenizer.train([english, chinese], { vocabSize: 1000, specialTokens: ['<|endoftext|>'] });

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-tok-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('decode(encode(s)) === s on fuzzed text (well-formed UTF-16), for GPT-2 and a trained vocabulary', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const s = '\ufeff' + fuzzText(seed, 3000).replace(/\p{Cs}/gu, '') + '  ';
    for (const tok of [gpt2, small]) assert.equal(tok.decode(tok.encode(s)), s, `seed ${seed}`);
  }
  // Lone surrogates cannot be UTF-8: they come back as U+FFFD, as in tiktoken.
  assert.equal(gpt2.decode(gpt2.encode('a\ud800b\udfff')), 'a\ufffdb\ufffd');
});

test('a vocabulary trained in seconds round-trips and compresses both languages', () => {
  for (const text of [english.slice(0, 20_000), chinese.slice(0, 20_000)]) {
    const ids = small.encode(text);
    assert.equal(small.decode(ids), text);
    assert.ok(ids.length < Buffer.byteLength(text) / 1.8, `${ids.length} ids for ${Buffer.byteLength(text)} bytes`);
  }
  assert.equal(small.vocabSize, 1000);
  assert.equal(small.tokenToId('<|endoftext|>'), 0);
});

test('special tokens: matched by default, plain text with allowSpecial: false, skipped on request', () => {
  const ids = gpt2.encode('a<|endoftext|>b');
  assert.deepEqual(ids, [64, 50256, 65]);
  assert.deepEqual(gpt2.encode('a<|endoftext|>b', { allowSpecial: false }), [64, 27, 91, 437, 1659, 5239, 91, 29, 65]);
  assert.equal(gpt2.decode(ids), 'a<|endoftext|>b');
  assert.equal(gpt2.decode(ids, { skipSpecialTokens: true }), 'ab');
  assert.deepEqual(gpt2.specialTokens, [{ content: '<|endoftext|>', id: 50256 }]);
  assert.deepEqual(gpt2.encodeBatch(['Hello', ' world']), [[15496], [995]]);
});

test('decoding: a cut multi-byte character becomes U+FFFD (as GPT-2), unknown ids are a RangeError', () => {
  const ids = gpt2.encode('龘'); // E9 BE 98 in 2 tokens: 'é¾' + 'ĺ'
  assert.deepEqual(ids, [11737, 246]);
  assert.equal(gpt2.decode(ids.slice(0, 1)), '\ufffd');
  assert.equal(gpt2.decode([...ids.slice(0, 1), 64]), '\ufffda');
  assert.deepEqual([...gpt2.decodeBytes(ids)], [0xe9, 0xbe, 0x98]);
  assert.throws(() => gpt2.decode([50257]), /unknown token id 50257/);
  assert.throws(() => gpt2.decode([-1]), RangeError);
});

test('offsets are UTF-16 spans; a token holding part of a character spans the whole character', () => {
  const text = 'Hello 中文😀!<|endoftext|> x';
  const { ids, offsets } = gpt2.encodeWithOffsets(text);
  assert.deepEqual(ids, gpt2.encode(text));
  for (let i = 0; i < ids.length; i++) {
    const [s, e] = offsets[i]!;
    assert.ok(s < e && e <= text.length && (i === 0 || s >= offsets[i - 1]![0]));
    const piece = gpt2.decode([ids[i]!]);
    if (!piece.includes('\ufffd')) assert.equal(text.slice(s, e), piece);
  }
  // 'Hello' ' ' 中 文(2 tokens) 😀(2 tokens, 2 UTF-16 units) ! <|endoftext|> ' x'
  assert.deepEqual(offsets, [[0, 5], [5, 6], [6, 7], [7, 8], [7, 8], [8, 10], [8, 10], [10, 11], [11, 24], [24, 26]]);
});

test('trainFromFiles reads UTF-8 files; empty and non-UTF-8 files are clear errors', () => {
  withDir((dir) => {
    const a = join(dir, 'a.txt');
    const b = join(dir, 'b.txt');
    writeFileSync(a, '\ufeff' + english.slice(0, 30_000));
    writeFileSync(b, chinese.slice(0, 30_000));
    const tok = Tokenizer.trainFromFiles([a, b], { vocabSize: 400 });
    assert.deepEqual(tok.encode(english.slice(0, 5000)), Tokenizer.train([english.slice(0, 30_000), chinese.slice(0, 30_000)], { vocabSize: 400 }).encode(english.slice(0, 5000)));
    writeFileSync(join(dir, 'empty.txt'), '');
    assert.throws(() => Tokenizer.trainFromFiles([a, join(dir, 'empty.txt')], { vocabSize: 300 }), /empty\.txt: file is empty/);
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from('caf\xe9', 'latin1'));
    assert.throws(() => Tokenizer.trainFromFiles([join(dir, 'latin1.txt')], { vocabSize: 300 }), /latin1\.txt: not valid UTF-8 \(first bad byte at offset 3\)/);
    assert.throws(() => Tokenizer.trainFromFiles([join(dir, 'nope.txt')], { vocabSize: 300 }), /nope\.txt: no such file/);
  });
});

test('save -> fromFile and toJSON -> fromJSON give the same ids', () => {
  withDir((dir) => {
    const path = join(dir, 'tokenizer.json');
    small.save(path);
    const text = english.slice(0, 3000) + '<|endoftext|>' + chinese.slice(0, 3000);
    assert.deepEqual(Tokenizer.fromFile(path).encode(text), small.encode(text));
    assert.deepEqual(Tokenizer.fromJSON(JSON.stringify(small)).encode(text), small.encode(text));
    assert.deepEqual(Tokenizer.fromFile(dir).encode(text), small.encode(text)); // a folder with tokenizer.json
  });
});
