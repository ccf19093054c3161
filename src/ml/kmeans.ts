// k-means clustering: Lloyd's algorithm seeded by greedy k-means++ (Arthur & Vassilvitskii 2007), best of nInit runs.

import { Clusterer } from './base.js';
import { checkCols, toMatrix, type Matrix, type MatrixLike } from './matrix.js';
import { Rng } from '../tensor/random.js';
import { gemm, kernelArray } from './gemm.js';

/** Parameters of {@link KMeans}. */
export interface KMeansParams {
  k: number;
  /** Independent runs; the one with the lowest inertia is kept. */
  nInit: number;
  maxIter: number;
  /** Stop when the centers move less than tol times the mean per-feature variance (squared), as scikit-learn. */
  tol: number;
  init: 'k-means++' | 'random';
  seed: number;
}

/** Learned state of {@link KMeans}. */
export interface KMeansState {
  /** (k, p) cluster centers, row-major. */
  centers: Float64Array;
  nFeatures: number;
  inertia: number;
  nIter: number;
}

/**
 * k-means with k-means++ seeding.
 * @example const km = new KMeans({ k: 3, seed: 0 }).fit(X); km.predict(X); km.state.inertia;
 */
export class KMeans extends Clusterer<KMeansParams, KMeansState> {
  readonly kind = 'KMeans';
  constructor(params: Partial<KMeansParams> = {}) {
    super({ k: 8, nInit: 10, maxIter: 300, tol: 1e-4, init: 'k-means++', seed: 0 }, params);
  }

  fit(X: MatrixLike): this {
    const M = toMatrix(X);
    const { k, nInit, maxIter } = this.params;
    if (!(k >= 1 && k <= M.rows)) throw new Error(`KMeans: k must be in [1, ${M.rows}], got ${k}`);
    const rng = new Rng(this.params.seed);
    const tol = this.params.tol * meanVariance(M);
    const norms = rowNorms(M);
    // X once in the engine's storage: the all-pairs distance passes run as GEMMs on the fast kernel.
    const Xk = kernelArray(M.rows * M.cols);
    Xk.set(M.data);
    let best: KMeansState | null = null;
    for (let run = 0; run < Math.max(1, nInit); run++) {
      const centers = this.params.init === 'random' ? randomInit(M, k, rng) : kmeansPlusPlus(M, Xk, norms, k, rng);
      const res = lloyd(M, Xk, norms, centers, k, maxIter, tol);
      if (best === null || res.inertia < best.inertia) best = { ...res, nFeatures: M.cols };
    }
    return this.setState(best!);
  }

  /** Index of the nearest center for each row. */
  predict(X: MatrixLike): Float64Array {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    const labels = new Int32Array(M.rows);
    assign(M, rowNorms(M), this.state.centers, this.params.k, labels);
    return Float64Array.from(labels);
  }

  /** Distances to every center, (n, k). */
  transform(X: MatrixLike): Matrix {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    const { k } = this.params;
    const p = M.cols;
    const out = new Float64Array(M.rows * k);
    for (let i = 0; i < M.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = Math.sqrt(sqDist(M.data, i * p, this.state.centers, c * p, p));
    return { data: out, rows: M.rows, cols: k };
  }

  inertia(X: MatrixLike): number {
    const M = toMatrix(X);
    checkCols(M, this.state.nFeatures);
    const labels = new Int32Array(M.rows);
    return assign(M, rowNorms(M), this.state.centers, this.params.k, labels);
  }

  parameterCount(): number {
    return this.state.centers.length;
  }
}

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, p: number): number {
  // Four accumulators: independent additions pipeline (one chain waits on each add's latency).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < p; j += 4) {
    const d0 = a[ao + j]! - b[bo + j]!;
    const d1 = a[ao + j + 1]! - b[bo + j + 1]!;
    const d2 = a[ao + j + 2]! - b[bo + j + 2]!;
    const d3 = a[ao + j + 3]! - b[bo + j + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; j < p; j++) { const d = a[ao + j]! - b[bo + j]!; s0 += d * d; }
  return (s0 + s1) + (s2 + s3);
}

function rowNorms(M: Matrix): Float64Array {
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) { let s = 0; for (let j = 0; j < M.cols; j++) s += M.data[i * M.cols + j]! ** 2; out[i] = s; }
  return out;
}

function meanVariance(M: Matrix): number {
  const { rows: n, cols: p, data } = M;
  let total = 0;
  for (let j = 0; j < p; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += data[i * p + j]!;
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (data[i * p + j]! - m) ** 2;
    total += v / n;
  }
  return total / p;
}

function randomInit(M: Matrix, k: number, rng: Rng): Float64Array {
  const idx = Int32Array.from({ length: M.rows }, (_, i) => i);
  const C = new Float64Array(k * M.cols);
  for (let c = 0; c < k; c++) {
    const j = c + rng.int(M.rows - c);
    const t = idx[c]!; idx[c] = idx[j]!; idx[j] = t;
    C.set(M.data.subarray(idx[c]! * M.cols, (idx[c]! + 1) * M.cols), c * M.cols);
  }
  return C;
}

