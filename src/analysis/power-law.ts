// Scaling-law fits: L(N) = E + A / N^alpha (Kaplan et al. 2020) and L(N, D) = E + A / N^alpha + B / D^beta
// (Hoffmann et al. 2022), by variable projection (linear in E, A, B for fixed exponents), with standard
// errors from the Jacobian and a residual bootstrap; the isoflop parabola of Hoffmann's approach 2.

import { Rng } from '../tensor/random.js';

/** A fitted L(N) = E + A / N^alpha with its uncertainty. */
export interface PowerLawFit {
  E: number;
  A: number;
  alpha: number;
  /** Standard errors from the Jacobian at the optimum (NaN when there are too few points: n <= 3). */
  stderr: { E: number; A: number; alpha: number };
  /** 95% interval of alpha from a residual bootstrap (percentiles). */
  alphaInterval: [number, number];
  /** 95% interval of E from the same bootstrap. */
  EInterval: [number, number];
  /** Root mean squared residual of the fit. */
  rmse: number;
  points: number;
}

/** A fitted L(N, D) = E + A / N^alpha + B / D^beta. */
export interface DataLawFit {
  E: number;
  A: number;
  alpha: number;
  B: number;
  beta: number;
  alphaInterval: [number, number];
  betaInterval: [number, number];
  rmse: number;
  points: number;
}

/** Ordinary least squares by the normal equations (small designs: 2 or 3 columns). */
function leastSquares(cols: readonly Float64Array[], y: ArrayLike<number>): { coef: number[]; rss: number } {
  const p = cols.length;
  const n = y.length;
  const M = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) { let s = 0; for (let i = 0; i < n; i++) s += cols[a]![i]! * cols[b]![i]!; M[a]![b] = s; }
    let s = 0;
    for (let i = 0; i < n; i++) s += cols[a]![i]! * y[i]!;
    M[a]![p] = s;
  }
  const coef = solve(M);
  let rss = 0;
  for (let i = 0; i < n; i++) { let f = 0; for (let a = 0; a < p; a++) f += coef[a]! * cols[a]![i]!; rss += (y[i]! - f) ** 2; }
  return { coef, rss };
}

/** Gaussian elimination with partial pivoting on an augmented (p, p+1) matrix; singular -> NaN. */
function solve(M: number[][]): number[] {
  const p = M.length;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    const d = M[c]![c]!;
    if (Math.abs(d) < 1e-300) return new Array<number>(p).fill(NaN);
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / d;
      for (let k = c; k <= p; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[p]! / row[i]!);
}

/** Best (E >= 0, A >= 0) for fixed alpha on normalized x; returns the residual sum of squares. */
function projectN(xs: Float64Array, y: ArrayLike<number>, alpha: number): { E: number; A: number; rss: number } {
  const n = xs.length;
  const ones = new Float64Array(n).fill(1);
  const f = Float64Array.from(xs, (x) => x ** -alpha);
  let { coef: [E, A], rss } = leastSquares([ones, f], y);
  if (!(E! >= 0) || !(A! >= 0)) {
    // On the boundary: either no floor (E = 0) or no slope (A = 0); keep the better one.
    const noFloor = leastSquares([f], y);
    const flat = leastSquares([ones], y);
    if (noFloor.coef[0]! >= 0 && noFloor.rss <= flat.rss) { E = 0; A = noFloor.coef[0]!; rss = noFloor.rss; } else { E = flat.coef[0]!; A = 0; rss = flat.rss; }
  }
  return { E: E!, A: A!, rss };
}

/** Minimizes f over [lo, hi] (a coarse grid, then golden section around the best cell). */
function minimize1d(f: (v: number) => number, lo: number, hi: number, grid = 120): number {
  let best = lo;
  let bv = Infinity;
  const step = (hi - lo) / grid;
  for (let i = 0; i <= grid; i++) { const v = lo + i * step; const fv = f(v); if (fv < bv) { bv = fv; best = v; } }
  let a = Math.max(lo, best - step);
  let b = Math.min(hi, best + step);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) < f(d)) b = d; else a = c;
  }
  return (a + b) / 2;
}

function geometricMean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.log(x[i]!);
  return Math.exp(s / x.length);
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

