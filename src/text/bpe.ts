// Applying BPE merges to one pre-token: lowest merge rank first, leftmost on ties (GPT-2, tiktoken, HF).

import { PairMap } from './pair-map.js';

/** A merge: the two token ids it joins and the id of the token they make. */
export interface Merge {
  a: number;
  b: number;
  out: number;
}

const NONE = 0x7fffffff;
// Above this many symbols the O(n^2) scan gives way to a heap (a long whitespace run, minified code).
const SMALL = 48;

/**
 * Ranked merges (rank = position in the list) and the merge loop.
 *
 * @example
 * const bpe = new MergeRanks([{ a: 0, b: 1, out: 2 }]); // 'a' + 'b' -> 'ab'
 * const syms = Int32Array.from([0, 1, 0]);
 * bpe.apply(syms, 3); // 2: syms starts with [2, 0]
 */
export class MergeRanks {
  private readonly rank: PairMap;
  private readonly out: Int32Array;
  private ranks = new Int32Array(SMALL);
  // Scratch for the heap path, grown on demand.
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private heapKey = new Float64Array(0);

  constructor(merges: readonly Merge[]) {
    this.rank = new PairMap(merges.length);
    this.out = new Int32Array(merges.length);
    merges.forEach((m, r) => {
      // A repeated pair keeps its first (lowest) rank, as HF's tokenizers does.
      if (this.rank.get(m.a, m.b) < 0) this.rank.set(m.a, m.b, r);
      this.out[r] = m.out;
    });
  }

  /** Merge rank of the pair, or -1. */
  rankOf(a: number, b: number): number {
    return this.rank.get(a, b);
  }

  /** Merges `syms[0, n)` in place; returns the new length. */
  apply(syms: Int32Array, n: number): number {
    if (n < 2) return n;
    return n <= SMALL ? this.applySmall(syms, n) : this.applyLarge(syms, n);
  }

  private applySmall(syms: Int32Array, n: number): number {
    const ranks = this.ranks;
    const table = this.rank;
    for (let i = 0; i + 1 < n; i++) {
      const r = table.get(syms[i]!, syms[i + 1]!);
      ranks[i] = r < 0 ? NONE : r;
    }
    for (;;) {
      let best = NONE;
      let at = -1;
      for (let i = 0; i + 1 < n; i++) {
        if (ranks[i]! < best) {
          best = ranks[i]!;
          at = i;
        }
      }
      if (at < 0) return n;
      syms[at] = this.out[best]!;
      for (let i = at + 1; i + 1 < n; i++) {
        syms[i] = syms[i + 1]!;
        ranks[i] = ranks[i + 1]!;
      }
      n--;
      if (at > 0) {
        const r = table.get(syms[at - 1]!, syms[at]!);
        ranks[at - 1] = r < 0 ? NONE : r;
      }
      if (at + 1 < n) {
        const r = table.get(syms[at]!, syms[at + 1]!);
        ranks[at] = r < 0 ? NONE : r;
      }
    }
  }

  // A doubly linked list over positions and a binary heap keyed by rank * 2^32 + position
  // (so ties go to the leftmost pair); stale heap entries are dropped when popped.
  private applyLarge(syms: Int32Array, n: number): number {
    if (this.prev.length < n) {
      this.prev = new Int32Array(n * 2);
      this.next = new Int32Array(n * 2);
      // n - 1 initial pairs plus at most two pushes per merge.
      this.heapKey = new Float64Array(n * 6);
    }
    const { prev, next, heapKey: heap } = this;
    const table = this.rank;
    let size = 0;
    const push = (key: number) => {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]! <= key) break;
        heap[i] = heap[p]!;
        i = p;
      }
      heap[i] = key;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap[--size]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && heap[c + 1]! < heap[c]!) c++;
        if (heap[c]! >= last) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
      return top;
    };
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (let i = 0; i + 1 < n; i++) {
      const r = table.get(syms[i]!, syms[i + 1]!);
      if (r >= 0) push(r * 4294967296 + i);
    }
    while (size > 0) {
      const key = pop();
      const r = Math.floor(key / 4294967296);
      const i = key - r * 4294967296;
      const j = next[i]!;
      // Stale when i was merged away (prev = -2) or its pair changed since the push.
      if (prev[i] === -2 || j < 0 || table.get(syms[i]!, syms[j]!) !== r) continue;
      syms[i] = this.out[r]!;
      const k = next[j]!;
      next[i] = k;
      if (k >= 0) prev[k] = i;
      prev[j] = -2;
      const p = prev[i]!;
      if (p >= 0) {
        const rp = table.get(syms[p]!, syms[i]!);
        if (rp >= 0) push(rp * 4294967296 + p);
      }
      if (k >= 0) {
        const rk = table.get(syms[i]!, syms[k]!);
        if (rk >= 0) push(rk * 4294967296 + i);
      }
    }
    let m = 0;
    for (let i = 0; i >= 0; i = next[i]!) syms[m++] = syms[i]!;
    return m;
  }
}
