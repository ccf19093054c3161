// Row splits for evaluation: shuffled train/test (optionally stratified), k-fold and stratified k-fold.

import { Rng } from '../tensor/random.js';

/** Train and test row indices. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * A seeded permutation of 0..n-1 (Fisher-Yates).
 * @example permutation(5, 0); // e.g. Int32Array [3, 0, 4, 1, 2]
 */
export function permutation(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Options of {@link trainTestSplit}. */
export interface TrainTestOptions {
  /** Fraction (0..1) or count of test rows; default 0.25 as scikit-learn. */
  testSize?: number;
  seed?: number;
  /** Labels to stratify by: each class keeps its proportion in both parts. */
  stratify?: ArrayLike<number | string | null>;
}

function groupByLabel(labels: ArrayLike<number | string | null>): Int32Array[] {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const key = String(labels[i]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i);
  }
  return [...groups.keys()].sort().map((k) => Int32Array.from(groups.get(k)!));
}

/**
 * Splits row indices 0..n-1 into a shuffled train and test part.
 * @example const { train, test } = trainTestSplit(100, { testSize: 0.2, seed: 0, stratify: y });
 */
export function trainTestSplit(n: number, opts: TrainTestOptions = {}): Split {
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`trainTestSplit: n must be a whole number of rows >= 2, got ${n}`);
  const ts = opts.testSize ?? 0.25;
  // A fraction in (0, 1), or a whole number of rows (1 itself would be ambiguous, and is a count).
  if (!(Number.isFinite(ts) && ts > 0 && (ts < 1 || Number.isInteger(ts)))) throw new Error(`trainTestSplit: testSize must be a fraction in (0, 1) or a whole number of rows, got ${ts}`);
  const nTest = ts < 1 ? Math.ceil(ts * n) : Math.floor(ts);
  if (nTest <= 0 || nTest >= n) throw new Error(`trainTestSplit: test size ${nTest} of ${n} rows leaves an empty part`);
  const seed = opts.seed ?? 0;
  if (!opts.stratify) {
    const p = permutation(n, seed);
    return { test: p.slice(0, nTest).sort(), train: p.slice(nTest).sort() };
  }
  if (opts.stratify.length !== n) throw new Error('trainTestSplit: stratify labels differ in length from the data');
  const groups = groupByLabel(opts.stratify);
  // Largest-remainder allocation of test rows across classes.
  const exact = groups.map((g) => (g.length * nTest) / n);
  const alloc = exact.map(Math.floor);
  let left = nTest - alloc.reduce((s, a) => s + a, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) { if (left <= 0) break; if (alloc[i]! < groups[i]!.length) { alloc[i]!++; left--; } }
  const test: number[] = [];
  const train: number[] = [];
  groups.forEach((g, gi) => {
    const p = permutation(g.length, seed + 7919 * (gi + 1));
    for (let t = 0; t < g.length; t++) (t < alloc[gi]! ? test : train).push(g[p[t]!]!);
  });
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

/** Options of {@link kFold} and {@link stratifiedKFold}. */
export interface KFoldOptions {
  nSplits?: number;
  shuffle?: boolean;
  seed?: number;
}

/**
 * K consecutive folds (after an optional seeded shuffle); the first n % k folds get one extra row.
 * @example kFold(10, { nSplits: 5 }).map((s) => s.test.length); // [2, 2, 2, 2, 2]
 */
export function kFold(n: number, opts: KFoldOptions = {}): Split[] {
  const k = opts.nSplits ?? 5;
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) throw new Error(n < 2 ? `kFold: ${n} rows cannot be split into folds (2 at least)` : `kFold: nSplits must be a whole number in [2, ${n}], got ${k}`);
  const idx = opts.shuffle ? permutation(n, opts.seed ?? 0) : Int32Array.from({ length: n }, (_, i) => i);
  const out: Split[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = idx.slice(start, start + size).sort();
    const train = Int32Array.from([...idx.slice(0, start), ...idx.slice(start + size)]).sort();
    out.push({ train, test });
    start += size;
  }
  return out;
}

/**
 * K folds that each keep the class proportions: each class's rows are dealt round-robin to the folds.
 * @example stratifiedKFold(y, { nSplits: 5, shuffle: true, seed: 0 });
 */
export function stratifiedKFold(labels: ArrayLike<number | string | null>, opts: KFoldOptions = {}): Split[] {
  const n = labels.length;
  const k = opts.nSplits ?? 5;
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) throw new Error(n < 2 ? `stratifiedKFold: ${n} rows cannot be split into folds (2 at least)` : `stratifiedKFold: nSplits must be a whole number in [2, ${n}], got ${k}`);
  const fold = new Int32Array(n);
  let offset = 0;
  groupByLabel(labels).forEach((g, gi) => {
    const p = opts.shuffle ? permutation(g.length, (opts.seed ?? 0) + 7919 * (gi + 1)) : Int32Array.from({ length: g.length }, (_, i) => i);
    // Continue the round-robin where the previous class stopped, so fold sizes stay balanced.
    for (let t = 0; t < g.length; t++) fold[g[p[t]!]!] = (offset + t) % k;
    offset = (offset + g.length) % k;
  });
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const test: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    out.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return out;
}
