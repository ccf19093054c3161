// Tests for the pair hash map and the merge loop (its short-word scan and long-word heap agree).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MergeRanks } from './bpe.js';
import { PairMap } from './pair-map.js';
import { rng } from './test-corpus.js';

test('PairMap stores and grows like a Map', () => {
  const m = new PairMap(4);
  const ref = new Map<string, number>();
  const r = rng(5);
  for (let i = 0; i < 20000; i++) {
    const a = Math.floor(r() * 300);
    const b = Math.floor(r() * 300);
    m.set(a, b, i);
    ref.set(`${a},${b}`, i);
  }
  assert.equal(m.size, ref.size);
  for (let a = 0; a < 300; a += 7) for (let b = 0; b < 300; b += 3) assert.equal(m.get(a, b), ref.get(`${a},${b}`) ?? -1);
});

/** The textbook loop: merge the lowest-ranked adjacent pair, leftmost on ties, until none is left. */
function naive(merges: Array<{ a: number; b: number; out: number }>, syms: number[]): number[] {
  const s = [...syms];
  for (;;) {
    let best = -1;
    let at = -1;
    for (let i = 0; i + 1 < s.length; i++) {
      const r = merges.findIndex((m) => m.a === s[i] && m.b === s[i + 1]);
      if (r >= 0 && (best < 0 || r < best)) [best, at] = [r, i];
    }
    if (best < 0) return s;
    s.splice(at, 2, merges[best]!.out);
  }
}

test('merges equal the textbook loop for short and long words', () => {
  // 'a'=0, 'b'=1: 2='aa', 3='ab', 4='aaa' (2+0), 5='abab' (3+3), 6='aaaa' (2+2)
  const merges = [
    { a: 0, b: 0, out: 2 },
    { a: 0, b: 1, out: 3 },
    { a: 2, b: 0, out: 4 },
    { a: 3, b: 3, out: 5 },
    { a: 2, b: 2, out: 6 },
  ];
  const bpe = new MergeRanks(merges);
  const run = (w: number[]) => {
    const syms = Int32Array.from(w);
    return [...syms.subarray(0, bpe.apply(syms, w.length))];
  };
  assert.deepEqual(run([0, 0, 0]), [4]); // leftmost first: (aa)a, then (2, 0) -> 4
  assert.deepEqual(run([0, 1, 0, 1]), [5]); // ab ab -> abab
  const r = rng(9);
  for (let k = 0; k < 300; k++) {
    const w = Array.from({ length: 1 + Math.floor(r() * 200) }, () => (r() < 0.6 ? 0 : 1));
    assert.deepEqual(run(w), naive(merges, w), `word ${w.join('')}`);
  }
});
