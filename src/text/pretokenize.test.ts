// Tests that the hand-written GPT-2 pre-tokenizer returns exactly the regex's matches.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPT2_PATTERN, pretokenize } from './pretokenize.js';
import { dataset, fuzzText, takeBytes } from './test-corpus.js';

const regex = (s: string) => s.match(new RegExp(GPT2_PATTERN, 'gu')) ?? [];

test('hand-checked splits', () => {
  assert.deepEqual(pretokenize("Hello  world's 42!"), ['Hello', ' ', ' world', "'s", ' 42', '!']);
  assert.deepEqual(pretokenize('a \n\nb'), ['a', ' \n', '\n', 'b']); // a whitespace run gives up its last char
  assert.deepEqual(pretokenize(" 's"), [" '", 's']); // contractions only at a piece start
  assert.deepEqual(pretokenize('中文，测试。 123abc'), ['中文', '，', '测试', '。', ' 123', 'abc']);
  assert.deepEqual(pretokenize('x\ud800y'), ['x', '\ud800', 'y']);
  assert.deepEqual(pretokenize(''), []);
});

test('equals the regex on fuzz text (whitespace runs, emoji, lone surrogates, random code points)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const s = fuzzText(seed, 2000);
    assert.deepEqual(pretokenize(s), regex(s), `seed ${seed}`);
  }
});

test('equals the regex on English and Chinese prose', () => {
  for (const path of ['jane_austen/emma.txt', 'fortunes_zh/chinese_fortunes.txt', 'debian_reference/debian_reference_zh_cn.txt']) {
    const s = takeBytes(dataset(path), 100_000);
    assert.deepEqual(pretokenize(s), regex(s), path);
  }
});
