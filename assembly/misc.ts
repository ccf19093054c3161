// Batched matmul over the GEMM kernel, and the embedding gather / scatter-add.

import { gemm } from './gemm';

/**
 * out[bi] (+)= op(A[bi]) @ op(B[bi]) for bi in [b0, b1), rows [i0, i1) and columns [j0, j1) of
 * each product. A[bi] starts at a + bi * aStride floats (0 broadcasts), out[bi] at out + bi*m*n.
 */
export function matmul(
  a: usize, b: usize, out: usize, m: i32, n: i32, k: i32, transA: bool, transB: bool,
  aStride: i32, bStride: i32, accumulate: bool,
  b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32, scratch: usize,
): void {
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  for (let bi = b0; bi < b1; bi++) {
    const ab = a + ((<usize>bi * aStride) << 2);
    const bb = b + ((<usize>bi * bStride) << 2);
    const ob = out + ((<usize>bi * m * n) << 2);
    gemm(transA, transB, k, ab, lda, bb, ldb, ob, n, accumulate, i0, i1, j0, j1, scratch);
  }
}

/** out[i, :] = table[ids[i], :] for i in [0, count). */
export function embedding(table: usize, ids: usize, out: usize, count: i32, dim: i32): void {
  const rowBytes = (<usize>dim) << 2;
  for (let i = 0; i < count; i++) {
    const id = load<i32>(ids + ((<usize>i) << 2));
    memory.copy(out + <usize>i * rowBytes, table + <usize>id * rowBytes, rowBytes);
  }
}

/** dTable[ids[i], :] += g[i, :] for i in [0, count). */
export function embeddingBackward(g: usize, ids: usize, dTable: usize, count: i32, dim: i32): void {
  const rowBytes = (<usize>dim) << 2;
  const d4 = dim & ~3;
  for (let i = 0; i < count; i++) {
    const id = load<i32>(ids + ((<usize>i) << 2));
    const src = g + <usize>i * rowBytes;
    const dst = dTable + <usize>id * rowBytes;
    let c = 0;
    for (; c < d4; c += 4) {
      const o = (<usize>c) << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
    for (; c < dim; c++) {
      const o = (<usize>c) << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}

/** Zeroes `bytes` bytes at `ptr` (bulk memory: a memset, where a JS fill of shared memory goes byte by byte). */
export function zero(ptr: usize, bytes: usize): void {
  memory.fill(ptr, 0, bytes);
}
