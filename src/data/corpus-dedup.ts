// Duplicate removal for a corpus: exact duplicates by a hash of the whitespace-normalised text, near
// duplicates by MinHash signatures with locality-sensitive hashing (Broder 1997; Leskovec et al.,
// Mining of Massive Datasets, ch. 3), verified by the signatures' estimated Jaccard similarity.

import { createHash } from 'node:crypto';

/** The key two exact duplicates share (case and whitespace ignored). */
export function exactKey(text: string): string {
  return createHash('sha1').update(text.toLowerCase().replace(/\s+/g, ' ').trim()).digest('base64');
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// MurmurHash3's finaliser: mixes a 32-bit value well; xor with a per-permutation seed gives the family.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Shingles of a text: 5-word windows, or for text without spaces between words (Chinese) 5-character windows.
 * @example shingles('a b c d e f') // ['a b c d e', 'b c d e f']
 */
export function shingles(text: string, n = 5): string[] {
  const lower = text.toLowerCase();
  const words = lower.match(/[\p{L}\p{N}]+/gu) ?? [];
  const cjk = (lower.match(/[\u3400-\u9fff]/gu) ?? []).length;
  const units = cjk > words.length ? Array.from(lower.replace(/\s+/g, '')) : words;
  if (units.length <= n) return units.length ? [units.join(' ')] : [];
  const out: string[] = [];
  for (let i = 0; i + n <= units.length; i++) out.push(units.slice(i, i + n).join(' '));
  return out;
}

/**
 * The MinHash signature of a set of shingles (`numPerm` minima of seeded hashes).
 * @example minhash(shingles(text), 128)
 */
export function minhash(sh: readonly string[], numPerm = 128): Uint32Array {
  const sig = new Uint32Array(numPerm).fill(0xffffffff);
  const seeds = permSeeds(numPerm);
  for (const s of sh) {
    const h = fnv1a(s);
    for (let k = 0; k < numPerm; k++) {
      const v = fmix32(h ^ seeds[k]);
      if (v < sig[k]) sig[k] = v;
    }
  }
  return sig;
}

const seedCache = new Map<number, Uint32Array>();
function permSeeds(n: number): Uint32Array {
  let s = seedCache.get(n);
  if (!s) {
    s = new Uint32Array(n);
    for (let k = 0; k < n; k++) s[k] = fmix32((k + 1) * 0x9e3779b9);
    seedCache.set(n, s);
  }
  return s;
}

/** The fraction of equal signature entries: an unbiased estimate of the Jaccard similarity. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** Options for {@link NearDuplicateFilter}. */
export interface NearDupOptions {
  numPerm: number;
  bands: number;
  /** Documents this similar (estimated Jaccard of shingles) to a kept one are dropped. */
  threshold: number;
}

export const DEFAULT_NEAR_DUP: NearDupOptions = { numPerm: 128, bands: 16, threshold: 0.8 };

/**
 * Streaming near-duplicate filter: the first of a group of similar documents is kept.
 * @example const f = new NearDuplicateFilter(); docs.filter((d) => f.keep(d))
 */
export class NearDuplicateFilter {
  private readonly buckets: Array<Map<number, number[]>>;
  private readonly kept: Uint32Array[] = [];
  constructor(readonly options: NearDupOptions = DEFAULT_NEAR_DUP) {
    if (options.numPerm % options.bands !== 0) throw new Error(`near-duplicates: ${options.numPerm} hashes do not split into ${options.bands} bands`);
    this.buckets = Array.from({ length: options.bands }, () => new Map());
  }

  /** True (and remembered) when no kept document is a near duplicate of `text`. */
  keep(text: string): boolean {
    const sh = shingles(text);
    if (sh.length === 0) return true;
    const sig = minhash(sh, this.options.numPerm);
    const rows = this.options.numPerm / this.options.bands;
    const keys: number[] = [];
    const seen = new Set<number>();
    for (let b = 0; b < this.options.bands; b++) {
      // A band's rows folded into one number: a collision only costs a Jaccard check.
      let key = 0;
      for (let r = b * rows; r < (b + 1) * rows; r++) key = fmix32(key ^ sig[r]) + r;
      keys.push(key);
      for (const other of this.buckets[b].get(key) ?? []) {
        if (seen.has(other)) continue;
        seen.add(other);
        if (estimatedJaccard(sig, this.kept[other]) >= this.options.threshold) return false;
      }
    }
    const id = this.kept.length;
    this.kept.push(sig);
    keys.forEach((key, b) => {
      const list = this.buckets[b].get(key);
      if (list) list.push(id);
      else this.buckets[b].set(key, [id]);
    });
    return true;
  }
}
