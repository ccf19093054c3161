// Fused scaled dot-product attention, forward and backward, tiled on the GEMM kernel. Heads are read
// in place with strides: head hh = b * heads + h has its rows at (b * t * ld + h * d), ld apart, so
// the same code serves contiguous (B*H, T, D) tensors (heads = 1, ld = d) and a GPT's packed
// projection (B, T, 3C) -> (B, T, C) (heads = H, ldIn = 3C, ldOut = C) with no split or merge copies.

import { gemm } from './gemm';
import { expv, hsum } from './math';

// Query rows per tile: with a causal mask a tile of rows needs keys only up to its last row,
// so the score GEMM skips the masked upper triangle (half the work) one tile at a time.
const TILE: i32 = 64;

/** Byte offset of head hh's first row in a buffer whose rows are `ld` floats apart. */
@inline
function headOffset(hh: i32, heads: i32, t: i32, d: i32, ld: i32): usize {
  const b = hh / heads, h = hh % heads;
  return (<usize>b * t * ld + <usize>h * d) << 2;
}

/**
 * out[h] = softmax(scale * q[h] k[h]^T, causal) v[h] for heads h in [h0, h1); att[h] keeps the (T, T)
 * probabilities for backward (zeros above the diagonal when causal). q, k, v rows are ldIn floats
 * apart, out rows ldOut (see the layout note at the top).
 */
export function attention(
  q: usize, k: usize, v: usize, out: usize, att: usize,
  h0: i32, h1: i32, t: i32, d: i32, scale: f32, causal: bool, heads: i32, ldIn: i32, ldOut: i32, scratch: usize,
): void {
  const attBytes = (<usize>t * t) << 2;
  const rowBytes = (<usize>t) << 2;
  for (let h = h0; h < h1; h++) {
    const inOff = headOffset(h, heads, t, d, ldIn);
    const qh = q + inOff, kh = k + inOff, vh = v + inOff;
    const oh = out + headOffset(h, heads, t, d, ldOut), ah = att + <usize>h * attBytes;
    for (let i0 = 0; i0 < t; i0 += TILE) {
      const i1 = min(t, i0 + TILE);
      const jEnd = causal ? i1 : t;
      // S[i0:i1, 0:jEnd] = Q K^T
      gemm(false, true, d, qh, ldIn, kh, ldIn, ah, t, false, i0, i1, 0, jEnd, scratch);
      for (let i = i0; i < i1; i++) {
        const row = ah + <usize>i * rowBytes;
        const n = causal ? i + 1 : t;
        // Scaled row max over the unmasked part.
        let m: f32 = -Infinity;
        for (let j = 0; j < n; j++) m = max(m, load<f32>(row + ((<usize>j) << 2)) * scale);
        const sv = f32x4.splat(scale), mv = f32x4.splat(m);
        let accv = f32x4.splat(0);
        const n4 = n & ~3;
        let j = 0;
        for (; j < n4; j += 4) {
          const o = (<usize>j) << 2;
          const e = expv(f32x4.sub(f32x4.mul(v128.load(row + o), sv), mv));
          v128.store(row + o, e);
          accv = f32x4.add(accv, e);
        }
        let s = hsum(accv);
        for (; j < n; j++) {
          const o = (<usize>j) << 2;
          const e = f32x4.extract_lane(expv(f32x4.splat(load<f32>(row + o) * scale - m)), 0);
          store<f32>(row + o, e);
          s += e;
        }
        const inv = f32x4.splat(1 / s);
        for (j = 0; j < n4; j += 4) {
          const o = (<usize>j) << 2;
          v128.store(row + o, f32x4.mul(v128.load(row + o), inv));
        }
        for (; j < n; j++) {
          const o = (<usize>j) << 2;
          store<f32>(row + o, load<f32>(row + o) * f32x4.extract_lane(inv, 0));
        }
        if (n < t) memory.fill(row + ((<usize>n) << 2), 0, (<usize>(t - n)) << 2);
      }
      // O[i0:i1] = P[i0:i1, 0:jEnd] V[0:jEnd]
      gemm(false, false, jEnd, ah, t, vh, ldIn, oh, ldOut, false, i0, i1, 0, d, scratch);
    }
  }
}

