// Tokenizer benchmark: BPE training time on 10 MB of English + Chinese, and encode MB/s of moxing,
// js-tiktoken and @huggingface/tokenizers on the same text with GPT-2's vocabulary.
// Run: npm run bench:tokenizer  (reads the shared data sets: $MOXING_DATASETS, else ../shared/datasets;
// about a minute on 2 cores)

import { join } from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer } from '../src/text/tokenizer.js';
import { GPT2_FILES, mixedCorpus, sharedDataset, takeBytes } from '../src/text/test-corpus.js';

const MB = 1e6;
const bytesOf = (s: string) => Buffer.byteLength(s, 'utf8');

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, (performance.now() - t0) / 1000];
}

// ---- training: 5 MB English + 5 MB Chinese ----
const english = takeBytes(
  ['jane_austen/emma.txt', 'jane_austen/mansfieldpark.txt', 'jane_austen/prideprejudice.txt', 'moby_dick/moby_dick.txt', 'debian_reference/debian_reference_en.txt', 'fortunes_en/fortunes.csv']
    .map(sharedDataset)
    .join('\n'),
  5 * MB,
);
const chinese = takeBytes(
  ['fortunes_zh/chinese_fortunes.txt', 'debian_reference/debian_reference_zh_cn.txt', 'chinese_poetry/tang_shi.csv'].map(sharedDataset).join('\n'),
  5 * MB,
);
const trainBytes = bytesOf(english) + bytesOf(chinese);
const [trained, trainSeconds] = time(() => Tokenizer.train([english, chinese], { vocabSize: 8192, specialTokens: ['<|endoftext|>'] }));
console.log(`train: ${trained.vocabSize} tokens on ${(trainBytes / MB).toFixed(1)} MB (English + Chinese) in ${trainSeconds.toFixed(1)} s`);
const sample = english.slice(0, 200_000) + chinese.slice(0, 100_000);
console.log(
  `  bytes per token on a sample: English ${(bytesOf(english.slice(0, 200_000)) / trained.encode(english.slice(0, 200_000)).length).toFixed(2)}, ` +
    `Chinese ${(bytesOf(chinese.slice(0, 100_000)) / trained.encode(chinese.slice(0, 100_000)).length).toFixed(2)}; round trip ${trained.decode(trained.encode(sample)) === sample ? 'ok' : 'FAILED'}`,
);

// ---- encoding with GPT-2's vocabulary ----
const gpt2 = Tokenizer.fromGpt2Files(join(GPT2_FILES, 'encoder.json'), join(GPT2_FILES, 'vocab.bpe'));
const tiktoken = getEncoding('gpt2');
const hf = new HfTokenizer(gpt2.toJSON(), {});

const texts: Array<[string, string]> = [
  ['English', takeBytes(english, 1 * MB)],
  ['Chinese', takeBytes(chinese, 1 * MB)],
  ['mixed', mixedCorpus(1 * MB, 3, sharedDataset).replace(/<\|endoftext\|>/g, '')],
];
const encoders: Array<[string, (s: string) => number[]]> = [
  ['moxing', (s) => gpt2.encode(s)],
  ['js-tiktoken', (s) => tiktoken.encode(s)],
  ['@huggingface/tokenizers', (s) => hf.encode(s).ids],
];

console.log('\nencode MB/s, GPT-2 vocabulary (first pass | second pass, warm caches)');
console.log(['text', ...encoders.map(([n]) => n)].map((s) => s.padEnd(26)).join(''));
for (const [label, text] of texts) {
  const mb = bytesOf(text) / MB;
  const cells: string[] = [];
  let reference: number[] | null = null;
  for (const [name, encode] of encoders) {
    if (name === 'moxing') gpt2.clearCache();
    const [ids, first] = time(() => encode(text));
    const [, second] = time(() => encode(text));
    if (reference === null) reference = ids;
    else if (ids.length !== reference.length || ids.some((id, i) => id !== reference![i])) cells.push('(ids differ!)');
    cells.push(`${(mb / first).toFixed(2)} | ${(mb / second).toFixed(2)}`);
  }
  console.log([`${label} (${mb.toFixed(1)} MB)`, ...cells].map((s) => s.padEnd(26)).join(''));
}
