import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAGE_LOGISTIC, STAGE_RESIDUAL, STAGE_SQUARED, newtonSums, newtonValue, resetRows, stageAlone, stageBuffers, stageGradients, stageScores } from './hist-stage.js';
import { binForHist } from './hist-binning.js';
import { HistGrower, type HistGrowOptions } from './hist-tree.js';
import { rootSums } from './hist-best-first.js';
import { Rng } from '../tensor/random.js';

/** n rows in a shuffled order, with three leaves over the positions and random scores and targets. */
function setup(n: number, seed: number) {
  const rng = new Rng(seed);
  const S = stageBuffers(n);
  const rows = rng.permutation(n);
  for (let i = 0; i < n; i++) { S.F[i] = rng.normal(); S.y[i] = rng.int(2); }
  const cuts = [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n];
  const values = [0.25, -0.5, 1.5];
  values.forEach((v, l) => { S.leaves[3 * l] = cuts[l]!; S.leaves[3 * l + 1] = cuts[l + 1]!; S.leaves[3 * l + 2] = v; });
  const leafOf = (t: number): number => (t < cuts[1]! ? 0 : t < cuts[2]! ? 1 : 2);
  return { S, rows, values, leafOf, R: { g: new Float64Array(n), h: new Float64Array(n), rows: Int32Array.from(rows) } };
}

test('stage rows: each row gets its leaf\'s value, then the gradients of its kind, and the positions are reset', () => {
  const n = 101;
  for (const kind of [STAGE_SQUARED, STAGE_LOGISTIC, STAGE_RESIDUAL]) {
    const { S, rows, values, leafOf, R } = setup(n, kind);
    const F0 = Float64Array.from(S.F);
    const sums = new Float64Array(4);
    stageAlone(kind, S, R, 3, n, sums);
    for (let t = 0; t < n; t++) {
      const i = rows[t]!;
      const F = F0[i]! + values[leafOf(t)]!;
      assert.equal(S.F[i], F, `kind ${kind}, row ${i}`);
      const p = 1 / (1 + Math.exp(-F));
      if (kind === STAGE_SQUARED) assert.equal(R.g[i], F - S.y[i]!);
      else if (kind === STAGE_LOGISTIC) {
        assert.ok(Math.abs(R.g[i]! - (p - S.y[i]!)) < 1e-15);
        assert.ok(Math.abs(R.h[i]! - p * (1 - p)) < 1e-15);
      } else {
        assert.ok(Math.abs(S.r[i]! - (S.y[i]! - p)) < 1e-15);
        assert.equal(R.g[i], -S.r[i]!);
      }
    }
    assert.deepEqual(Array.from(R.rows), Array.from({ length: n }, (_, t) => t));
    // Each half's sums, added up in row order, as rootSums adds them.
    const expected = new Float64Array(4);
    rootSums(R.g, R.h, R.rows, 0, 50, kind !== STAGE_LOGISTIC, expected, 0);
    rootSums(R.g, R.h, R.rows, 50, n, kind !== STAGE_LOGISTIC, expected, 2);
    assert.deepEqual(sums, expected, `kind ${kind}: the halves' sums`);
    let G = 0;
    for (let i = 0; i < 50; i++) G += R.g[i]!;
    assert.equal(sums[0], G);
    assert.equal(sums[3], kind === STAGE_LOGISTIC ? expected[3] : 51);
  }
  const { S, R } = setup(4, 1);
  assert.throws(() => stageGradients(9, S.F, S, R, 0, 4, new Float64Array(2), 0), /unknown stage kind 9/);
});

test('stage rows done by two threads\' halves, each from its own copy of the scores, equal them done at once, to the bit', () => {
  const n = 257;
  for (const kind of [STAGE_SQUARED, STAGE_LOGISTIC, STAGE_RESIDUAL]) {
    const a = setup(n, 10 + kind);
    const b = setup(n, 10 + kind);
    const sumsA = new Float64Array(4);
    const sumsB = new Float64Array(4);
    stageAlone(kind, a.S, a.R, 3, n, sumsA);
    // As a lockstep pair does (src/ml/hist-tree.ts prepare): each thread adds every leaf's values to
    // its copy, then resets its half of the positions and computes its half of the rows' gradients.
    const copy = Float64Array.from(b.S.F);
    stageScores(b.S.F, b.R.rows, b.S.leaves, 3, 0, n);
    stageScores(copy, b.R.rows, b.S.leaves, 3, 0, n);
    resetRows(b.R.rows, 0, 128);
    stageGradients(kind, b.S.F, b.S, b.R, 0, 128, sumsB, 0);
    resetRows(b.R.rows, 128, n);
    stageGradients(kind, copy, b.S, b.R, 128, n, sumsB, 2);
    assert.deepEqual(copy, b.S.F);
    assert.deepEqual(b.S.F, a.S.F);
    assert.deepEqual(b.S.r, a.S.r);
    assert.deepEqual(b.R.g, a.R.g);
    assert.deepEqual(b.R.h, a.R.h);
    assert.deepEqual(b.R.rows, a.R.rows);
    assert.deepEqual(sumsB, sumsA);
  }
});

