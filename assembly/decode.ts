// Decoding one token at a time: the products and the attention step of a batch of a few rows, on the
// calling thread. Memory-bound: each weight row is read once, as contiguous SIMD loads.

import { expv, hsum } from './math';
import { madd } from './simd';

/** Dot product of n floats at a and b (SIMD, four accumulators). */
@inline
function dot(a: usize, b: usize, n: i32): f32 {
  const n16 = n & ~15;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let i = 0;
  for (; i < n16; i += 16) {
    const o = (<usize>i) << 2;
    a0 = madd(v128.load(a + o), v128.load(b + o), a0);
    a1 = madd(v128.load(a + o + 16), v128.load(b + o + 16), a1);
    a2 = madd(v128.load(a + o + 32), v128.load(b + o + 32), a2);
    a3 = madd(v128.load(a + o + 48), v128.load(b + o + 48), a3);
  }
  let s = hsum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; i < n; i++) s += load<f32>(a + ((<usize>i) << 2)) * load<f32>(b + ((<usize>i) << 2));
  return s;
}

/**
 * out[r, j] (+)= x[r, :] . w[j, :] for rows r < rows and output channels j0 <= j < j1: x (rows, k),
 * w (n, k) as a Linear layer stores it (so every output reads one contiguous weight row), out (rows, n).
 */
export function matvecT(x: usize, w: usize, out: usize, rows: i32, n: i32, k: i32, accumulate: bool, j0: i32, j1: i32): void {
  for (let j = j0; j < j1; j++) {
    const wj = w + ((<usize>j * <usize>k) << 2);
    for (let r = 0; r < rows; r++) {
      const s = dot(x + ((<usize>r * <usize>k) << 2), wj, k);
      const o = out + ((<usize>r * <usize>n + <usize>j) << 2);
      store<f32>(o, accumulate ? load<f32>(o) + s : s);
    }
  }
}

/**
 * One causal attention step from a packed projection row: q at `q`, this step's k and v already
 * written into the caches at position limit - 1; attends over positions [0, limit) of one head's
 * cache rows (kc, vc: limit rows of d floats) and writes d floats at `out`. `scores` holds limit floats.
 */
export function attendCached(q: usize, kc: usize, vc: usize, out: usize, limit: i32, d: i32, scale: f32, scores: usize): void {
  let m: f32 = -Infinity;
  for (let j = 0; j < limit; j++) {
    const s = dot(q, kc + ((<usize>j * <usize>d) << 2), d) * scale;
    store<f32>(scores + ((<usize>j) << 2), s);
    m = max(m, s);
  }
  const mv = f32x4.splat(m);
  let accv = f32x4.splat(0);
  const n4 = limit & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    const o = (<usize>j) << 2;
    const e = expv(f32x4.sub(v128.load(scores + o), mv));
    v128.store(scores + o, e);
    accv = f32x4.add(accv, e);
  }
  let sum = hsum(accv);
  for (; j < limit; j++) {
    const o = (<usize>j) << 2;
    const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(scores + o) - m)), 0);
    store<f32>(scores + o, e);
    sum += e;
  }
  const inv: f32 = 1 / sum;
  const d4 = d & ~3;
  for (let c = 0; c < d4; c += 4) v128.store(out + ((<usize>c) << 2), f32x4.splat(0));
  for (let c = d4; c < d; c++) store<f32>(out + ((<usize>c) << 2), 0);
  for (let jj = 0; jj < limit; jj++) {
    const a = f32x4.splat(load<f32>(scores + ((<usize>jj) << 2)) * inv);
    const vj = vc + ((<usize>jj * <usize>d) << 2);
    let c = 0;
    for (; c < d4; c += 4) {
      const o = (<usize>c) << 2;
      v128.store(out + o, madd(a, v128.load(vj + o), v128.load(out + o)));
    }
    for (; c < d; c++) {
      const o = (<usize>c) << 2;
      store<f32>(out + o, load<f32>(out + o) + f32x4.extract_lane(a, 0) * load<f32>(vj + o));
    }
  }
}