/**
 * Squared distances from every row of X to each of `m` rows of Y, (n, m), as ||x||² - 2 x·y + ||y||²
 * with the cross products from one GEMM.
 */
function pairwiseSq(Xk: Float64Array, norms: Float64Array, n: number, p: number, Y: Float64Array, m: number, out: Float64Array): void {
  gemm(Xk, Y, out, n, m, p, false, true); // out = X Yᵀ
  const yn = new Float64Array(m);
  for (let c = 0; c < m; c++) { let t = 0; for (let j = 0; j < p; j++) t += Y[c * p + j]! ** 2; yn[c] = t; }
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) out[i * m + c] = Math.max(0, norms[i]! - 2 * out[i * m + c]! + yn[c]!);
  }
}

/** Greedy k-means++: each new center is the best of 2 + ln k candidates drawn proportionally to D². */
function kmeansPlusPlus(M: Matrix, Xk: Float64Array, norms: Float64Array, k: number, rng: Rng): Float64Array {
  const { rows: n, cols: p, data } = M;
  const C = new Float64Array(k * p);
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.int(n);
  C.set(data.subarray(first * p, first * p + p), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = sqDist(data, i * p, data, first * p, p);
  let pot = closest.reduce((s, v) => s + v, 0);
  const picks = new Int32Array(trials);
  const cands = kernelArray(trials * p);
  const D = kernelArray(n * trials);
  for (let c = 1; c < k; c++) {
    for (let t = 0; t < trials; t++) {
      // Draw a row with probability proportional to its squared distance to the chosen centers.
      let u = rng.next() * pot;
      let idx = n - 1;
      for (let i = 0; i < n; i++) { u -= closest[i]!; if (u <= 0) { idx = i; break; } }
      picks[t] = idx;
      cands.set(data.subarray(idx * p, idx * p + p), t * p);
    }
    pairwiseSq(Xk, norms, n, p, cands, trials, D);
    let bestPot = Infinity;
    let bestT = 0;
    for (let t = 0; t < trials; t++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.min(closest[i]!, D[i * trials + t]!);
      if (s < bestPot) { bestPot = s; bestT = t; }
    }
    C.set(data.subarray(picks[bestT]! * p, picks[bestT]! * p + p), c * p);
    for (let i = 0; i < n; i++) closest[i] = Math.min(closest[i]!, D[i * trials + bestT]!);
    pot = bestPot;
  }
  return C;
}

/** Assigns each row to its nearest center (||x||² - 2x·c + ||c||²); returns the inertia. */
function assign(M: Matrix, norms: Float64Array, C: Float64Array, k: number, labels: Int32Array): number {
  const { rows: n, cols: p, data } = M;
  const cn = new Float64Array(k);
  for (let c = 0; c < k; c++) { let s = 0; for (let j = 0; j < p; j++) s += C[c * p + j]! ** 2; cn[c] = s; }
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const o = i * p;
    let best = 0;
    let bd = Infinity;
    for (let c = 0; c < k; c++) {
      const co = c * p;
      let dot = 0;
      for (let j = 0; j < p; j++) dot += data[o + j]! * C[co + j]!;
      const d = cn[c]! - 2 * dot;
      if (d < bd) { bd = d; best = c; }
    }
    labels[i] = best;
    inertia += Math.max(0, bd + norms[i]!);
  }
  return inertia;
}

/**
 * Lloyd's iterations with Elkan's bounds (Elkan 2003): the same assignments as plain Lloyd, but the
 * triangle inequality skips most distances. Each row keeps an upper bound on the distance to its
 * center and a lower bound on the distance to every other center; a center c is only measured when
 * the upper bound exceeds both its lower bound and half the distance between the two centers.
 */
