import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CorpusManifest } from '../../data/corpus-build.js';
import { summarizeCorpus } from './corpus.js';

test('summarizeCorpus: sizes and token counts readable at any scale (a small corpus is not "0.0M")', () => {
  const counts = (docs: number, bytes: number) => ({ docs, bytes });
  const m = {
    splits: { train: { en: counts(23, 98_765), zh: counts(0, 0) }, validation: { en: counts(4, 2_345_678), zh: counts(1, 512) } },
    estimatedTokens: { train: { en: 27_400, zh: 999_700 }, validation: { en: 12_345_678, zh: 140 } },
    files: { train: { en: 'train.en.txt', zh: 'train.zh.txt' }, validation: { en: 'validation.en.txt', zh: 'validation.zh.txt' } },
  } as unknown as CorpusManifest;
  assert.equal(summarizeCorpus(m), [
    'train.en.txt: 23 documents, 99k bytes, ~27k tokens',
    'train.zh.txt: 0 documents, 0 bytes, ~1.0M tokens',
    'validation.en.txt: 4 documents, 2.3 MB, ~12.3M tokens',
    'validation.zh.txt: 1 document, 512 bytes, ~140 tokens',
    '',
  ].join('\n'));
});
