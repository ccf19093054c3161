import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binForHist } from './hist-binning.js';
import { balancedParts, hasRowLists, histLayout, partEntries, splitLayout, withRowLists } from './hist-layout.js';
import { BestFirst, type HistPool } from './hist-best-first.js';
import { HistGrower, type GrowResult, type HistGrowOptions } from './hist-tree.js';
import { HelperPace } from './hist-pace.js';
import { ARGS, A_DO_LARGE, A_DO_SMALL, A_END, A_G, A_HCONST, A_L2, A_MSL, A_PARENT, A_SMALL, A_START, SPLIT_WORDS, readSplit, runStep } from './hist-split.js';
import { Rng } from '../tensor/random.js';
import type { Matrix } from './matrix.js';

/** Numeric columns (one with missing values), a one-hot group and a categorical code. */
function data(n: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const p = 10;
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < 5; j++) X[o + j] = rng.normal();
    if (rng.int(8) === 0) X[o + 1] = NaN;
    X[o + 5 + rng.int(4)] = 1;
    X[o + 9] = rng.int(6);
  }
  return { data: X, rows: n, cols: p };
}

function gradients(X: Matrix, seed: number): { g: Float64Array; h: Float64Array } {
  const rng = new Rng(seed);
  const g = new Float64Array(X.rows);
  const h = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    const x = X.data.subarray(i * X.cols, (i + 1) * X.cols);
    g[i] = (Number.isNaN(x[1]!) ? 0.7 : x[0]! * x[1]!) + (x[6] === 1 ? 1 : 0) - (x[9]! % 2) + 0.3 * rng.normal();
    h[i] = 0.1 + rng.next();
  }
  return { g, h };
}

/** The arguments of a root step (src/ml/hist-split.ts runStep) on rows 0..n-1 of gradients g and hessians h. */
function rootStep(g: Float64Array, h: Float64Array, n: number): Float64Array {
  let G = 0;
  let H = 0;
  for (let i = 0; i < n; i++) { G += g[i]!; H += h[i]!; }
  const args = new Float64Array(ARGS);
  args[A_SMALL] = 0; args[A_PARENT] = -1; args[A_START] = 0; args[A_END] = n;
  args[A_G] = G; args[A_G + 1] = H; args[A_G + 2] = n; args[A_DO_SMALL] = 1; args[A_DO_LARGE] = 0;
  args[A_HCONST] = 0; args[A_MSL] = 5; args[A_L2] = 0;
  return args;
}

/** Waits up to ms for the grower's helper thread to load; whether it has. */
function waitForHelper(grower: HistGrower, ms: number): boolean {
  const sleep = new Int32Array(new SharedArrayBuffer(4));
  for (let t = 0; t < ms / 20 && !grower.helperReady(); t++) Atomics.wait(sleep, 0, 0, 20);
  return grower.helperReady();
}

function firstColumn(X: Matrix): Matrix {
  return { data: Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols]!), rows: X.rows, cols: 1 };
}

function grow(grower: HistGrower, X: Matrix, seed: number, hessians: boolean, o: HistGrowOptions, m = X.rows): { out: GrowResult; rows: Int32Array } {
  const { g, h } = gradients(X, seed);
  const rows = new Int32Array(X.rows);
  for (let i = 0; i < X.rows; i++) rows[i] = (i * 7) % X.rows; // a permutation (7 is prime to the sizes used)
  const out = grower.grow(g, hessians ? h : null, rows, m, o);
  return { out, rows };
}