const ALPHA_MAX = 3;

function fitCore(x: ArrayLike<number>, y: ArrayLike<number>): { E: number; A: number; alpha: number; rss: number; x0: number; An: number } {
  const x0 = geometricMean(x);
  const xs = Float64Array.from(x as ArrayLike<number>, (v) => v / x0); // conditioning: x around 1
  const alpha = minimize1d((a) => projectN(xs, y, a).rss, 1e-3, ALPHA_MAX);
  const { E, A: An, rss } = projectN(xs, y, alpha);
  return { E, A: An * x0 ** alpha, alpha, rss, x0, An };
}

/**
 * Fits L(N) = E + A / N^alpha by least squares (E, A >= 0, 0 < alpha <= 3), with Jacobian standard
 * errors and a 95% residual-bootstrap interval for alpha and E.
 * @example
 * const fit = fitPowerLaw([1e4, 3e4, 1e5, 3e5], [4.1, 3.6, 3.2, 2.95]);
 * predictPowerLaw(fit, 1e6); // the extrapolated loss of a 1M-parameter model
 */
export function fitPowerLaw(x: readonly number[], y: readonly number[], opts: { bootstrap?: number; seed?: number } = {}): PowerLawFit {
  if (x.length !== y.length) throw new Error('fitPowerLaw: x and y differ in length');
  if (x.length < 3) throw new Error(`fitPowerLaw: need at least 3 points to fit E, A and alpha, got ${x.length}`);
  if (x.some((v) => !(v > 0)) || y.some((v) => !Number.isFinite(v))) throw new Error('fitPowerLaw: x must be positive and y finite');
  const n = x.length;
  const core = fitCore(x, y);
  const { E, alpha, x0, An } = core;
  // Jacobian of E + An * u^-alpha (u = x / x0) in (E, An, alpha); covariance s^2 (J'J)^-1.
  const stderr = { E: NaN, A: NaN, alpha: NaN };
  if (n > 3) {
    const J = x.map((v) => { const u = v / x0; const f = u ** -alpha; return [1, f, -An * f * Math.log(u)]; });
    const JtJ = [0, 1, 2].map((a) => [0, 1, 2].map((b) => J.reduce((s, r) => s + r[a]! * r[b]!, 0)));
    const inv = invert3(JtJ);
    const s2 = core.rss / (n - 3);
    if (inv) {
      stderr.E = Math.sqrt(Math.max(0, s2 * inv[0]![0]!));
      stderr.alpha = Math.sqrt(Math.max(0, s2 * inv[2]![2]!));
      // A = An * x0^alpha: delta method over (An, alpha).
      const dAn = x0 ** alpha;
      const dAlpha = An * x0 ** alpha * Math.log(x0);
      const varA = s2 * (dAn * dAn * inv[1]![1]! + 2 * dAn * dAlpha * inv[1]![2]! + dAlpha * dAlpha * inv[2]![2]!);
      stderr.A = Math.sqrt(Math.max(0, varA));
    }
  }
  // Residual bootstrap: refit on fitted + resampled residuals (scaled for the lost degrees of freedom).
  const B = opts.bootstrap ?? 200;
  const fitted = x.map((v) => E + An * (v / x0) ** -alpha);
  const scale = n > 3 ? Math.sqrt(n / (n - 3)) : 1;
  const resid = y.map((v, i) => (v - fitted[i]!) * scale);
  const rng = new Rng(opts.seed ?? 0);
  const alphas: number[] = [];
  const Es: number[] = [];
  for (let b = 0; b < B; b++) {
    const yb = fitted.map((f) => f + resid[rng.int(n)]!);
    const fb = fitCore(x, yb);
    alphas.push(fb.alpha);
    Es.push(fb.E);
  }
  alphas.sort((a, b) => a - b);
  Es.sort((a, b) => a - b);
  return {
    E, A: core.A, alpha, stderr,
    alphaInterval: [percentile(alphas, 0.025), percentile(alphas, 0.975)],
    EInterval: [percentile(Es, 0.025), percentile(Es, 0.975)],
    rmse: Math.sqrt(core.rss / n), points: n,
  };
}

