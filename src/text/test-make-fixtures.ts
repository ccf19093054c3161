// Writes the tokenizer.json fixtures in the layouts Hugging Face tokenizers has saved over the years,
// cut from GPT-2's files: `node --import tsx src/text/test-make-fixtures.ts`.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GPT2_FILES, REPO_ROOT } from './test-corpus.js';

const N = 1000; // ids 0..999: the 256 bytes and GPT-2's first 744 merges
const encoder = JSON.parse(readFileSync(join(GPT2_FILES, 'encoder.json'), 'utf8')) as Record<string, number>;
const merges = readFileSync(join(GPT2_FILES, 'vocab.bpe'), 'utf8').split('\n').slice(1, 1 + N - 256);
const vocab: Record<string, number> = {};
for (const [t, id] of Object.entries(encoder).sort((a, b) => a[1] - b[1])) if (id < N) vocab[t] = id;
const out = join(REPO_ROOT, 'src', 'text', 'fixtures');

// tokenizers 0.1x (GPT-2 on the Hub): merges as "a b", empty-string affixes, no use_regex field.
const legacy = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: N, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true },
  model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, vocab: { ...vocab, '<|endoftext|>': N }, merges },
};
writeFileSync(join(out, 'hf-gpt2-small-legacy.json'), JSON.stringify(legacy, null, 2) + '\n');

// tokenizers >= 0.20: merges as pairs, use_regex, ignore_merges, byte_fallback; RoBERTa-style prefix
// space and a <mask> that swallows the space before it.
const modern = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [
    { id: N, content: '<s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    { id: N + 1, content: '</s>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    { id: N + 2, content: '<mask>', single_word: false, lstrip: true, rstrip: false, normalized: false, special: true },
  ],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab: { ...vocab, '<s>': N, '</s>': N + 1, '<mask>': N + 2 },
    merges: merges.map((m) => m.split(' ')),
  },
};
writeFileSync(join(out, 'hf-bytelevel-modern.json'), JSON.stringify(modern, null, 2) + '\n');
