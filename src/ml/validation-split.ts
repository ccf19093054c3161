// The rows an MLP trains on and the rows its early stopping scores, as scikit-learn's MLPs split them:
// a random validationFraction (at least one row) held out, or every row trained on without it.

import type { Rng } from '../tensor/random.js';

/**
 * Row indices for training and, with early stopping, for validation. Draws one permutation from rng
 * only when early stopping is on, so a fit without it consumes no random numbers here.
 * @example const { trainIdx, valIdx } = earlyStoppingSplit(100, true, 0.1, rng); // 90 and 10 rows
 */
export function earlyStoppingSplit(n: number, earlyStopping: boolean, validationFraction: number, rng: Rng): { trainIdx: Int32Array; valIdx: Int32Array | null } {
  if (!earlyStopping) return { trainIdx: Int32Array.from({ length: n }, (_, i) => i), valIdx: null };
  const perm = rng.permutation(n);
  const nVal = Math.max(1, Math.floor(validationFraction * n));
  if (n - nVal < 1) throw new Error('earlyStopping needs more rows than the validation part');
  return { trainIdx: perm.slice(nVal), valIdx: perm.slice(0, nVal) };
}