test('trees grown by two threads in lockstep equal one thread\'s, node for node', () => {
  const X = data(600, 1);
  const B = binForHist(X, 255, new Set([9]));
  const one = new HistGrower(B, 1);
  const two = new HistGrower(B, 2, 1, true);
  try {
    assert.ok(waitForHelper(two, 10_000), 'the helper thread loaded');
    const shapes: HistGrowOptions[] = [
      { maxLeafNodes: 31, maxDepth: Infinity, minSamplesLeaf: 20, l2: 0, learningRate: 0.1 },
      { maxLeafNodes: 8, maxDepth: 3, minSamplesLeaf: 1, l2: 0, learningRate: 1 },
      { maxLeafNodes: 2, maxDepth: Infinity, minSamplesLeaf: 5, l2: 1, learningRate: 0.3 },
      { maxLeafNodes: 3, maxDepth: Infinity, minSamplesLeaf: 5, l2: 0, learningRate: 0.3 },
      { maxLeafNodes: 64, maxDepth: 5, minSamplesLeaf: 3, l2: 0.5, learningRate: 0.1 },
      { maxLeafNodes: 40, maxDepth: Infinity, minSamplesLeaf: 400, l2: 0, learningRate: 0.1 }, // root only
    ];
    for (const [s, o] of shapes.entries()) {
      for (const hessians of [false, true]) {
        for (const m of [600, 451]) {
          const a = grow(one, X, s, hessians, o, m);
          const b = grow(two, X, s, hessians, o, m);
          const what = `shape ${s}, hessians ${hessians}, ${m} rows`;
          assert.deepEqual(b.out.tree, a.out.tree, what);
          assert.deepEqual(b.out.leaves, a.out.leaves, what);
          assert.deepEqual(b.out.nodeRows, a.out.nodeRows, what);
          assert.deepEqual(b.rows, a.rows, what);
        }
      }
    }
    assert.ok(grow(one, X, 0, false, shapes[0]!).out.leaves.length >= 20); // best-first trees with many open nodes
  } finally {
    one.close();
    two.close();
  }
});

test('a single feature grows on one thread whatever the threads asked for (there is nothing to share out)', () => {
  const X = data(300, 4);
  const one = firstColumn(X);
  const B = binForHist(one, 255, new Set());
  const a = new HistGrower(B, 1);
  const b = new HistGrower(B, 2, 1, true);
  try {
    const o: HistGrowOptions = { maxLeafNodes: 8, maxDepth: Infinity, minSamplesLeaf: 5, l2: 0, learningRate: 0.1 };
    // No helper comes: a pair would have left one thread a part with no feature.
    assert.equal(waitForHelper(b, 500), false);
    const ra = grow(a, X, 1, true, o); // gradients from all ten columns, splits on the first
    const rb = grow(b, X, 1, true, o);
    assert.deepEqual(rb.out.tree, ra.out.tree);
    assert.deepEqual(rb.rows, ra.rows);
    assert.ok(ra.out.leaves.length >= 4);
  } finally {
    a.close();
    b.close();
  }
});

test('a layout of one feature cut in two has an empty second part, whose steps find no split', () => {
  const X = data(200, 6);
  const one = firstColumn(X);
  const L2 = splitLayout(histLayout(binForHist(one, 255, new Set()), 1, false), false);
  assert.equal(L2.parts.length, 2);
  assert.deepEqual(Array.from(L2.parts[1]!.feats), []);
  assert.equal(L2.parts[1]!.s1 - L2.parts[1]!.s0, 0);
  const { g, h } = gradients(X, 2);
  const args = rootStep(g, h, X.rows);
  const res = new Float64Array(4 * SPLIT_WORDS);
  const st = { L: L2, g, h, rows: Int32Array.from({ length: X.rows }, (_, i) => i), hists: [new Float64Array(3 * L2.total)] };
  for (const q of [0, 1]) runStep(st, q, args, res);
  assert.equal(res[2 * SPLIT_WORDS], 0); // part 1: no split
  assert.equal(readSplit(res, 2, 0, new Uint8Array(1))!.feature, 0);
});

