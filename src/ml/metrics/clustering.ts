// Clustering metrics: inertia, silhouette coefficient (Rousseeuw 1987), adjusted Rand index (Hubert & Arabie 1985).

import { toMatrix, type MatrixLike } from '../matrix.js';

/**
 * Sum of squared distances of each row to the center of its cluster.
 * @example inertia([[0], [2]], [0, 0], [[1]]); // 1 + 1 = 2
 */
export function inertia(X: MatrixLike, labels: ArrayLike<number>, centers: MatrixLike): number {
  const M = toMatrix(X);
  const C = toMatrix(centers, { name: 'centers' });
  if (labels.length !== M.rows) throw new Error(`inertia: ${labels.length} labels for ${M.rows} rows`);
  if (C.cols !== M.cols) throw new Error(`inertia: centers have ${C.cols} columns, X has ${M.cols}`);
  for (let i = 0; i < M.rows; i++) {
    const c = labels[i]!;
    if (!(Number.isInteger(c) && c >= 0 && c < C.rows)) throw new Error(`inertia: label ${c} at row ${i} is not a center (0..${C.rows - 1})`);
  }
  let s = 0;
  for (let i = 0; i < M.rows; i++) {
    const c = labels[i]!;
    for (let j = 0; j < M.cols; j++) { const d = M.data[i * M.cols + j]! - C.data[c * C.cols + j]!; s += d * d; }
  }
  return s;
}

/**
 * Mean silhouette coefficient (Euclidean): (b - a) / max(a, b) per sample, 0 for singleton clusters.
 * O(n²): pass a sample for large data.
 * @example silhouetteScore([[0], [1], [10], [11]], [0, 0, 1, 1]); // ≈ 0.9
 */
export function silhouetteScore(X: MatrixLike, labels: ArrayLike<number>): number {
  const M = toMatrix(X);
  const n = M.rows;
  if (labels.length !== n) throw new Error(`silhouetteScore: ${labels.length} labels for ${n} rows`);
  const ids = Array.from(new Set(Array.from(labels))).sort((a, b) => a - b);
  if (ids.length < 2 || ids.length > n - 1) throw new Error(`silhouetteScore needs 2 <= clusters <= n - 1, got ${ids.length}`);
  const pos = new Map(ids.map((c, i) => [c, i]));
  const k = ids.length;
  const lab = Int32Array.from(Array.from(labels), (l) => pos.get(l)!);
  const size = new Float64Array(k);
  for (let i = 0; i < n; i++) size[lab[i]!]!++;
  // Squared norms make each distance one dot product.
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < M.cols; j++) s += M.data[i * M.cols + j]! ** 2; norms[i] = s; }
  const sums = new Float64Array(n * k);
  const d = M.data;
  const p = M.cols;
  for (let i = 0; i < n; i++) {
    for (let t = i + 1; t < n; t++) {
      let dot = 0;
      for (let j = 0; j < p; j++) dot += d[i * p + j]! * d[t * p + j]!;
      const dist = Math.sqrt(Math.max(0, norms[i]! + norms[t]! - 2 * dot));
      sums[i * k + lab[t]!] += dist;
      sums[t * k + lab[i]!] += dist;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = lab[i]!;
    if (size[own]! <= 1) continue;
    const a = sums[i * k + own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[i * k + c]! / size[c]!);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/**
 * Adjusted Rand index: pair-counting agreement of two labelings, 0 for chance, 1 for identical partitions.
 * @example adjustedRandScore([0, 0, 1, 1], [1, 1, 0, 0]); // 1
 */
export function adjustedRandScore(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>): number {
  const n = labelsTrue.length;
  if (labelsPred.length !== n) throw new Error(`adjustedRandScore: labelings differ in length (${n} and ${labelsPred.length})`);
  if (n === 0) throw new Error('adjustedRandScore: no samples');
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  const ab = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    a.set(labelsTrue[i]!, (a.get(labelsTrue[i]!) ?? 0) + 1);
    b.set(labelsPred[i]!, (b.get(labelsPred[i]!) ?? 0) + 1);
    const key = `${labelsTrue[i]}|${labelsPred[i]}`;
    ab.set(key, (ab.get(key) ?? 0) + 1);
  }
  const c2 = (x: number): number => (x * (x - 1)) / 2;
  let sumAb = 0;
  for (const v of ab.values()) sumAb += c2(v);
  let sumA = 0;
  for (const v of a.values()) sumA += c2(v);
  let sumB = 0;
  for (const v of b.values()) sumB += c2(v);
  const expected = (sumA * sumB) / c2(n);
  const max = (sumA + sumB) / 2;
  if (max === expected) return 1; // both labelings trivial (one cluster each, or all singletons)
  return (sumAb - expected) / (max - expected);
}