test('Newton sums by halves of the positions, in either order, give each leaf Σ r / Σ |r| (1 - |r|) over its rows', () => {
  const rng = new Rng(21);
  const n = 90;
  const r = Float64Array.from({ length: n }, () => rng.next() * 2 - 1);
  const rows = rng.permutation(n);
  const leaves = [{ start: 0, end: 30 }, { start: 30, end: 31 }, { start: 31, end: 90 }, { start: 90, end: 90 }];
  r[rows[30]!] = 0; // a leaf whose hessian sum is 0: its step is 0
  const a = new Float64Array(4 * leaves.length);
  const b = new Float64Array(4 * leaves.length);
  newtonSums(r, rows, leaves, 0, 45, a, 0);
  newtonSums(r, rows, leaves, 45, n, a, 1);
  newtonSums(r, rows, leaves, 45, n, b, 1);
  newtonSums(r, rows, leaves, 0, 45, b, 0);
  assert.deepEqual(b, a);
  leaves.forEach(({ start, end }, k) => {
    let num = 0;
    let den = 0;
    for (let t = start; t < end; t++) { const v = r[rows[t]!]!; num += v; den += Math.abs(v) * (1 - Math.abs(v)); }
    const want = den < 1e-150 ? 0 : num / den;
    assert.ok(Math.abs(newtonValue(a, k) - want) <= 1e-12 * Math.max(1, Math.abs(want)), `leaf ${k}`);
  });
  assert.equal(newtonValue(a, 1), 0);
  assert.equal(newtonValue(a, 3), 0);
});

test('a two-class residual stage\'s trees come with their leaves\' Newton steps, from the residuals of the rows they grew on', () => {
  const rng = new Rng(8);
  const n = 300;
  const p = 4;
  const X = features(rng, n, p);
  const y = Float64Array.from({ length: n }, (_, i) => (X[i * p]! + 0.5 * X[i * p + 1]! > 0 ? 1 : 0));
  const grower = new HistGrower(binForHist({ data: X, rows: n, cols: p }, 255, new Set()));
  try {
    const { r, rows } = grower.startStage(STAGE_RESIDUAL, y, 0);
    for (let it = 0; it < 3; it++) {
      const grown = grower.stageTree({ maxLeafNodes: 8, maxDepth: 3, minSamplesLeaf: 1, l2: 0, learningRate: 1 });
      assert.ok(grown.leaves.length > 1);
      for (const leaf of grown.leaves) {
        let num = 0;
        let den = 0;
        for (let t = leaf.start; t < leaf.end; t++) { const v = r[rows[t]!]!; num += v; den += Math.abs(v) * (1 - Math.abs(v)); }
        assert.ok(Math.abs(leaf.value - num / den) < 1e-12 * Math.max(1, Math.abs(leaf.value)), `tree ${it}, node ${leaf.node}`);
        assert.equal(grown.tree.value[leaf.node], leaf.value);
      }
      grower.stageLeaves(grown.leaves, (leaf) => 0.1 * leaf.value);
    }
  } finally {
    grower.close();
  }
});

/** n rows of p normal features (column `intCol`, if any, integers 0-2), row-major, drawn row by row. */
function features(rng: Rng, n: number, p: number, intCol = -1): Float64Array {
  const X = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) X[i] = i % p === intCol ? rng.int(3) : rng.normal();
  return X;
}