/**
 * Backward of `attention` for heads [h0, h1): dq, dk, dv (rows ldIn apart, like q, k, v) overwritten
 * from dOut (rows ldOut apart). `tmp` holds T*T floats private to the calling thread.
 * dP = dO V^T, dS = P (dP - rowsum(P dP)) scale, dQ = dS K, dK = dS^T Q, dV = P^T dO.
 * With a causal mask P and dS are zero above the diagonal, so each product runs over its lower
 * triangle only, a tile of TILE rows (or columns) at a time: about half the work.
 */
export function attentionBackward(
  q: usize, k: usize, v: usize, att: usize, dOut: usize, dq: usize, dk: usize, dv: usize,
  h0: i32, h1: i32, t: i32, d: i32, scale: f32, causal: bool, heads: i32, ldIn: i32, ldOut: i32,
  scratch: usize, tmp: usize,
): void {
  const attBytes = (<usize>t * t) << 2;
  const rowBytes = (<usize>t) << 2;
  for (let h = h0; h < h1; h++) {
    const inOff = headOffset(h, heads, t, d, ldIn);
    const qh = q + inOff, kh = k + inOff, vh = v + inOff;
    const ah = att + <usize>h * attBytes, doh = dOut + headOffset(h, heads, t, d, ldOut);
    const dqh = dq + inOff, dkh = dk + inOff, dvh = dv + inOff;
    // Query rows [i0, i1) need key columns [0, jEnd) only: dP, dS and dQ row by row tile.
    for (let i0 = 0; i0 < t; i0 += TILE) {
      const i1 = min(t, i0 + TILE);
      const jEnd = causal ? i1 : t;
      // dP[i0:i1, 0:jEnd] = dO V^T
      gemm(false, true, d, doh, ldOut, vh, ldIn, tmp, t, false, i0, i1, 0, jEnd, scratch);
      for (let i = i0; i < i1; i++) softmaxBackwardRow(ah + <usize>i * rowBytes, tmp + <usize>i * rowBytes, jEnd, scale);
      // dQ[i0:i1] = dS[i0:i1, 0:jEnd] K[0:jEnd]
      gemm(false, false, jEnd, tmp, t, kh, ldIn, dqh, ldIn, false, i0, i1, 0, d, scratch);
    }
    // Key rows [j0, j1) gather from query rows [j0, t) only (dS and P are zero above the diagonal):
    // with op(A) = dS^T, starting A at row j0 of dS makes the sum start at query j0.
    for (let j0 = 0; j0 < t; j0 += TILE) {
      const j1 = min(t, j0 + TILE);
      const from = causal ? j0 : 0;
      const kk = t - from;
      // dK[j0:j1] = dS^T Q; dV[j0:j1] = P^T dO
      gemm(true, false, kk, tmp + <usize>from * rowBytes, t, qh + ((<usize>from * ldIn) << 2), ldIn, dkh, ldIn, false, j0, j1, 0, d, scratch);
      gemm(true, false, kk, ah + <usize>from * rowBytes, t, doh + ((<usize>from * ldOut) << 2), ldOut, dvh, ldIn, false, j0, j1, 0, d, scratch);
    }
  }
}

/** dS row in place of the dP row dr: P (dP - P.dP) scale over the first n columns. */
@inline
function softmaxBackwardRow(pr: usize, dr: usize, n: i32, scale: f32): void {
  const sv = f32x4.splat(scale);
  const n4 = n & ~3;
  let accv = f32x4.splat(0);
  let j = 0;
  for (; j < n4; j += 4) {
    const o = (<usize>j) << 2;
    accv = f32x4.add(accv, f32x4.mul(v128.load(pr + o), v128.load(dr + o)));
  }
  let dot = hsum(accv);
  for (; j < n; j++) {
    const o = (<usize>j) << 2;
    dot += load<f32>(pr + o) * load<f32>(dr + o);
  }
  const dotv = f32x4.splat(dot);
  for (j = 0; j < n4; j += 4) {
    const o = (<usize>j) << 2;
    v128.store(dr + o, f32x4.mul(f32x4.mul(v128.load(pr + o), f32x4.sub(v128.load(dr + o), dotv)), sv));
  }
  for (; j < n; j++) {
    const o = (<usize>j) << 2;
    store<f32>(dr + o, load<f32>(pr + o) * (load<f32>(dr + o) - dot) * scale);
  }
}
