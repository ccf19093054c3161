// tokenizer.json interop: files moxing writes load in @huggingface/tokenizers with the same ids, and
// files in the layouts tokenizers saves load in moxing with the same ids; malformed files fail clearly.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer } from './tokenizer.js';
import { dataset, fuzzText, mixedCorpus, REPO_ROOT, takeBytes } from './test-corpus.js';

const FIXTURES = join(REPO_ROOT, 'src', 'text', 'fixtures');
const corpus = mixedCorpus(150_000, 11);
const hfIds = (json: unknown, text: string) => new HfTokenizer(json as object, {}).encode(text).ids;

const trained = Tokenizer.train(
  [takeBytes(dataset('jane_austen/emma.txt'), 300_000), takeBytes(dataset('fortunes_zh/chinese_fortunes.txt'), 300_000)],
  { vocabSize: 1500, specialTokens: ['<|endoftext|>', '<|pad|>'] },
);

test('a trained tokenizer.json written by moxing loads in @huggingface/tokenizers with the same ids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-tok-'));
  try {
    const path = join(dir, 'tokenizer.json');
    trained.save(path);
    assert.deepEqual(readdirSync(dir), ['tokenizer.json']); // the temp file was renamed away
    const json = JSON.parse(readFileSync(path, 'utf8')) as object;
    const text = `${corpus.slice(0, 60_000)}<|endoftext|>${corpus.slice(60_000)}<|pad|><|pad|>`;
    const ids = trained.encode(text);
    assert.ok(ids.includes(0) && ids.includes(1));
    assert.deepEqual(hfIds(json, text), ids);
    const hf = new HfTokenizer(json, {});
    const clean = fuzzText(5, 3000).replace(/\p{Cs}/gu, '');
    assert.equal(hf.decode(trained.encode(clean), { clean_up_tokenization_spaces: false }), clean);

    trained.save(path, { merges: 'strings' });
    const legacy = JSON.parse(readFileSync(path, 'utf8')) as { model: { merges: unknown[] } };
    assert.equal(typeof legacy.model.merges[0], 'string');
    assert.deepEqual(hfIds(legacy, text), ids);
    assert.deepEqual(Tokenizer.fromFile(path).encode(text), ids);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the vocabulary is written in id order, digits-only tokens included', () => {
  const full = tokenizerText(trained);
  const text = full.slice(full.indexOf('"vocab": {'), full.indexOf('"merges": ['));
  const ids = [...text.matchAll(/^ {6}"(?:[^"\\]|\\.)*": (\d+),?$/gm)].map((m) => Number(m[1]));
  assert.equal(ids.length, trained.vocabSize);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
});

function tokenizerText(tok: Tokenizer): string {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-tok-'));
  try {
    tok.save(join(dir, 't.json'));
    return readFileSync(join(dir, 't.json'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const name of ['hf-gpt2-small-legacy.json', 'hf-bytelevel-modern.json']) {
  test(`${name} (a tokenizers layout) loads in moxing with the same ids as @huggingface/tokenizers`, () => {
    const path = join(FIXTURES, name);
    const json = JSON.parse(readFileSync(path, 'utf8')) as object;
    const tok = Tokenizer.fromFile(path);
    const texts = [
      corpus,
      'Hello world<|endoftext|>again',
      '<s>Hello <mask> world</s>',
      'x  <mask>y',
      'no prefix',
      ' leading space',
    ];
    for (const text of texts) assert.deepEqual(tok.encode(text), hfIds(json, text), JSON.stringify(text.slice(0, 40)));
  });
}

test('malformed tokenizer.json files give errors naming the file and the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'moxing-tok-'));
  const base = JSON.parse(readFileSync(join(FIXTURES, 'hf-bytelevel-modern.json'), 'utf8')) as { model: Record<string, unknown> } & Record<string, unknown>;
  const cases: Array<[string, string | object, RegExp]> = [
    ['empty.json', '', /empty\.json: file is empty/],
    ['bad.json', '{"model": {', /bad\.json: not valid JSON/],
    ['array.json', '[1, 2]', /expected a JSON object/],
    ['encoder.json', { hello: 1, world: 2 }, /no "model" object \(this looks like GPT-2's encoder\.json/],
    ['wordpiece.json', { ...base, model: { ...base.model, type: 'WordPiece' } }, /model\.type "WordPiece" is not supported/],
    ['metaspace.json', { ...base, pre_tokenizer: { type: 'Metaspace' } }, /pre_tokenizer "Metaspace" is not supported/],
    ['nfc.json', { ...base, normalizer: { type: 'NFC' } }, /normalizer "NFC" is not supported/],
    ['merge.json', { ...base, model: { ...base.model, merges: [['Ġ', 'zzz']] } }, /merges\[0\].*"zzz" is not in model\.vocab/],
    ['merge2.json', { ...base, model: { ...base.model, merges: ['a b c'] } }, /merges\[0\] must be "a b" or \["a", "b"\]/],
    ['vocab.json', { ...base, model: { ...base.model, vocab: { a: -1 } } }, /model\.vocab\["a"\] must be a non-negative integer/],
  ];
  try {
    for (const [file, content, message] of cases) {
      const path = join(dir, file);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      assert.throws(() => Tokenizer.fromFile(path), message, file);
    }
    writeFileSync(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    assert.throws(() => Tokenizer.fromFile(join(dir, 'latin1.json')), /latin1\.json: not valid UTF-8 \(first bad byte at offset 2\)/);
    assert.throws(() => Tokenizer.fromFile(join(dir, 'missing.json')), /missing\.json: no such file/);
    assert.throws(() => Tokenizer.fromFile(dir), /a folder without tokenizer\.json or encoder\.json \+ vocab\.bpe/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
