import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binForHist, MISSING_BIN } from './hist-binning.js';
import { Rng } from '../tensor/random.js';

/**
 * The sorting reference for one numeric column (the binning as first written): the non-missing values
 * sorted, one bin per distinct value when there are at most max(maxBins, 8), else quantile cuts at
 * (b (m - 1) / maxBins) deduplicated; each value's bin by binary search.
 */
function reference(col: Float64Array, maxBins: number): { codes: Uint8Array; cuts: Float64Array } {
  const sorted = col.filter((v) => !Number.isNaN(v)).sort();
  const m = sorted.length;
  const uniq: number[] = [];
  for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) uniq.push(sorted[i]!);
  const cut: number[] = [];
  if (uniq.length <= Math.max(maxBins, 8)) {
    for (let b = 0; b + 1 < uniq.length; b++) cut.push((uniq[b]! + uniq[b + 1]!) / 2);
  } else {
    for (let b = 1; b < maxBins; b++) {
      const pos = (b * (m - 1)) / maxBins;
      const t = (sorted[Math.floor(pos)]! + sorted[Math.ceil(pos)]!) / 2;
      if (cut.length === 0 || t > cut[cut.length - 1]!) cut.push(t);
    }
    if (cut.length > 0 && cut[cut.length - 1]! >= uniq[uniq.length - 1]!) cut.pop();
  }
  const codes = Uint8Array.from(col, (v) => {
    if (Number.isNaN(v)) return MISSING_BIN;
    let b = 0;
    while (b < cut.length && v > cut[b]!) b++;
    return b;
  });
  return { codes, cuts: Float64Array.from(cut) };
}

test('binning through the distinct values equals the sorting reference, column by column', () => {
  const rng = new Rng(11);
  const n = 700;
  const kinds = ['one-hot', 'few', 'few with NaN', 'many', 'many with NaN', 'ties', 'constant', 'all NaN', 'wide range'];
  for (const maxBins of [2, 5, 16, 255]) {
    const p = kinds.length * 3;
    const X = new Float64Array(n * p);
    for (let j = 0; j < p; j++) {
      const kind = kinds[j % kinds.length]!;
      for (let i = 0; i < n; i++) {
        let v: number;
        if (kind === 'one-hot') v = rng.int(4) === 0 ? 1 : 0;
        else if (kind.startsWith('few')) v = [3, -1.5, 0.25, 7, 2][rng.int(2 + (j % 4))]!;
        else if (kind.startsWith('many')) v = rng.normal();
        else if (kind === 'ties') v = Math.round(rng.normal() * 20) / 4;
        else if (kind === 'constant') v = 2.5;
        else if (kind === 'all NaN') v = NaN;
        else v = Math.exp(rng.normal() * 10);
        if (kind.endsWith('NaN') && rng.int(6) === 0) v = NaN;
        X[i * p + j] = v;
      }
    }
    const B = binForHist({ data: X, rows: n, cols: p }, maxBins, new Set());
    for (let j = 0; j < p; j++) {
      const ref = reference(Float64Array.from({ length: n }, (_, i) => X[i * p + j]!), maxBins);
      const what = `${kinds[j % kinds.length]} column ${j}, maxBins ${maxBins}`;
      assert.deepEqual(B.cuts[j], ref.cuts, what);
      assert.deepEqual(B.codes.subarray(j * n, (j + 1) * n), ref.codes, what);
      assert.equal(B.nBins[j], Math.max(1, ref.cuts.length + 1), what);
      assert.equal(B.hasMissing[j], ref.codes.includes(MISSING_BIN) ? 1 : 0, what);
      // Each code's rows, counted while coding.
      const counted = Array.from({ length: 256 }, () => 0);
      for (const c of ref.codes) counted[c]++;
      assert.deepEqual(Array.from(B.counts!.subarray(256 * j, 256 * (j + 1))), counted, what);
    }
  }
});

test('codes are counted while binning categorical and two-valued columns too (either order of the two values)', () => {
  const n = 50;
  const X = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) {
    X[i * 4] = i % 3 === 0 ? 7 : 2; // two values, the first row's the larger
    X[i * 4 + 1] = i % 4 === 0 ? 1 : 0; // one-hot, the first row's the larger
    X[i * 4 + 2] = i % 5 === 0 ? NaN : i % 6; // categorical codes with missing values
    X[i * 4 + 3] = 4; // constant
  }
  const B = binForHist({ data: X, rows: n, cols: 4 }, 255, new Set([2]));
  for (let j = 0; j < 4; j++) {
    const counted = Array.from({ length: 256 }, () => 0);
    for (const c of B.codes.subarray(j * n, (j + 1) * n)) counted[c]++;
    assert.deepEqual(Array.from(B.counts!.subarray(256 * j, 256 * (j + 1))), counted, `column ${j}`);
  }
});
