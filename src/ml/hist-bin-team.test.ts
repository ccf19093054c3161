import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binForHist, BIN_BLOCK } from './hist-binning.js';
import { binForHistShared } from './hist-bin-team.js';
import { wakeHistHelpers } from './hist-team.js';
import { HistGradientBoostingRegressor } from './hist-gbm.js';
import { Rng } from '../tensor/random.js';
import type { Matrix } from './matrix.js';

/** Numeric columns (some with missing values and few distinct values), one-hot pairs and a categorical code column. */
function data(n: number, p: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const kind = j % 5;
      X[i * p + j] = kind === 0 ? rng.normal() : kind === 1 ? (rng.int(9) === 0 ? NaN : rng.int(7)) : kind === 2 ? rng.int(2) : kind === 3 ? rng.normal() * 1000 : rng.int(12);
    }
  }
  return { data: X, rows: n, cols: p };
}

const cats = (p: number): Set<number> => new Set(Array.from({ length: p }, (_, j) => j).filter((j) => j % 5 === 4));

test('binning shared with a helper gives binForHist\'s codes, cuts, bins and missing flags, column for column', () => {
  // A fit with two threads starts a helper and leaves it idle for the next fit.
  const warm = data(300, 6, 1);
  new HistGradientBoostingRegressor({ nJobs: 2, maxIter: 3 }).fit(warm, Float64Array.from({ length: 300 }, (_, i) => warm.data[i * 6]!));
  const X = data(3000, 120, 2);
  const expected = binForHist(X, 255, cats(120));
  let helped = false;
  for (let attempt = 0; attempt < 60 && !helped; attempt++) { // a fresh helper joins once its code is warm
    wakeHistHelpers(1);
    const stats = { blocksHere: -1 };
    const got = binForHistShared(X, 255, cats(120), 2, stats);
    assert.deepEqual(Array.from(got.codes), Array.from(expected.codes));
    assert.deepEqual(Array.from(got.nBins), Array.from(expected.nBins));
    assert.deepEqual(Array.from(got.hasMissing), Array.from(expected.hasMissing));
    assert.deepEqual(Array.from(got.categorical), Array.from(expected.categorical));
    got.cuts.forEach((c, j) => assert.deepEqual(Array.from(c), Array.from(expected.cuts[j]!), `cuts of column ${j}`));
    helped = stats.blocksHere >= 0 && stats.blocksHere < Math.ceil(120 / BIN_BLOCK);
  }
  assert.ok(helped, 'the helper binned some of the columns');
});

test('binning shared with a helper throws binForHist\'s error for a bad categorical value, and one thread bins alone', () => {
  const X = data(500, 40, 3);
  X.data[123 * 40 + 24] = 2.5; // column 24 is categorical
  X.data[400 * 40 + 9] = -1; // and so is 9: the first bad one in column order
  wakeHistHelpers(1);
  assert.throws(() => binForHistShared(X, 255, cats(40), 2), /categorical feature 9: value -1 at row 400/);
  const stats = { blocksHere: -1 };
  const ok = data(200, 20, 4);
  binForHistShared(ok, 255, cats(20), 1, stats);
  assert.equal(stats.blocksHere, -1); // one thread: binForHist itself
  assert.throws(() => binForHistShared(ok, 256, new Set(), 2), /maxBins must be in \[2, 255\], got 256/);
});