test('a grower\'s stages (startStage, stageTree, stageLeaves) grow the trees of the boosting loop written out', () => {
  const rng = new Rng(4);
  const n = 400;
  const p = 6;
  const X = features(rng, n, p);
  const y = Float64Array.from({ length: n }, (_, i) => (Math.sin(X[i * p]!) + X[i * p + 1]! * X[i * p + 2]! > 0 ? 1 : 0));
  const B = binForHist({ data: X, rows: n, cols: p }, 255, new Set());
  const o: HistGrowOptions = { maxLeafNodes: 8, maxDepth: Infinity, minSamplesLeaf: 5, l2: 0, learningRate: 0.3 };
  const staged = new HistGrower(B);
  const manual = new HistGrower(B);
  try {
    staged.startStage(STAGE_LOGISTIC, y, 0.1);
    const F = new Float64Array(n).fill(0.1);
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const rows = new Int32Array(n);
    for (let it = 0; it < 5; it++) {
      const a = staged.stageTree(o);
      staged.stageLeaves(a.leaves, (leaf) => leaf.value);
      for (let i = 0; i < n; i++) { const q = 1 / (1 + Math.exp(-F[i]!)); g[i] = q - y[i]!; h[i] = q * (1 - q); rows[i] = i; }
      const b = manual.grow(g, h, rows, n, o);
      for (const leaf of b.leaves) for (let t = leaf.start; t < leaf.end; t++) F[rows[t]!] += leaf.value;
      assert.deepEqual(Array.from(a.tree.feature), Array.from(b.tree.feature), `tree ${it}`);
      assert.deepEqual(Array.from(a.tree.threshold), Array.from(b.tree.threshold), `tree ${it}`);
      for (let k = 0; k < a.tree.value.length; k++) assert.ok(Math.abs(a.tree.value[k]! - b.tree.value[k]!) < 1e-12, `tree ${it}, node ${k}`);
    }
    assert.throws(() => new HistGrower(B).stageTree(o), /startStage first/);
    assert.throws(() => new HistGrower(B).startStage(7, y, 0), /unknown stage kind 7/);
    assert.throws(() => staged.startStage(STAGE_SQUARED, y.subarray(1), 0), /399 targets for 400 rows/);
  } finally {
    staged.close();
    manual.close();
  }
});

test('staged trees grown by two threads in lockstep (the helper on every tree) equal one thread\'s, for each stage kind', () => {
  const rng = new Rng(11);
  const n = 701; // odd: the two halves of the rows differ by one
  const p = 7;
  const X = features(rng, n, p, 6);
  const yReg = Float64Array.from({ length: n }, (_, i) => 3 * X[i * p]! - X[i * p + 1]! * X[i * p + 2]! + rng.normal());
  const yCls = Float64Array.from(yReg, (v) => (v > 0 ? 1 : 0));
  const B = binForHist({ data: X, rows: n, cols: p }, 255, new Set());
  const shapes: HistGrowOptions[] = [
    { maxLeafNodes: 15, maxDepth: Infinity, minSamplesLeaf: 10, l2: 0, learningRate: 0.2 },
    { maxLeafNodes: Infinity, maxDepth: 3, minSamplesLeaf: 1, l2: 0, learningRate: 1 },
  ];
  for (const [kind, y] of [[STAGE_SQUARED, yReg], [STAGE_LOGISTIC, yCls], [STAGE_RESIDUAL, yCls]] as const) {
    const one = new HistGrower(B, 1);
    const two = new HistGrower(B, 2, 1, true);
    try {
      const sleep = new Int32Array(new SharedArrayBuffer(4));
      for (let t = 0; t < 500 && !two.helperReady(); t++) Atomics.wait(sleep, 0, 0, 20);
      assert.ok(two.helperReady(), 'the helper thread loaded');
      const a = one.startStage(kind, y, 0.1);
      const b = two.startStage(kind, y, 0.1);
      for (let it = 0; it < 12; it++) {
        const o = shapes[it % 2]!;
        const ta = one.stageTree(o);
        const tb = two.stageTree(o);
        const what = `kind ${kind}, tree ${it}`;
        assert.deepEqual(Array.from(tb.tree.feature), Array.from(ta.tree.feature), what);
        assert.deepEqual(Array.from(tb.tree.threshold), Array.from(ta.tree.threshold), what);
        assert.deepEqual(Array.from(tb.tree.value), Array.from(ta.tree.value), what);
        assert.deepEqual(tb.leaves, ta.leaves, what);
        assert.deepEqual(Array.from(b.rows), Array.from(a.rows), `${what}: the leaves' rows`);
        if (kind === STAGE_RESIDUAL) assert.deepEqual(Array.from(b.r), Array.from(a.r), `${what}: the residuals`);
        // A value per leaf that is not the tree's own (as gbm's Newton steps), the same on both.
        const value = (leaf: { value: number; start: number }): number => 0.5 * leaf.value + 1e-3 * (leaf.start % 7);
        one.stageLeaves(ta.leaves, value);
        two.stageLeaves(tb.leaves, value);
      }
      one.stageTree(shapes[0]!);
      two.stageTree(shapes[0]!);
      assert.deepEqual(Array.from(b.F), Array.from(a.F), `kind ${kind}: the scores after 12 trees`);
    } finally {
      one.close();
      two.close();
    }
  }
});
