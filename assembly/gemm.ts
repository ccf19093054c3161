// Single-thread SGEMM over a block of C: GotoBLAS-style packing plus a 4x8 register-blocked SIMD micro-kernel.

import { madd } from './simd';

// Tile and block sizes. A 4x8 tile keeps 8 accumulators + 2 B vectors + 1 broadcast A in 16 xmm
// registers (V8 uses SSE/AVX-128 registers only); 2x16 measured the same, larger tiles spill.
// KC*NR*4 = 8 KiB of B sits in L1, MC*KC*4 = 128 KiB of packed A in L2.
const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

/** Bytes of scratch one thread needs for `gemm`: packed A, packed B, one edge tile. */
export function gemmScratchBytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

// C[4x8] (+)= Ap[kc x 4]^T Bp[kc x 8]; c points at the tile's first element, ldc in floats.
// @inline keeps the accumulators in registers across the call site (no v128 returns).
@inline
function kernel4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, beta: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  const row = (<usize>ldc) << 2;
  if (beta) {
    v128.store(c, f32x4.add(v128.load(c), c00));
    v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c10));
    v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c20));
    v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
    c += row;
    v128.store(c, f32x4.add(v128.load(c), c30));
    v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
  } else {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    c += row;
    v128.store(c, c10);
    v128.store(c, c11, 16);
    c += row;
    v128.store(c, c20);
    v128.store(c, c21, 16);
    c += row;
    v128.store(c, c30);
    v128.store(c, c31, 16);
  }
}

// Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-row panels: panel[p][r], zero-padded to a multiple of MR.
function packA(transA: bool, a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    if (transA) {
      // op(A)[i][p] = A[p][i]: MR consecutive rows of op(A) are contiguous in memory.
      let src = a + ((<usize>pc * lda + ic + ir) << 2);
      const step = (<usize>lda) << 2;
      if (mr == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          dst += 16;
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f32>(dst + (r << 2), r < mr ? load<f32>(src + (r << 2)) : 0);
          dst += 16;
          src += step;
        }
      }
    } else {
      // op(A)[i][p] = A[i][p]: read 4 rows, 4 columns at a time and transpose in registers.
      const base = a + ((<usize>(ic + ir) * lda + pc) << 2);
      const rowBytes = (<usize>lda) << 2;
      if (mr == MR) {
        const r0 = base, r1 = base + rowBytes, r2 = base + 2 * rowBytes, r3 = base + 3 * rowBytes;
        let p = 0;
        for (; p + 4 <= kc; p += 4) {
          const off = (<usize>p) << 2;
          const x0 = v128.load(r0 + off), x1 = v128.load(r1 + off);
          const x2 = v128.load(r2 + off), x3 = v128.load(r3 + off);
          const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5); // a0 b0 a1 b1
          const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5); // c0 d0 c1 d1
          const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7); // a2 b2 a3 b3
          const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7); // c2 d2 c3 d3
          v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
          v128.store(dst, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7), 16);
          v128.store(dst, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), 32);
          v128.store(dst, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7), 48);
          dst += 64;
        }
        for (; p < kc; p++) {
          const off = (<usize>p) << 2;
          store<f32>(dst, load<f32>(r0 + off));
          store<f32>(dst + 4, load<f32>(r1 + off));
          store<f32>(dst + 8, load<f32>(r2 + off));
          store<f32>(dst + 12, load<f32>(r3 + off));
          dst += 16;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) {
            store<f32>(dst + (r << 2), r < mr ? load<f32>(base + <usize>r * rowBytes + (<usize>p << 2)) : 0);
          }
          dst += 16;
        }
      }
    }
  }
}

// Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-column panels: panel[p][c], zero-padded to a multiple of NR.
function packB(transB: bool, b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    if (!transB) {
      // op(B)[p][j] = B[p][j]: NR consecutive columns are contiguous.
      let src = b + ((<usize>pc * ldb + jc + jr) << 2);
      const step = (<usize>ldb) << 2;
      if (nr == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          dst += 32;
          src += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let j = 0; j < NR; j++) store<f32>(dst + (j << 2), j < nr ? load<f32>(src + (j << 2)) : 0);
          dst += 32;
          src += step;
        }
      }
    } else {
      // op(B)[p][j] = B[j][p]: each column of the panel is a contiguous row of B.
      for (let j = 0; j < NR; j++) {
        let d = dst + (j << 2);
        if (j < nr) {
          let src = b + ((<usize>(jc + jr + j) * ldb + pc) << 2);
          for (let p = 0; p < kc; p++) {
            store<f32>(d, load<f32>(src));
            src += 4;
            d += 32;
          }
        } else {
          for (let p = 0; p < kc; p++) {
            store<f32>(d, 0);
            d += 32;
          }
        }
      }
      dst += (<usize>kc * NR) << 2;
    }
  }
}

/**
 * C[i0:i1, j0:j1] (+)= op(A)[i0:i1, :] @ op(B)[:, j0:j1] for row-major A (m x k, or k x m when
 * transA), B (k x n, or n x k when transB) and C (m x n). Pointers are byte addresses; lda, ldb,
 * ldc are row lengths in floats. `scratch` holds gemmScratchBytes() private to the calling thread.
 */
export function gemm(
  transA: bool, transB: bool, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool,
  i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize,
): void {
  if (i1 <= i0 || j1 <= j0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (let i = i0; i < i1; i++) memory.fill(c + ((<usize>i * ldc + j0) << 2), 0, (<usize>(j1 - j0)) << 2);
    }
    return;
  }
  const ap = scratch;
  const bp = ap + ((<usize>MC * KC) << 2);
  const tile = bp + ((<usize>KC * NC) << 2);
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const beta = accumulate || pc > 0;
      packB(transB, b, ldb, pc, jc, kc, nc, bp);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA(transA, a, lda, ic, pc, mc, kc, ap);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bPanel = bp + ((<usize>jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const aPanel = ap + ((<usize>ir * kc) << 2);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 2);
            if (mr == MR && nr == NR) {
              kernel4x8(kc, aPanel, bPanel, cp, ldc, beta);
            } else {
              kernel4x8(kc, aPanel, bPanel, tile, NR, false);
              for (let r = 0; r < mr; r++) {
                const crow = cp + ((<usize>r * ldc) << 2);
                const trow = tile + ((<usize>r * NR) << 2);
                for (let j = 0; j < nr; j++) {
                  const o = (<usize>j) << 2;
                  const v = load<f32>(trow + o);
                  store<f32>(crow + o, beta ? load<f32>(crow + o) + v : v);
                }
              }
            }
          }
        }
      }
    }
  }
}
