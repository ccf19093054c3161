// L-BFGS (Nocedal 1980; Liu & Nocedal 1989) with a strong-Wolfe line search (Nocedal & Wright, Alg. 3.5-3.6).

/** Writes the gradient at x into `grad` and returns the objective. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link lbfgs}; the stopping rules are scipy's L-BFGS-B ones. */
export interface LbfgsOptions {
  maxIter?: number;
  /** Stop when max |gradient| <= gtol. */
  gtol?: number;
  /** Stop when (f_k - f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) <= ftol. */
  ftol?: number;
  /** Number of correction pairs kept. */
  memory?: number;
}

/** Result of {@link lbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  f: number;
  nIter: number;
  converged: boolean;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/**
 * Minimizes a smooth function from x0.
 * @example lbfgs((x, g) => { g[0] = 2 * (x[0] - 3); return (x[0] - 3) ** 2; }, new Float64Array(1)).x; // [3]
 */
export function lbfgs(fun: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIter = opts.maxIter ?? 100;
  const gtol = opts.gtol ?? 1e-5;
  const ftol = opts.ftol ?? 2.220446049250313e-9;
  const m = opts.memory ?? 10;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let f = fun(x, g);
  // The correction pairs live in a ring of m preallocated vectors: no allocation per iteration.
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  let head = 0; // slot of the oldest pair
  let count = 0;
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  const search = new LineSearch(fun, n);
  if (maxAbs(g) <= gtol) return { x, f, nIter: 0, converged: true };
  for (let it = 1; it <= maxIter; it++) {
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let c = count - 1; c >= 0; c--) {
      const j = (head + c) % m;
      const a = rho[j]! * dot(S[j]!, d);
      alpha[j] = a;
      const y = Y[j]!;
      for (let i = 0; i < n; i++) d[i] -= a * y[i]!;
    }
    if (count > 0) {
      const last = (head + count - 1) % m;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let c = 0; c < count; c++) {
      const j = (head + c) % m;
      const coef = alpha[j]! - rho[j]! * dot(Y[j]!, d);
      const s = S[j]!;
      for (let i = 0; i < n; i++) d[i] += coef * s[i]!;
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      count = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      dg = dot(d, g);
    }
    const step0 = count === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    const ls = search.run(x, f, g, d, dg, step0);
    if (ls === null) return { x, f, nIter: it, converged: false };
    // The new pair goes into the oldest slot (or the next free one).
    const slot = count < m ? (head + count) % m : head;
    const s = S[slot]!;
    const y = Y[slot]!;
    for (let i = 0; i < n; i++) { s[i] = ls.x[i]! - x[i]!; y[i] = ls.g[i]! - g[i]!; }
    const fPrev = f;
    search.release({ x, f, g, dg: 0, t: 0 }); // the old point's buffers serve later trial points
    x = ls.x; g = ls.g; f = ls.f;
    const sy = dot(s, y);
    if (sy > 1e-10 * dot(y, y)) {
      rho[slot] = 1 / sy;
      if (count < m) count++;
      else head = (head + 1) % m;
    }
    if (maxAbs(g) <= gtol) return { x, f, nIter: it, converged: true };
    if ((fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= ftol) return { x, f, nIter: it, converged: true };
  }
  return { x, f, nIter: maxIter, converged: false };
}

interface Point { x: Float64Array; f: number; g: Float64Array; dg: number; t: number }

/**
 * Strong Wolfe line search (c1 = 1e-4, c2 = 0.9). Trial points reuse a small pool of buffers; the
 * accepted point becomes the caller's, which hands its previous point back through release().
 */
class LineSearch {
  private readonly pool: Point[] = [];
  constructor(private readonly fun: Objective, private readonly n: number) {}

  release(p: Point): void {
    this.pool.push(p);
  }

  private evalAt(x: Float64Array, d: Float64Array, t: number): Point {
    const n = this.n;
    const pt = this.pool.pop() ?? { x: new Float64Array(n), f: 0, g: new Float64Array(n), dg: 0, t: 0 };
    const xt = pt.x;
    for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
    pt.f = this.fun(xt, pt.g);
    pt.dg = dot(pt.g, d);
    pt.t = t;
    return pt;
  }

  run(x: Float64Array, f0: number, g0: Float64Array, d: Float64Array, dg0: number, t0: number): Point | null {
    const c1 = 1e-4;
    const c2 = 0.9;
    const start: Point = { x, f: f0, g: g0, dg: dg0, t: 0 };
    let prev: Point = start;
    let t = t0;
    for (let i = 0; i < 30; i++) {
      const cur = this.evalAt(x, d, t);
      if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * t * dg0 || (i > 0 && cur.f >= prev.f)) return this.zoom(x, d, f0, dg0, prev, cur, start);
      if (Math.abs(cur.dg) <= -c2 * dg0) { this.drop(prev, start); return cur; }
      if (cur.dg >= 0) return this.zoom(x, d, f0, dg0, cur, prev, start);
      this.drop(prev, start);
      prev = cur;
      t *= 2;
    }
    this.drop(prev, start);
    return null;
  }

  private drop(p: Point, start: Point): void {
    if (p !== start) this.pool.push(p);
  }

  private zoom(x: Float64Array, d: Float64Array, f0: number, dg0: number, lo: Point, hi: Point, start: Point): Point | null {
    const c1 = 1e-4;
    const c2 = 0.9;
    for (let j = 0; j < 40; j++) {
      // Cubic interpolation when finite, bisection otherwise; kept inside the bracket.
      let t = cubicMin(lo, hi);
      const a = Math.min(lo.t, hi.t);
      const b = Math.max(lo.t, hi.t);
      if (!Number.isFinite(t) || t <= a + 0.1 * (b - a) || t >= b - 0.1 * (b - a)) t = (a + b) / 2;
      const cur = this.evalAt(x, d, t);
      if (!Number.isFinite(cur.f) || cur.f > f0 + c1 * t * dg0 || cur.f >= lo.f) { this.drop(hi, start); hi = cur; }
      else {
        if (Math.abs(cur.dg) <= -c2 * dg0) { this.drop(lo, start); this.drop(hi, start); return cur; }
        if (cur.dg * (hi.t - lo.t) >= 0) { this.drop(hi, start); hi = lo; } else this.drop(lo, start);
        lo = cur;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, lo.t)) break;
    }
    if (hi !== lo) this.drop(hi, start);
    if (lo.t > 0) return lo;
    this.drop(lo, start);
    return null;
  }
}

function cubicMin(a: Point, b: Point): number {
  if (!Number.isFinite(b.f)) return NaN;
  const d1 = a.dg + b.dg - 3 * (a.f - b.f) / (a.t - b.t);
  const disc = d1 * d1 - a.dg * b.dg;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b.t - a.t) * Math.sqrt(disc);
  return b.t - (b.t - a.t) * (b.dg + d2 - d1) / (b.dg - a.dg + 2 * d2);
}