test('a layout cut in two parts lists each row\'s entries as the one-part layout, and a step on it finds the same split', () => {
  const X = data(300, 2);
  const B = binForHist(X, 255, new Set([9]));
  const L1 = histLayout(B, 1, false);
  const L2 = splitLayout(L1, false);
  const p1 = L1.parts[0]!;
  assert.equal(L2.parts.length, 2);
  // Every feature in exactly one part, each part's features ascending, both parts given some.
  const all = L2.parts.flatMap((q) => Array.from(q.feats)).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: X.cols }, (_, j) => j));
  for (const q of L2.parts) {
    assert.ok(q.feats.length > 0);
    assert.deepEqual(Array.from(q.feats), Array.from(q.feats).sort((a, b) => a - b));
  }
  // Each part's slots are one run, and each feature keeps its number of slots, renumbered.
  const featureOf = (slot3: number): number => Array.from({ length: X.cols }, (_, j) => j).find((j) => slot3 >= 3 * L1.offset[j]! && slot3 < 3 * L1.offset[j + 1]!)!;
  const moved = (slot3: number): number => { const j = featureOf(slot3); return slot3 - 3 * L1.offset[j]! + 3 * L2.offset[j]!; };
  const partOf = (j: number): number => L2.parts.findIndex((q) => q.feats.includes(j));
  assert.deepEqual([L2.parts[0]!.s0, L2.parts[0]!.s1, L2.parts[1]!.s1], [0, L2.parts[1]!.s0, L1.total]);
  for (const q of L2.parts) for (const j of q.feats) assert.ok(L2.offset[j]! >= q.s0 && L2.offset[j]! + L2.B.nBins[j]! + 1 <= q.s1, `feature ${j} in its part's slots`);
  for (let i = 0; i < X.rows; i++) {
    const whole = Array.from(p1.rowSlots.subarray(p1.rowStart[i]!, p1.rowStart[i + 1]!));
    L2.parts.forEach((q, k) => {
      const expected = whole.filter((s) => partOf(featureOf(s)) === k).map(moved);
      assert.deepEqual(Array.from(q.rowSlots.subarray(q.rowStart[i]!, q.rowStart[i + 1]!)), expected, `row ${i}, part ${k}`);
    });
  }
  const { g, h } = gradients(X, 3);
  const rows = Int32Array.from({ length: X.rows }, (_, i) => i);
  const args = rootStep(g, h, X.rows);
  const hist1 = new Float64Array(3 * L1.total);
  const hist2 = new Float64Array(3 * L1.total);
  const res1 = new Float64Array(2 * SPLIT_WORDS);
  const res2 = new Float64Array(4 * SPLIT_WORDS);
  runStep({ L: L1, g, h, rows, hists: [hist1] }, 0, args, res1);
  for (const q of [1, 0]) runStep({ L: L2, g, h, rows, hists: [hist2] }, q, args, res2);
  for (let j = 0; j < X.cols; j++) {
    const nb = 3 * (B.nBins[j]! + 1);
    assert.deepEqual(hist2.subarray(3 * L2.offset[j]!, 3 * L2.offset[j]! + nb), hist1.subarray(3 * L1.offset[j]!, 3 * L1.offset[j]! + nb), `feature ${j}`);
  }
  const s1 = readSplit(res1, 1, 0, B.categorical);
  assert.ok(s1 && s1.gain > 0);
  assert.deepEqual(readSplit(res2, 2, 0, B.categorical), s1);
});

