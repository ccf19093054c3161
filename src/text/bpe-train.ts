// Byte-level BPE training (Sennrich et al. 2016; GPT-2's byte variant) with incremental pair counts and a max-heap.

import { BYTE_ORDER, BYTE_TO_CHAR } from './byte-map.js';
import { PairMap } from './pair-map.js';
import { nextPieceEnd } from './pretokenize.js';
import { encodeUtf8Into } from './utf8.js';

/** Options for {@link trainBpe}. */
export interface TrainOptions {
  /** Size of the final vocabulary: special tokens + 256 bytes + merges. */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged (default 0: merge until `vocabSize`). */
  minFrequency?: number;
  /** Tokens given ids 0, 1, ... in this order and never split (e.g. `<|endoftext|>`). */
  specialTokens?: readonly string[];
}

/** A trained vocabulary: `tokens[id]` in byte-level form and the merges in rank order (as token ids). */
export interface TrainedBpe {
  tokens: string[];
  merges: Array<[number, number]>;
  specialTokens: string[];
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}

/**
 * Counts GPT-2 pre-tokens over any number of texts, leaving special tokens out, so a corpus can be
 * streamed in pieces (file by file, or chunk by chunk at line ends).
 *
 * @example
 * const counter = new WordCounter(['<|endoftext|>']);
 * counter.add('the cat<|endoftext|>the dog');
 * counter.counts.get(' cat'); // 1
 */
export class WordCounter {
  /** Pre-token -> number of occurrences. */
  readonly counts = new Map<string, number>();
  /** UTF-16 code units seen. */
  chars = 0;
  private readonly special: RegExp | null;

  constructor(specialTokens: readonly string[] = []) {
    const sorted = [...specialTokens].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    this.special = sorted.length > 0 ? new RegExp(sorted.map(escapeRegex).join('|'), 'g') : null;
  }

  /** Adds the pre-tokens of `text`. */
  add(text: string): void {
    this.chars += text.length;
    if (this.special === null) return this.addRange(text, 0, text.length);
    let start = 0;
    this.special.lastIndex = 0;
    for (let m = this.special.exec(text); m !== null; m = this.special.exec(text)) {
      this.addRange(text, start, m.index);
      start = m.index + m[0].length;
    }
    this.addRange(text, start, text.length);
  }

  private addRange(text: string, start: number, end: number): void {
    const counts = this.counts;
    for (let i = start; i < end; ) {
      const j = nextPieceEnd(text, i, end);
      const piece = text.slice(i, j);
      counts.set(piece, (counts.get(piece) ?? 0) + 1);
      i = j;
    }
  }
}

/** A max-heap of (count, pair id), ties broken by the smaller pair (a, then b) for determinism. */
class PairHeap {
  private count = new Float64Array(1024);
  private pid = new Int32Array(1024);
  size = 0;
  constructor(
    private readonly pairA: () => Int32Array,
    private readonly pairB: () => Int32Array,
  ) {}

  private above(c1: number, p1: number, c2: number, p2: number): boolean {
    if (c1 !== c2) return c1 > c2;
    const a = this.pairA();
    const b = this.pairB();
    if (a[p1] !== a[p2]) return a[p1]! < a[p2]!;
    return b[p1]! < b[p2]!;
  }

  push(c: number, p: number): void {
    if (this.size === this.count.length) {
      const count = new Float64Array(this.size * 2);
      count.set(this.count);
      const pid = new Int32Array(this.size * 2);
      pid.set(this.pid);
      this.count = count;
      this.pid = pid;
    }
    let i = this.size++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.above(c, p, this.count[up]!, this.pid[up]!)) break;
      this.count[i] = this.count[up]!;
      this.pid[i] = this.pid[up]!;
      i = up;
    }
    this.count[i] = c;
    this.pid[i] = p;
  }

  /** Removes the top; its count and pair id are left in `topCount` / `topPid`. */
  pop(): void {
    this.topCount = this.count[0]!;
    this.topPid = this.pid[0]!;
    const n = --this.size;
    const c = this.count[n]!;
    const p = this.pid[n]!;
    let i = 0;
    for (;;) {
      let k = 2 * i + 1;
      if (k >= n) break;
      if (k + 1 < n && this.above(this.count[k + 1]!, this.pid[k + 1]!, this.count[k]!, this.pid[k]!)) k++;
      if (!this.above(this.count[k]!, this.pid[k]!, c, p)) break;
      this.count[i] = this.count[k]!;
      this.pid[i] = this.pid[k]!;
      i = k;
    }
    this.count[i] = c;
    this.pid[i] = p;
  }
  topCount = 0;
  topPid = 0;
}

/**
 * Learns merges from pre-token counts. Pair counts are kept incrementally: a merge visits only the
 * words that contain its pair and adjusts the counts of the pairs around each occurrence; the next
 * merge comes from a max-heap with lazy deletion, so there is no full recount per merge.
 * Deterministic: ties go to the pair with the smaller ids.
 *
 * @example
 * const counter = new WordCounter();
 * counter.add('low lower lowest');
 * const { tokens, merges } = trainBpe(counter.counts, { vocabSize: 260 });
 * tokens.length; // 260 (256 bytes + 4 merges)
 */