function lloyd(M: Matrix, Xk: Float64Array, norms: Float64Array, C: Float64Array, k: number, maxIter: number, tol: number): Omit<KMeansState, 'nFeatures'> {
  const { rows: n, cols: p, data } = M;
  const labels = new Int32Array(n);
  const upper = new Float64Array(n); // >= distance to the own center
  // (n, k) lower bounds on the distance to each center, stored plus the center's drift at the time:
  // the bound now is lower - drift[c], so moving centers costs k updates, not n·k.
  const lower = new Float64Array(n * k);
  const drift = new Float64Array(k);
  const next = new Float64Array(k * p);
  const cc = new Float64Array(k * k); // half the distances between centers
  const half = new Float64Array(k); // half the distance from each center to its nearest other one
  const moved = new Float64Array(k);
  const fresh = (i: number): void => {
    let best = 0;
    let d1 = Infinity;
    for (let c = 0; c < k; c++) {
      const d = Math.sqrt(sqDist(data, i * p, C, c * p, p));
      lower[i * k + c] = d + drift[c]!;
      if (d < d1) { d1 = d; best = c; }
    }
    labels[i] = best;
    upper[i] = d1;
  };
  // First pass: all n·k distances from one GEMM.
  const D = kernelArray(n * k);
  pairwiseSq(Xk, norms, n, p, C, k, D);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 0; c < k; c++) {
      const d = Math.sqrt(D[i * k + c]!);
      lower[i * k + c] = d;
      if (d < lower[i * k + best]!) best = c;
    }
    labels[i] = best;
    // Widen the GEMM distances' rounding (||x||² - 2x·c + ||c||² cancels) so the bounds stay bounds.
    upper[i] = lower[i * k + best]! * (1 + 1e-9) + 1e-12;
    for (let c = 0; c < k; c++) lower[i * k + c] = lower[i * k + c]! * (1 - 1e-9);
  }
  const sums = new Float64Array(k * p);
  const count = new Float64Array(k);
  const recount = (): void => {
    sums.fill(0);
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      count[c]++;
      for (let j = 0; j < p; j++) sums[c * p + j] += data[i * p + j]!;
    }
  };
  recount();
  /** One assignment pass with the bounds; returns whether any label changed. */
  const elkanPass = (): boolean => {
    for (let c = 0; c < k; c++) {
      for (let c2 = c + 1; c2 < k; c2++) cc[c * k + c2] = cc[c2 * k + c] = 0.5 * Math.sqrt(sqDist(C, c * p, C, c2 * p, p));
    }
    for (let c = 0; c < k; c++) {
      let m = Infinity;
      for (let c2 = 0; c2 < k; c2++) if (c2 !== c) m = Math.min(m, cc[c * k + c2]!);
      half[c] = m;
    }
    let changed = false;
    for (let i = 0; i < n; i++) {
      let a = labels[i]!;
      if (upper[i]! <= half[a]!) continue;
      let tight = false;
      let u = upper[i]!;
      const lo = i * k;
      for (let c = 0; c < k; c++) {
        if (c === a || u <= lower[lo + c]! - drift[c]! || u <= cc[a * k + c]!) continue;
        if (!tight) {
          // Tighten the upper bound once, then re-test this center.
          u = Math.sqrt(sqDist(data, i * p, C, a * p, p));
          lower[lo + a] = u + drift[a]!;
          tight = true;
          if (u <= lower[lo + c]! - drift[c]! || u <= cc[a * k + c]!) continue;
        }
        const d = Math.sqrt(sqDist(data, i * p, C, c * p, p));
        lower[lo + c] = d + drift[c]!;
        if (d < u) { a = c; u = d; }
      }
      upper[i] = u;
      const was = labels[i]!;
      if (a !== was) {
        labels[i] = a;
        changed = true;
        count[was]--;
        count[a]++;
        for (let j = 0; j < p; j++) { const v = data[i * p + j]!; sums[was * p + j] -= v; sums[a * p + j] += v; }
      }
    }
    return changed;
  };
  let it = 0;
  let converged = false;
  for (; it < maxIter; it++) {
    if (it > 0 && !elkanPass()) { it++; converged = true; break; } // the centers would not move: converged exactly
    // Cluster sums follow the label changes (2p operations each) instead of a pass over all rows.
    for (let t = 0; t < k * p; t++) next[t] = sums[t]!;
    let emptied = false;
    for (let c = 0; c < k; c++) {
      if (count[c] === 0) {
        // An empty cluster takes the row farthest from its center.
        let far = 0;
        let fd = -1;
        for (let i = 0; i < n; i++) { const d = sqDist(data, i * p, C, labels[i]! * p, p); if (d > fd) { fd = d; far = i; } }
        next.set(data.subarray(far * p, far * p + p), c * p);
        emptied = true;
      } else for (let j = 0; j < p; j++) next[c * p + j] /= count[c]!;
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const d2 = sqDist(next, c * p, C, c * p, p);
      shift += d2;
      moved[c] = Math.sqrt(d2);
    }
    C.set(next);
    if (emptied) {
      // A jump breaks the bounds: measure again (and sum again, without drift).
      for (let i = 0; i < n; i++) fresh(i);
      recount();
    }
    else {
      for (let i = 0; i < n; i++) upper[i] += moved[labels[i]!]!;
      for (let c = 0; c < k; c++) drift[c] += moved[c]!;
    }
    if (shift <= tol) { it++; break; }
  }
  // Stopped by tol or maxIter, the centers moved after the last assignment: assign once more to the
  // final centers (scikit-learn's last E-step), with the bounds, which the drift kept valid. The
  // labels are then exact, and the inertia needs each row's own center only (n·p, not n·k·p).
  if (!converged) elkanPass();
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += sqDist(data, i * p, C, labels[i]! * p, p);
  return { centers: C, inertia, nIter: it };
}