function invert3(M: number[][]): number[][] | null {
  const cols = [0, 1, 2].map((c) => {
    const aug = M.map((row, r) => [...row, r === c ? 1 : 0]);
    return solve(aug);
  });
  if (cols.some((c) => c.some((v) => !Number.isFinite(v)))) return null;
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => cols[c]![r]!));
}

/**
 * The loss a fitted L(N) predicts at N.
 * @example predictPowerLaw({ E: 1, A: 100, alpha: 0.5 }, 1e4); // 1 + 100 / 100 = 2
 */
export function predictPowerLaw(fit: Pick<PowerLawFit, 'E' | 'A' | 'alpha'>, n: number): number {
  return fit.E + fit.A * n ** -fit.alpha;
}

function projectND(un: Float64Array, ud: Float64Array, y: ArrayLike<number>, alpha: number, beta: number): { c: number[]; rss: number } {
  const ones = new Float64Array(un.length).fill(1);
  const fn = Float64Array.from(un, (v) => v ** -alpha);
  const fd = Float64Array.from(ud, (v) => v ** -beta);
  const r = leastSquares([ones, fn, fd], y);
  // Negative coefficients make no physical sense: penalize instead of clamping (keeps the search smooth).
  const neg = r.coef.reduce((s, v) => s + (v < 0 || !Number.isFinite(v) ? 1 : 0), 0);
  return { c: r.coef, rss: neg > 0 ? r.rss + 1e6 * neg : r.rss };
}

function fitNDCore(N: readonly number[], D: readonly number[], y: ArrayLike<number>): { E: number; A: number; alpha: number; B: number; beta: number; rss: number } {
  const n0 = geometricMean(N);
  const d0 = geometricMean(D);
  const un = Float64Array.from(N, (v) => v / n0);
  const ud = Float64Array.from(D, (v) => v / d0);
  let best = { a: 0.3, b: 0.3, rss: Infinity };
  const G = 40;
  for (let i = 1; i <= G; i++) {
    for (let j = 1; j <= G; j++) {
      const a = (i / G) * 1.5;
      const b = (j / G) * 1.5;
      const r = projectND(un, ud, y, a, b).rss;
      if (r < best.rss) best = { a, b, rss: r };
    }
  }
  // Coordinate refinement around the grid's best cell.
  let { a, b } = best;
  for (let round = 0; round < 4; round++) {
    a = minimize1d((v) => projectND(un, ud, y, v, b).rss, Math.max(1e-3, a - 0.1), a + 0.1, 20);
    b = minimize1d((v) => projectND(un, ud, y, a, v).rss, Math.max(1e-3, b - 0.1), b + 0.1, 20);
  }
  const r = projectND(un, ud, y, a, b);
  return { E: r.c[0]!, A: r.c[1]! * n0 ** a, alpha: a, B: r.c[2]! * d0 ** b, beta: b, rss: r.rss };
}

/**
 * Fits Chinchilla's L(N, D) = E + A / N^alpha + B / D^beta (needs N and D to vary apart: several
 * isoflop budgets, or several token counts per size), with 95% bootstrap intervals of the exponents.
 * @example const law = fitDataLaw(params, tokens, losses); computeOptimal(law, 1e15).tokensPerParameter;
 */
export function fitDataLaw(N: readonly number[], D: readonly number[], y: readonly number[], opts: { bootstrap?: number; seed?: number } = {}): DataLawFit {
  if (N.length !== y.length || D.length !== y.length) throw new Error('fitDataLaw: N, D and y differ in length');
  if (N.length < 6) throw new Error(`fitDataLaw: need at least 6 runs to fit 5 constants, got ${N.length}`);
  const core = fitNDCore(N, D, y);
  const n = y.length;
  const fitted = N.map((v, i) => core.E + core.A * v ** -core.alpha + core.B * D[i]! ** -core.beta);
  const resid = y.map((v, i) => (v - fitted[i]!) * Math.sqrt(n / Math.max(1, n - 5)));
  const rng = new Rng(opts.seed ?? 0);
  const alphas: number[] = [];
  const betas: number[] = [];
  for (let b = 0; b < (opts.bootstrap ?? 50); b++) {
    const yb = fitted.map((f) => f + resid[rng.int(n)]!);
    const fb = fitNDCore(N, D, yb);
    alphas.push(fb.alpha);
    betas.push(fb.beta);
  }
  alphas.sort((a, b) => a - b);
  betas.sort((a, b) => a - b);
  return {
    E: core.E, A: core.A, alpha: core.alpha, B: core.B, beta: core.beta,
    alphaInterval: [percentile(alphas, 0.025), percentile(alphas, 0.975)],
    betaInterval: [percentile(betas, 0.025), percentile(betas, 0.975)],
    rmse: Math.sqrt(core.rss / n), points: n,
  };
}