export function trainBpe(counts: ReadonlyMap<string, number>, options: TrainOptions): TrainedBpe {
  const specialTokens = [...new Set(options.specialTokens ?? [])];
  // An empty special token matches everywhere: encoding with it never advanced (and ran out of memory).
  if (specialTokens.some((t) => typeof t !== 'string' || t.length === 0)) throw new RangeError('special tokens must be non-empty strings');
  const minFrequency = options.minFrequency ?? 0;
  const k = specialTokens.length;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < 256 + k) {
    throw new RangeError(`vocabSize must be an integer >= ${256 + k} (256 bytes + ${k} special tokens), got ${options.vocabSize}`);
  }
  const tokens: string[] = [...specialTokens];
  const byteId = new Int32Array(256);
  BYTE_ORDER.forEach((b, i) => {
    byteId[b] = k + i;
    tokens.push(BYTE_TO_CHAR[b]!);
  });

  // Words as byte-token ids, all in one array; a word shrinks in place as merges apply.
  const nWords = counts.size;
  let totalChars = 0;
  for (const w of counts.keys()) totalChars += w.length;
  const syms = new Int32Array(totalChars * 3);
  const wStart = new Int32Array(nWords);
  const wLen = new Int32Array(nWords);
  const wCount = new Float64Array(nWords);
  const scratch = new Uint8Array(1024);
  {
    let w = 0;
    let at = 0;
    let buf = scratch;
    for (const [word, c] of counts) {
      if (buf.length < word.length * 3) buf = new Uint8Array(word.length * 3);
      const n = encodeUtf8Into(word, 0, word.length, buf);
      wStart[w] = at;
      wLen[w] = n;
      wCount[w] = c;
      for (let i = 0; i < n; i++) syms[at++] = byteId[buf[i]!]!;
      w++;
    }
  }

  // Pair tables, indexed by pair id.
  const pairIndex = new PairMap(1 << 16);
  let cap = 1 << 16;
  let pairA = new Int32Array(cap);
  let pairB = new Int32Array(cap);
  let pairCount = new Float64Array(cap);
  let pairLastWord = new Int32Array(cap);
  let pairQueued = new Int32Array(cap);
  const pairWords: number[][] = [];
  let nPairs = 0;
  const heap = new PairHeap(
    () => pairA,
    () => pairB,
  );
  const grown = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
    const b = make(cap);
    b.set(a);
    return b;
  };
  const pairId = (a: number, b: number): number => {
    let p = pairIndex.get(a, b);
    if (p >= 0) return p;
    p = nPairs++;
    if (p === cap) {
      cap *= 2;
      pairA = grown(pairA, (n) => new Int32Array(n));
      pairB = grown(pairB, (n) => new Int32Array(n));
      pairCount = grown(pairCount, (n) => new Float64Array(n));
      pairLastWord = grown(pairLastWord, (n) => new Int32Array(n));
      pairQueued = grown(pairQueued, (n) => new Int32Array(n));
    }
    pairIndex.set(a, b, p);
    pairA[p] = a;
    pairB[p] = b;
    pairCount[p] = 0;
    pairLastWord[p] = -1;
    pairQueued[p] = -1;
    pairWords.push([]);
    return p;
  };
  const touched: number[] = [];
  const add = (a: number, b: number, delta: number, w: number): void => {
    const p = pairId(a, b);
    pairCount[p] += delta;
    if (delta > 0) {
      if (pairLastWord[p] !== w) {
        pairLastWord[p] = w;
        pairWords[p]!.push(w);
      }
      touched.push(p);
    }
  };

  for (let w = 0; w < nWords; w++) {
    const s = wStart[w]!;
    const c = wCount[w]!;
    for (let i = s; i + 1 < s + wLen[w]!; i++) add(syms[i]!, syms[i + 1]!, c, w);
  }
  touched.length = 0;
  for (let p = 0; p < nPairs; p++) heap.push(pairCount[p]!, p);

  const merges: Array<[number, number]> = [];
  const wordSeen = new Int32Array(nWords).fill(-1);
  while (tokens.length < options.vocabSize && heap.size > 0) {
    heap.pop();
    const p = heap.topPid;
    const current = pairCount[p]!;
    if (current !== heap.topCount) {
      // Stale entry: a lower count is re-queued; a higher one is already queued.
      if (current > 0 && current < heap.topCount) heap.push(current, p);
      continue;
    }
    if (current <= 0 || current < minFrequency) break;
    const a = pairA[p]!;
    const b = pairB[p]!;
    const z = tokens.length;
    tokens.push(tokens[a]! + tokens[b]!);
    merges.push([a, b]);
    const step = merges.length;
    for (const w of pairWords[p]!) {
      if (wordSeen[w] === step) continue;
      wordSeen[w] = step;
      const s = wStart[w]!;
      const end = s + wLen[w]!;
      const c = wCount[w]!;
      let out = s;
      for (let r = s; r < end; ) {
        if (r + 1 < end && syms[r] === a && syms[r + 1] === b) {
          if (out > s) {
            const x = syms[out - 1]!;
            add(x, a, -c, w);
            add(x, z, c, w);
          }
          if (r + 2 < end) {
            const y = syms[r + 2]!;
            add(b, y, -c, w);
            add(z, y, c, w);
          }
          syms[out++] = z;
          r += 2;
        } else {
          syms[out++] = syms[r++]!;
        }
      }
      wLen[w] = out - s;
    }
    pairCount[p] = 0;
    pairWords[p] = [];
    // Only pairs with the new token gained counts: queue each once at its new count.
    for (const q of touched) {
      if (pairQueued[q] === step || pairCount[q]! <= 0) continue;
      pairQueued[q] = step;
      heap.push(pairCount[q]!, q);
    }
    touched.length = 0;
  }
  return { tokens, merges, specialTokens };
}
