// GPT-2 parity: moxing's ids equal js-tiktoken's "gpt2" and Hugging Face tokenizers' on >= 1 MB of mixed text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer } from './tokenizer.js';
import { GPT2_FILES, mixedCorpus } from './test-corpus.js';

const gpt2 = Tokenizer.fromGpt2Files(join(GPT2_FILES, 'encoder.json'), join(GPT2_FILES, 'vocab.bpe'));
// The corpus includes a few <|endoftext|> markers, encoded as the special token by all three.
const corpus = mixedCorpus(1_100_000, 7).replace(/(.{50000})/gsu, '$1<|endoftext|>');

/** Index of the first difference (or -1) and the number of differing positions. */
function compare(a: readonly number[], b: readonly number[]): { first: number; mismatches: number } {
  let first = -1;
  let mismatches = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (first < 0 && a.length !== b.length) first = Math.min(a.length, b.length);
  return { first, mismatches };
}

function context(ids: readonly number[], at: number, tok: Tokenizer): string {
  return JSON.stringify(tok.decode(ids.slice(Math.max(0, at - 5), at + 5)));
}

test('GPT-2 vocabulary: the classic examples', () => {
  assert.deepEqual(gpt2.encode('Hello world'), [15496, 995]);
  assert.deepEqual(gpt2.encode(' <|endoftext|>'), [220, 50256]);
  assert.equal(gpt2.vocabSize, 50257);
  assert.equal(gpt2.tokenToId('Ġworld'), 995);
  assert.equal(gpt2.idToToken(50256), '<|endoftext|>');
});

test('ids equal js-tiktoken "gpt2" on >= 1 MB of mixed text, with 0 mismatches', () => {
  const bytes = Buffer.byteLength(corpus);
  assert.ok(bytes >= 1_000_000, `corpus is ${bytes} bytes`);
  const ours = gpt2.encode(corpus);
  const theirs = getEncoding('gpt2').encode(corpus, 'all');
  const { first, mismatches } = compare(ours, theirs);
  assert.equal(mismatches, 0, `first mismatch at token ${first}: ${context(ours, first, gpt2)}`);
  assert.equal(gpt2.decode(ours), corpus.replace(/\p{Cs}/gu, '\ufffd'));
});

test('ids equal @huggingface/tokenizers on the GPT-2 tokenizer.json moxing writes (both merges encodings)', () => {
  const ours = gpt2.encode(corpus);
  const hfPairs = new HfTokenizer(gpt2.toJSON(), {});
  const pairsResult = compare(ours, hfPairs.encode(corpus).ids);
  assert.equal(pairsResult.mismatches, 0, `first mismatch at token ${pairsResult.first}`);

  const json = gpt2.toJSON();
  json.model.merges = (json.model.merges as Array<[string, string]>).map(([a, b]) => `${a} ${b}`);
  const part = corpus.slice(0, 200_000);
  const stringsResult = compare(gpt2.encode(part), new HfTokenizer(json, {}).encode(part).ids);
  assert.equal(stringsResult.mismatches, 0);
});