/**
 * The compute-optimal split of C = 6 N D under a fitted L(N, D) (Hoffmann et al. 2022, eq. 4).
 * @example computeOptimal({ E: 1.69, A: 406.4, alpha: 0.34, B: 410.7, beta: 0.28 }, 5.76e23); // ~ 20 tokens per parameter
 */
export function computeOptimal(law: Pick<DataLawFit, 'A' | 'alpha' | 'B' | 'beta'>, compute: number): { parameters: number; tokens: number; tokensPerParameter: number } {
  const { A, alpha, B, beta } = law;
  const G = ((alpha * A) / (beta * B)) ** (1 / (alpha + beta));
  const parameters = G * (compute / 6) ** (beta / (alpha + beta));
  const tokens = (compute / 6) ** (alpha / (alpha + beta)) / G;
  return { parameters, tokens, tokensPerParameter: tokens / parameters };
}

/** The minimum of an isoflop profile: loss against log N at one compute budget. */
export interface IsoflopFit {
  compute: number;
  /** Loss = a (ln N)^2 + b ln N + c. */
  a: number;
  b: number;
  c: number;
  /** N at the minimum, NaN when the profile is not convex (the minimum lies outside the sweep). */
  optimalParameters: number;
  optimalTokens: number;
  tokensPerParameter: number;
  /** 95% bootstrap interval of tokens per parameter. */
  tokensPerParameterInterval: [number, number];
}

/**
 * Hoffmann et al.'s approach 2: a parabola in ln N through one budget's runs; its vertex is the
 * compute-optimal size, and D = C / (6 N) the matching tokens.
 * @example fitIsoflop([1e5, 3e5, 1e6], [3.2, 3.0, 3.3], 1e14).tokensPerParameter;
 */
export function fitIsoflop(N: readonly number[], y: readonly number[], compute: number, opts: { bootstrap?: number; seed?: number } = {}): IsoflopFit {
  if (N.length < 3) throw new Error(`fitIsoflop: need at least 3 sizes at one budget, got ${N.length}`);
  const ln = Float64Array.from(N, Math.log);
  const sq = Float64Array.from(ln, (v) => v * v);
  const ones = new Float64Array(N.length).fill(1);
  const vertex = (yy: ArrayLike<number>): { a: number; b: number; c: number; nOpt: number } => {
    const { coef: [a, b, c] } = leastSquares([sq, ln, ones], yy);
    const nOpt = a! > 0 ? Math.exp(-b! / (2 * a!)) : NaN;
    return { a: a!, b: b!, c: c!, nOpt };
  };
  const v = vertex(y);
  const ratio = (n: number): number => compute / (6 * n) / n;
  const fitted = Array.from(ln, (l) => v.a * l * l + v.b * l + v.c);
  const resid = y.map((t, i) => t - fitted[i]!);
  const rng = new Rng(opts.seed ?? 0);
  const ratios: number[] = [];
  for (let k = 0; k < (opts.bootstrap ?? 200); k++) {
    const r = ratio(vertex(fitted.map((f) => f + resid[rng.int(resid.length)]!)).nOpt);
    if (Number.isFinite(r)) ratios.push(r);
  }
  ratios.sort((a, b) => a - b);
  return {
    compute, a: v.a, b: v.b, c: v.c, optimalParameters: v.nOpt, optimalTokens: compute / (6 * v.nOpt), tokensPerParameter: ratio(v.nOpt),
    tokensPerParameterInterval: [percentile(ratios, 0.025), percentile(ratios, 0.975)],
  };
}
