// Tests for BPE training: hand-checked merges, equality with a full-recount trainer, options.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainBpe, WordCounter } from './bpe-train.js';
import { bytesToToken } from './byte-map.js';
import { dataset, fuzzText, takeBytes } from './test-corpus.js';

function counts(texts: string[], special: string[] = []): Map<string, number> {
  const c = new WordCounter(special);
  for (const t of texts) c.add(t);
  return c.counts;
}

/** The textbook trainer: recount every pair before each merge; same tie rule (smaller ids first). */
function naiveTrain(words: Map<string, number>, vocabSize: number): string[] {
  const tokens: string[] = [];
  for (let b = 0; b < 256; b++) tokens.push('');
  const enc = new TextEncoder();
  const ids = new Map<string, number>();
  // Byte tokens in GPT-2 order, as the trainer assigns them.
  const order = Array.from({ length: 256 }, (_, b) => b).sort((x, y) => bytesToToken([x]).charCodeAt(0) - bytesToToken([y]).charCodeAt(0));
  order.forEach((b, i) => {
    tokens[i] = bytesToToken([b]);
    ids.set(tokens[i]!, i);
  });
  const seqs = [...words].map(([w, c]) => ({ s: [...enc.encode(w)].map((b) => ids.get(bytesToToken([b]))!), c }));
  const merges: string[] = [];
  while (tokens.length < vocabSize) {
    const pc = new Map<string, number>();
    for (const { s, c } of seqs) for (let i = 0; i + 1 < s.length; i++) pc.set(`${s[i]},${s[i + 1]}`, (pc.get(`${s[i]},${s[i + 1]}`) ?? 0) + c);
    let best: [number, number] | null = null;
    let bestCount = 0;
    for (const [k, c] of pc) {
      const [a, b] = k.split(',').map(Number) as [number, number];
      if (c > bestCount || (c === bestCount && best !== null && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestCount = c;
      }
    }
    if (best === null) break;
    const z = tokens.length;
    tokens.push(tokens[best[0]]! + tokens[best[1]]!);
    merges.push(`${tokens[best[0]]} ${tokens[best[1]]}`);
    for (const w of seqs) {
      const out: number[] = [];
      for (let i = 0; i < w.s.length; i++) {
        if (i + 1 < w.s.length && w.s[i] === best[0] && w.s[i + 1] === best[1]) {
          out.push(z);
          i++;
        } else out.push(w.s[i]!);
      }
      w.s = out;
    }
  }
  return merges;
}

test('hand-checked: "aaabdaaabac" merges aa first, then ab (tie with (aa, a) at 2: smaller ids win)', () => {
  const { merges, tokens } = trainBpe(counts(['aaabdaaabac']), { vocabSize: 258 });
  // Pair counts: aa 4, ab 2, others 1. After 'a a': "aa a b d aa a b a c" has (aa, a) 2 and (a, b) 2,
  // and 'a' has a smaller id than the new 'aa'.
  assert.deepEqual(
    merges.map(([a, b]) => `${tokens[a]} ${tokens[b]}`),
    ['a a', 'a b'],
  );
});

test('equals a full-recount trainer on English, Chinese and fuzz text', () => {
  const words = counts([
    takeBytes(dataset('jane_austen/prideprejudice.txt'), 12_000),
    takeBytes(dataset('fortunes_zh/chinese_fortunes.txt'), 12_000),
    fuzzText(4, 3000),
  ]);
  const vocabSize = 256 + 250;
  const { merges, tokens } = trainBpe(words, { vocabSize });
  assert.equal(tokens.length, vocabSize);
  assert.deepEqual(
    merges.map(([a, b]) => `${tokens[a]} ${tokens[b]}`),
    naiveTrain(words, vocabSize),
  );
});

test('special tokens come first and are never split or merged; training is deterministic', () => {
  const texts = ['the cat<|endoftext|>the hat<|endoftext|>', 'the bat <pad> the rat'];
  const a = trainBpe(counts(texts, ['<|endoftext|>', '<pad>']), { vocabSize: 280, specialTokens: ['<|endoftext|>', '<pad>'] });
  const b = trainBpe(counts(texts, ['<|endoftext|>', '<pad>']), { vocabSize: 280, specialTokens: ['<|endoftext|>', '<pad>'] });
  assert.deepEqual(a, b);
  assert.deepEqual(a.tokens.slice(0, 3), ['<|endoftext|>', '<pad>', '!']);
  assert.ok(!a.tokens.slice(2).some((t) => t.includes('<|') || t.includes('pad>')));
});

test('minFrequency stops merging; a too-small vocabSize is an error', () => {
  const words = counts(['ab ab ab cd']);
  const { merges, tokens } = trainBpe(words, { vocabSize: 1000, minFrequency: 2 });
  for (const [a, b] of merges) assert.ok(['a', 'b', 'Ġ', 'ab', 'Ġa', 'Ġab'].includes(tokens[a]! + tokens[b]!), tokens[a]! + tokens[b]!);
  assert.ok(tokens.length < 1000);
  assert.throws(() => trainBpe(words, { vocabSize: 100 }), /vocabSize must be an integer >= 256/);
});