test('a layout cut from one without row lists has the same parts and lists, and builds a part\'s lists into given arrays', () => {
  const X = data(300, 4);
  const B = binForHist(X, 255, new Set([9]));
  const fromLists = splitLayout(histLayout(B, 1, false), false);
  const header = histLayout(B, 1, false, false);
  assert.equal(header.parts.length, 0);
  const cut = splitLayout(header, false, undefined, (q) => q === 0);
  assert.deepEqual(Array.from(cut.offset), Array.from(fromLists.offset));
  assert.deepEqual(Array.from(cut.dflt), Array.from(fromLists.dflt));
  assert.ok(hasRowLists(cut, 0) && !hasRowLists(cut, 1));
  assert.deepEqual(Array.from(cut.parts[0]!.rowSlots), Array.from(fromLists.parts[0]!.rowSlots));
  assert.deepEqual(Array.from(cut.parts[0]!.rowStart), Array.from(fromLists.parts[0]!.rowStart));
  const into = { rowStart: new Int32Array(X.rows + 1), rowSlots: new Int32Array(partEntries(cut, 1)) };
  const second = withRowLists(cut, 1, false, into);
  assert.equal(second.rowSlots, into.rowSlots);
  assert.deepEqual(Array.from(into.rowSlots), Array.from(fromLists.parts[1]!.rowSlots));
  assert.deepEqual(Array.from(into.rowStart), Array.from(fromLists.parts[1]!.rowStart));
  assert.throws(() => withRowLists(cut, 1, false, { rowStart: into.rowStart, rowSlots: new Int32Array(3) }), /row lists of part 1: arrays of 301 and 3, expected 301 and \d+/);
});

test('a tree grown alone on both parts of a cut layout, in turn, equals the one-part layout\'s, rows in the same order', () => {
  const X = data(500, 7);
  const B = binForHist(X, 255, new Set([9]));
  const { g, h } = gradients(X, 5);
  const o: HistGrowOptions = { maxLeafNodes: 15, maxDepth: Infinity, minSamplesLeaf: 5, l2: 0.5, learningRate: 0.1 };
  const grow = (two: boolean): { r: GrowResult; rows: Int32Array } => {
    const L = two ? splitLayout(histLayout(B, 1, false, false), false) : histLayout(B, 1, false);
    const st = { L, g, h, rows: Int32Array.from({ length: X.rows }, (_, i) => i), hists: [] as Float64Array[] };
    let free: number[] = [];
    const pool: HistPool = {
      startTree: () => { free = st.hists.map((_, k) => k); },
      alloc: () => free.pop() ?? st.hists.push(new Float64Array(3 * L.total)) - 1,
      release: (k) => { free.push(k); },
    };
    return { r: new BestFirst(B, st, pool, null).grow(false, X.rows, o, false), rows: st.rows };
  };
  const one = grow(false);
  const two = grow(true);
  assert.ok(one.r.leaves.length > 8);
  assert.deepEqual(two.r.tree, one.r.tree);
  assert.deepEqual(two.r.leaves, one.r.leaves);
  assert.deepEqual(Array.from(two.rows), Array.from(one.rows));
});

test('balancedParts gives each of two parts a fair share of row entries, slots and features', () => {
  // 40 columns: 8 numeric (many bins, every row listed) then 32 one-hot ones (3 slots, few entries).
  const rng = new Rng(5);
  const n = 400;
  const p = 40;
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 8; j++) X[i * p + j] = rng.normal();
    X[i * p + 8 + rng.int(32)] = 1;
  }
  const L = histLayout(binForHist({ data: X, rows: n, cols: p }, 255, new Set()), 1, false);
  const part = balancedParts(L, 2);
  const shares = [0, 1].map((q) => {
    let entries = 0;
    let slots = 0;
    let feats = 0;
    for (let j = 0; j < p; j++) if (part[j] === q) { entries += L.nnz[j]!; slots += L.B.nBins[j]! + 1; feats++; }
    return { entries, slots, feats };
  });
  const total = { entries: shares[0]!.entries + shares[1]!.entries, slots: shares[0]!.slots + shares[1]!.slots };
  for (const sh of shares) {
    assert.ok(Math.abs(sh.entries / total.entries - 0.5) < 0.1, `entries ${sh.entries} of ${total.entries}`);
    assert.ok(Math.abs(sh.slots / total.slots - 0.5) < 0.1, `slots ${sh.slots} of ${total.slots}`);
    assert.ok(sh.feats >= 14 && sh.feats <= 26, `${sh.feats} features`);
  }
  // Cut as runs of features, one part would hold every numeric column.
  assert.ok([0, 1].every((q) => Array.from(part.subarray(0, 8)).includes(q)));
});

