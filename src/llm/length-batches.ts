// Batches of similar length for fine-tuning. A batch is padded to its longest sequence, so random
// batches of short and long texts spend much of their compute on padding (fine-food reviews: a median
// of about 70 tokens, a tenth over 190, windows of 128). Shuffling, then sorting within pools of a
// few dozen batches and shuffling the batches, keeps the order random at the scale of the epoch while
// each batch holds texts of about one length (as fairseq's buckets and Hugging Face's
// group_by_length do).

import type { Rng } from '../tensor/random.js';

/** Batches per pool sorted together: large enough to find similar lengths, small enough to stay random. */
export const POOL_BATCHES = 50;

/**
 * One epoch's batches (indices into `lengths`), each of similar lengths, in random order. Every index
 * appears once; there are ceil(n / batchSize) batches, as with plain shuffling.
 * @example lengthGroupedBatches([3, 90, 4, 88], 2, new Rng(0)) // e.g. [[1, 3], [0, 2]]
 */
export function lengthGroupedBatches(lengths: readonly number[], batchSize: number, rng: Rng, poolBatches = POOL_BATCHES): number[][] {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`batchSize must be a whole number >= 1 (got ${batchSize})`);
  const order = Array.from(rng.permutation(lengths.length));
  const pool = batchSize * poolBatches;
  const batches: number[][] = [];
  for (let p = 0; p < order.length; p += pool) {
    // Longest first within the pool; ties keep their shuffled order (Array.prototype.sort is stable).
    const sorted = order.slice(p, p + pool).sort((a, b) => lengths[b] - lengths[a]);
    for (let s = 0; s < sorted.length; s += batchSize) batches.push(sorted.slice(s, s + batchSize));
  }
  return Array.from(rng.permutation(batches.length), (i) => batches[i]);
}