test('readSplit takes the better gain of the parts, and on equal gains the lower feature, as one scan would', () => {
  const res = new Float64Array(4 * SPLIT_WORDS);
  const put = (q: number, gain: number, feature: number): void => { res[2 * q * SPLIT_WORDS] = gain; res[2 * q * SPLIT_WORDS + 1] = feature; };
  const none = new Uint8Array(20);
  put(0, 2, 9); put(1, 3, 4);
  assert.equal(readSplit(res, 2, 0, none)!.feature, 4);
  put(0, 3, 9); put(1, 3, 4); // a tie: part 1 holds the lower feature
  assert.equal(readSplit(res, 2, 0, none)!.feature, 4);
  put(0, 3, 2);
  assert.equal(readSplit(res, 2, 0, none)!.feature, 2);
  put(0, 0, 0); put(1, 0, 0);
  assert.equal(readSplit(res, 2, 0, none), null);
});

test('the helper is used on the trees where it has been faster, and tried again now and then', () => {
  const pace = new HelperPace();
  const picks: boolean[] = [];
  for (let t = 0; t < 64; t++) {
    const helped = pace.next();
    picks.push(helped);
    pace.record(helped, helped ? 3 : 2); // alone is faster here
  }
  assert.equal(picks[0], true); // tried first
  const helpedLater = picks.slice(16).filter((x) => x).length;
  assert.ok(helpedLater >= 2 && helpedLater <= 4, `tried ${helpedLater} times in 48 trees`);
  const fast = new HelperPace();
  let alone = 0;
  for (let t = 0; t < 64; t++) { const helped = fast.next(); if (!helped) alone++; fast.record(helped, helped ? 1 : 2); }
  assert.ok(alone >= 1 && alone <= 4, `alone ${alone} times`);
  // The helper faster: trees alone are rare (the first timing, then one in 128) ...
  const rare = new HelperPace();
  let aloneRare = 0;
  for (let t = 0; t < 256; t++) { const helped = rare.next(); if (!helped) aloneRare++; rare.record(helped, helped ? 1 : 2); }
  assert.ok(aloneRare >= 2 && aloneRare <= 6, `alone ${aloneRare} times in 256 trees`);
  // ... and when the helper's trees slow down (a busy machine), it is dropped within a few trees.
  let dropped = -1;
  for (let t = 0; t < 16 && dropped < 0; t++) { const helped = rare.next(); if (!helped) dropped = t; rare.record(helped, helped ? 4 : 2); }
  assert.ok(dropped >= 0 && dropped <= 6, `dropped after ${dropped} slow trees`);
  assert.equal(new HelperPace(true).next(), true);
});

test('timing trees alone costs one tree, and the grower\'s first tree alone (its first touches) is not timed', () => {
  for (const firstAlone of [false, true]) {
    const pace = new HelperPace();
    if (firstAlone) pace.record(false, 50); // the first tree, alone: the helper was not ready yet; slow as a first tree is
    let alone = 0;
    for (let t = 0; t < 32; t++) { const helped = pace.next(); if (!helped) alone++; pace.record(helped, helped ? 1 : 1.5); }
    assert.equal(alone, 1, `first tree ${firstAlone ? 'alone' : 'with the helper'}`);
  }
  // Had the first tree's 50 ms counted, alone would look slow for good; timed only on later trees,
  // alone now being faster shows within a few of them.
  const shift = new HelperPace();
  shift.record(false, 50);
  const picks: boolean[] = [];
  for (let t = 0; t < 24; t++) { const helped = shift.next(); picks.push(helped); shift.record(helped, helped ? 3 : 1); }
  assert.equal(picks.slice(12).filter((x) => !x).length >= 10, true, `alone on ${picks.slice(12).filter((x) => !x).length} of the last 12`);
});
