// The wasm backend's kernels: argument checks, then one export call per thread on in-heap float32 data.

import type { AdamWParams, BinaryKernel, DecodeAttentionParams, Kernels, MatmulParams, UnaryKernel } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';
import { splitRange, type WasmRuntime } from './runtime.js';

// Op codes of assembly/elementwise.ts.
const UNARY: Record<UnaryKernel, number> = { neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, tanh: 5, sigmoid: 6, relu: 7, gelu: 8 };
const BINARY: Record<BinaryKernel, number> = { add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5 };

// Minimum work per thread before a call is split: waking a worker costs ~10-50 us.
const MIN_FLOPS_PER_THREAD = 1 << 21;
const MIN_ELEMENTS_PER_THREAD = 1 << 16;
// Up to this many rows a product with a (n, k) weight is a matrix-vector product (decoding).
export const MAX_GEMV_ROWS = 4;
// Below this a non-heap matmul is left to js rather than copied into the heap.
const MIN_COPY_FLOPS = 1 << 15;

/**
 * Builds the kernel table over a runtime.
 * @example const kernels = wasmKernels(new WasmRuntime()); kernels.matmul!(a, b, out, params);
 */
export function wasmKernels(rt: WasmRuntime): Partial<Kernels> {
  const heap = rt.heap;

  /** Address of a float32 view in the heap holding at least `need` elements, or -1. */
  const f32 = (x: FloatArray, need: number): number =>
    x instanceof Float32Array && x.length >= need ? heap.addressOf(x) : -1;

  /** Element-wise call split over threads in 16-element-aligned chunks; ptrs advance with the chunk. */
  const elementwise = (name: 'unary' | 'unaryBackward' | 'binary', head: number[], ptrs: number[], n: number): void => {
    // Small calls skip the split: the wrapper's cost is most of the work there.
    const t = n < 2 * MIN_ELEMENTS_PER_THREAD ? 1 : rt.threadsFor(n, MIN_ELEMENTS_PER_THREAD);
    if (t === 1) {
      (rt.exports[name] as (...args: number[]) => void)(...head, ...ptrs, n);
      return;
    }
    const parts = splitRange(n, t, 16).map(([s, e]) => [...head, ...ptrs.map((p) => p + s * 4), e - s]);
    rt.run(name, parts);
  };

  /** Row-split call: `make(r0, r1)` gives the arguments for rows [r0, r1). */
  const byRows = (
    name: 'softmax' | 'layerNorm' | 'crossEntropy' | 'crossEntropyBackward', rows: number, cols: number, make: (r0: number, r1: number) => number[],
  ): void => {
    const t = rows * cols < MIN_ELEMENTS_PER_THREAD / 2 ? 1 : rt.threadsFor(rows * cols, MIN_ELEMENTS_PER_THREAD / 4);
    if (t === 1) {
      (rt.exports[name] as (...args: number[]) => void)(...make(0, rows));
      return;
    }
    rt.run(name, splitRange(rows, t).map(([r0, r1]) => make(r0, r1)));
  };

  /**
   * Attention over bh heads laid out as assembly/attention.ts describes (heads per batch row, row
   * strides ldIn for q, k, v and ldOut for out), in about four chunks of heads per thread pulled as
   * threads finish.
   */
  const stridedAttention = (
    pq: number, pk: number, pv: number, po: number, pa: number, bh: number, t: number, d: number,
    scale: number, causal: boolean, heads: number, ldIn: number, ldOut: number,
  ): void => {
    if (bh === 0 || t === 0) return;
    const threads = rt.threadsFor(bh * t * t * d * 4, MIN_FLOPS_PER_THREAD);
    // Argument 14 is the thread's packing scratch.
    const chunks = splitRange(bh, Math.min(bh, 4 * threads)).map(([h0, h1]) => [
      pq, pk, pv, po, pa, h0, h1, t, d, scale, +causal, heads, ldIn, ldOut, 0,
    ]);
    rt.runDynamic('attention', chunks, threads, [14], (tid) => [rt.scratchFor(tid)]);
  };

  /** Backward of {@link stridedAttention}: the gradients share the q, k, v layout, dOut the out layout. */
  const stridedAttentionBackward = (
    qkv: [number, number, number], pa: number, pdo: number, grads: [number, number, number], bh: number,
    t: number, d: number, scale: number, causal: boolean, heads: number, ldIn: number, ldOut: number,
  ): void => {
    if (bh === 0 || t === 0) return;
    const threads = rt.threadsFor(bh * t * t * d * 8, MIN_FLOPS_PER_THREAD);
    const chunks = splitRange(bh, Math.min(bh, 4 * threads)).map(([h0, h1]) => [
      ...qkv, pa, pdo, ...grads, h0, h1, t, d, scale, +causal, heads, ldIn, ldOut, 0, 0,
    ]);
    // Arguments 17 and 18: the thread's packing scratch and its (T, T) temporary.
    const tmps: number[] = [];
    try {
      for (let i = 0; i < threads; i++) tmps.push(heap.raw(t * t * 4));
      rt.runDynamic('attentionBackward', chunks, threads, [17, 18], (tid) => [rt.scratchFor(tid), tmps[tid]]);
    } finally {
      for (const tmp of tmps) heap.releaseRaw(tmp, t * t * 4);
    }
  };

  /**
   * Address of in-heap class targets, or -1 when they are elsewhere or one is out of [0, cols) (it
   * would read outside its row; the js kernels report those).
   */
  const targetsAddress = (targets: Int32Array, rows: number, cols: number, ignoreIndex: number): number => {
    if (targets.length < rows) return -1;
    for (let r = 0; r < rows; r++) {
      const t = targets[r];
      if (t !== ignoreIndex && (t < 0 || t >= cols)) return -1;
    }
    return heap.addressOf(targets);
  };

  const matmul = (a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): boolean => {
    // A stack of A matrices times one shared B (a Linear layer on (B, T, C)) is one tall GEMM:
    // B is packed once instead of once per batch.
    if (p.batch > 1 && p.bBatchStride === 0 && !p.transA && p.aBatchStride === p.m * p.k) {
      p = { ...p, m: p.batch * p.m, batch: 1, aBatchStride: 0 };
    }
    const { batch, m, n, k, transA, transB, aOffset, bOffset, aBatchStride, bBatchStride, accumulate } = p;
    if (batch <= 0 || m <= 0 || n <= 0) return true;
    if (batch === 1 && m <= MAX_GEMV_ROWS && transB && !transA && k > 0 && matvec(a, b, out, m, n, k, aOffset, bOffset, accumulate)) return true;
    if (k <= 0) {
      if (!accumulate) out.fill(0, 0, batch * m * n);
      return true;
    }
    const aNeed = aOffset + (batch - 1) * aBatchStride + m * k;
    const bNeed = bOffset + (batch - 1) * bBatchStride + k * n;
    const oNeed = batch * m * n;
    if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) return false;
    if (a.length < aNeed || b.length < bNeed || out.length < oNeed) return false;
    let pa = heap.addressOf(a), pb = heap.addressOf(b), po = heap.addressOf(out);
    const flops = 2 * batch * m * n * k;
    const staged: Array<[number, number]> = [];
    if (pa < 0 || pb < 0 || po < 0) {
      // Copy in arrays from outside the heap when the product dwarfs the copy.
      if (flops < MIN_COPY_FLOPS) return false;
      const stage = (x: Float32Array, len: number, copyIn: boolean): number => {
        const addr = heap.raw(len * 4);
        staged.push([addr, len * 4]);
        if (copyIn) new Float32Array(heap.buffer(), addr, len).set(x.subarray(0, len));
        return addr;
      };
      if (pa < 0) pa = stage(a, aNeed, true);
      if (pb < 0) pb = stage(b, bNeed, true);
      if (po < 0) po = stage(out, oNeed, accumulate);
    }
    try {
      const t = rt.threadsFor(flops, MIN_FLOPS_PER_THREAD);
      const call = (b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): number[] => [
        pa + aOffset * 4, pb + bOffset * 4, po, m, n, k, +transA, +transB, aBatchStride, bBatchStride, +accumulate,
        b0, b1, i0, i1, j0, j1, 0,
      ];
      // Argument 17 is the packing scratch of whichever thread runs the chunk.
      const chunks = t === 1 ? [call(0, batch, 0, m, 0, n)] : matmulChunks(batch, m, n, t, call);
      rt.runDynamic('matmul', chunks, t, [17], (tid) => [rt.scratchFor(tid)]);
      if (po !== heap.addressOf(out)) out.set(new Float32Array(heap.buffer(), po, oNeed));
    } finally {
      for (const [addr, bytes] of staged) heap.releaseRaw(addr, bytes);
    }
    return true;
  };

  /** x (rows, k) @ w^T for w (n, k) in the heap: one contiguous weight row per output, no packing. */
  const matvec = (a: FloatArray, b: FloatArray, out: FloatArray, rows: number, n: number, k: number, aOff: number, bOff: number, accumulate: boolean): boolean => {
    const pa = f32(a, aOff + rows * k), pb = f32(b, bOff + n * k), po = f32(out, rows * n);
    if (pa < 0 || pb < 0 || po < 0) return false;
    // Memory-bound: threads pay off once the weight is large (a big vocabulary's head).
    const t = rt.threadsFor(rows * n * k, MIN_FLOPS_PER_THREAD >> 2);
    const head = [pa + aOff * 4, pb + bOff * 4, po, rows, n, k, +accumulate];
    if (t === 1) rt.exports.matvecT(...(head as [number, number, number, number, number, number, number]), 0, n);
    else rt.run('matvecT', splitRange(n, t, 4).map(([j0, j1]) => [...head, j0, j1]));
    return true;
  };

  /** A few heap floats for decoding's scores, grown as needed (the main thread's only). */
  let scores: Float32Array | null = null;

  const decodeAttention = (qkv: FloatArray, kc: readonly FloatArray[], vc: readonly FloatArray[], out: FloatArray, p: DecodeAttentionParams): boolean => {
    const { batch: B, t: T, nHead: H, headDim: D, blockSize } = p;
    const C = H * D;
    const pq = f32(qkv, B * T * 3 * C), po = f32(out, B * T * C);
    if (pq < 0 || po < 0 || !(qkv instanceof Float32Array)) return false;
    const pk = kc.map((c) => f32(c, H * blockSize * D)), pv = vc.map((c) => f32(c, H * blockSize * D));
    if (pk.some((x) => x < 0) || pv.some((x) => x < 0)) return false;
    if (!scores || scores.length < blockSize) scores = heap.alloc('float32', Math.max(blockSize, 64)) as Float32Array;
    const ps = heap.addressOf(scores);
    for (let b = 0; b < B; b++) {
      const K = kc[b] as Float32Array, V = vc[b] as Float32Array;
      const offset = p.offsets[b]!;
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * 3 * C;
        for (let h = 0; h < H; h++) {
          const dst = (h * blockSize + offset + t) * D; // cache layout (H, blockSize, D)
          K.set(qkv.subarray(row + C + h * D, row + C + h * D + D), dst);
          V.set(qkv.subarray(row + 2 * C + h * D, row + 2 * C + h * D + D), dst);
        }
      }
      for (let t = 0; t < T; t++) {
        const row = (b * T + t) * 3 * C;
        for (let h = 0; h < H; h++) {
          const base = h * blockSize * D * 4;
          rt.exports.attendCached(pq + (row + h * D) * 4, pk[b]! + base, pv[b]! + base, po + ((b * T + t) * C + h * D) * 4, offset + t + 1, D, p.scale, ps);
        }
      }
    }
    return true;
  };

  return {
    matmul,
    decodeAttention,

    unary(op: UnaryKernel, x: FloatArray, out: FloatArray): boolean {
      const n = x.length;
      const px = f32(x, n), po = f32(out, n);
      if (px < 0 || po < 0) return false;
      elementwise('unary', [UNARY[op]], [px, po], n);
      return true;
    },

    unaryBackward(op: UnaryKernel, x: FloatArray, g: FloatArray, out: FloatArray): boolean {
      const n = x.length;
      const px = f32(x, n), pg = f32(g, n), po = f32(out, n);
      if (px < 0 || pg < 0 || po < 0) return false;
      elementwise('unaryBackward', [UNARY[op]], [px, pg, po], n);
      return true;
    },

    binary(op: BinaryKernel, a: FloatArray, b: FloatArray, out: FloatArray): boolean {
      const n = out.length;
      const pa = f32(a, n), pb = f32(b, n), po = f32(out, n);
      if (pa < 0 || pb < 0 || po < 0) return false;
      elementwise('binary', [BINARY[op]], [pa, pb, po], n);
      return true;
    },

    softmax(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): boolean {
      const px = f32(x, rows * cols), po = f32(out, rows * cols);
      if (px < 0 || po < 0) return false;
      byRows('softmax', rows, cols, (r0, r1) => [px + r0 * cols * 4, po + r0 * cols * 4, r1 - r0, cols, +log]);
      return true;
    },

    layerNorm(x, weight, bias, out, mean, rstd, rows, cols, eps): boolean {
      const size = rows * cols;
      const px = f32(x, size), po = f32(out, size), pm = f32(mean, rows), pr = f32(rstd, rows);
      const pw = weight ? f32(weight, cols) : 0, pb = bias ? f32(bias, cols) : 0;
      if (px < 0 || po < 0 || pm < 0 || pr < 0 || pw < 0 || pb < 0) return false;
      byRows('layerNorm', rows, cols, (r0, r1) => [
        px + r0 * cols * 4, pw, pb, po + r0 * cols * 4, pm + r0 * 4, pr + r0 * 4, r1 - r0, cols, eps,
      ]);
      return true;
    },

    layerNormBackward(x, weight, mean, rstd, dy, dx, dWeight, dBias, rows, cols): boolean {
      const size = rows * cols;
      const px = f32(x, size), pdy = f32(dy, size), pdx = f32(dx, size), pm = f32(mean, rows), pr = f32(rstd, rows);
      const pw = weight ? f32(weight, cols) : 0;
      const pdw = dWeight ? f32(dWeight, cols) : 0, pdb = dBias ? f32(dBias, cols) : 0;
      if (px < 0 || pdy < 0 || pdx < 0 || pm < 0 || pr < 0 || pw < 0 || pdw < 0 || pdb < 0) return false;
      const t = rt.threadsFor(size, MIN_ELEMENTS_PER_THREAD / 4);
      const ranges = splitRange(rows, t);
      // Threads other than the caller accumulate dWeight/dBias into zeroed partials, summed after.
      const partials: number[] = [];
      const parts = ranges.map(([r0, r1], tid) => {
        let w = pdw, b = pdb;
        if (tid > 0) {
          if (pdw) { w = heap.raw(cols * 4); partials.push(w); new Float32Array(heap.buffer(), w, cols).fill(0); }
          if (pdb) { b = heap.raw(cols * 4); partials.push(b); new Float32Array(heap.buffer(), b, cols).fill(0); }
        }
        return [px + r0 * cols * 4, pw, pm + r0 * 4, pr + r0 * 4, pdy + r0 * cols * 4, pdx + r0 * cols * 4, w, b, r1 - r0, cols];
      });
      rt.run('layerNormBackward', parts);
      for (let i = 1; i < parts.length; i++) {
        if (pdw) rt.exports.addInto(parts[i][6], pdw, cols);
        if (pdb) rt.exports.addInto(parts[i][7], pdb, cols);
      }
      for (const addr of partials) heap.releaseRaw(addr, cols * 4);
      return true;
    },

    crossEntropy(logits, targets, losses, probs, rows, cols, ignoreIndex): boolean {
      const pl = f32(logits, rows * cols), pp = f32(probs, rows * cols), ploss = f32(losses, rows);
      const pt = targetsAddress(targets, rows, cols, ignoreIndex);
      if (pl < 0 || pp < 0 || ploss < 0 || pt < 0) return false;
      byRows('crossEntropy', rows, cols, (r0, r1) => [
        pl + r0 * cols * 4, pt + r0 * 4, ploss + r0 * 4, pp + r0 * cols * 4, r1 - r0, cols, ignoreIndex,
      ]);
      return true;
    },

    crossEntropyBackward(probs, targets, rowScale, dx, rows, cols, ignoreIndex): boolean {
      const pp = f32(probs, rows * cols), ps = f32(rowScale, rows), pd = f32(dx, rows * cols);
      const pt = targetsAddress(targets, rows, cols, ignoreIndex);
      if (pp < 0 || ps < 0 || pd < 0 || pt < 0) return false;
      byRows('crossEntropyBackward', rows, cols, (r0, r1) => [
        pp + r0 * cols * 4, pt + r0 * 4, ps + r0 * 4, pd + r0 * cols * 4, r1 - r0, cols, ignoreIndex,
      ]);
      return true;
    },

    attention(q, k, v, out, att, bh, t, d, scale, causal): boolean {
      const size = bh * t * d;
      const pq = f32(q, size), pk = f32(k, size), pv = f32(v, size), po = f32(out, size), pa = f32(att, bh * t * t);
      if (pq < 0 || pk < 0 || pv < 0 || po < 0 || pa < 0) return false;
      stridedAttention(pq, pk, pv, po, pa, bh, t, d, scale, causal, 1, d, d);
      return true;
    },

    attentionBackward(q, k, v, att, dOut, dq, dk, dv, bh, t, d, scale, causal): boolean {
      const size = bh * t * d;
      const [pq, pk, pv] = [q, k, v].map((x) => f32(x, size));
      const pa = f32(att, bh * t * t), pdo = f32(dOut, size);
      const [pdq, pdk, pdv] = [dq, dk, dv].map((x) => f32(x, size));
      if ([pq, pk, pv, pa, pdo, pdq, pdk, pdv].some((p) => p < 0)) return false;
      stridedAttentionBackward([pq, pk, pv], pa, pdo, [pdq, pdk, pdv], bh, t, d, scale, causal, 1, d, d);
      return true;
    },

    packedAttention(qkv, out, att, batch, t, nHead, headDim, scale): boolean {
      const c = nHead * headDim, bh = batch * nHead;
      const p = f32(qkv, batch * t * 3 * c), po = f32(out, batch * t * c), pa = f32(att, bh * t * t);
      if (p < 0 || po < 0 || pa < 0) return false;
      stridedAttention(p, p + c * 4, p + 2 * c * 4, po, pa, bh, t, headDim, scale, true, nHead, 3 * c, c);
      return true;
    },

    packedAttentionBackward(qkv, att, dOut, dqkv, batch, t, nHead, headDim, scale): boolean {
      const c = nHead * headDim, bh = batch * nHead;
      const p = f32(qkv, batch * t * 3 * c), pa = f32(att, bh * t * t), pdo = f32(dOut, batch * t * c);
      const pd = f32(dqkv, batch * t * 3 * c);
      if (p < 0 || pa < 0 || pdo < 0 || pd < 0) return false;
      const parts = (base: number): [number, number, number] => [base, base + c * 4, base + 2 * c * 4];
      stridedAttentionBackward(parts(p), pa, pdo, parts(pd), bh, t, headDim, scale, true, nHead, 3 * c, c);
      return true;
    },

    embedding(table, ids, out, dim): boolean {
      const rows = dim > 0 ? Math.floor(table.length / dim) : 0;
      const pt = f32(table, rows * dim), po = f32(out, ids.length * dim), pi = heap.addressOf(ids);
      if (pt < 0 || po < 0 || pi < 0 || !idsInRange(ids, rows)) return false;
      rt.exports.embedding(pt, pi, po, ids.length, dim);
      return true;
    },

    embeddingBackward(g, ids, dTable, dim): boolean {
      const rows = dim > 0 ? Math.floor(dTable.length / dim) : 0;
      const pg = f32(g, ids.length * dim), pt = f32(dTable, rows * dim), pi = heap.addressOf(ids);
      if (pg < 0 || pt < 0 || pi < 0 || !idsInRange(ids, rows)) return false;
      // One thread: rows of dTable may repeat, so a split would race on the scatter-add.
      rt.exports.embeddingBackward(pg, pi, pt, ids.length, dim);
      return true;
    },

    linearInt8(x, q, scale, bias, out, rows, nIn, nOut): boolean {
      const px = heap.addressOf(x), pq = heap.addressOf(q), ps = heap.addressOf(scale), po = heap.addressOf(out);
      const pb = bias ? heap.addressOf(bias) : 0;
      if (px < 0 || pq < 0 || ps < 0 || po < 0 || pb < 0) return false;
      // Output channels split across threads: each reads its own rows of q (the memory traffic).
      const t = rt.threadsFor(rows * nOut * nIn, MIN_FLOPS_PER_THREAD >> 3); // memory-bound: threads pay off sooner
      const parts = splitRange(nOut, t, 16).map(([j0, j1]) => [px, pq, ps, pb, po, rows, nIn, nOut, j0, j1]);
      rt.run('linearInt8', parts);
      return true;
    },

    adamw(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, p: AdamWParams): boolean {
      const n = param.length;
      const pp = f32(param, n), pg = f32(grad, n), pm = f32(m, n), pv = f32(v, n);
      if (pp < 0 || pg < 0 || pm < 0 || pv < 0) return false;
      const bc1 = 1 - Math.pow(p.beta1, p.step);
      const bc2 = 1 - Math.pow(p.beta2, p.step);
      const decay = 1 - p.lr * p.weightDecay;
      const t = rt.threadsFor(n, MIN_ELEMENTS_PER_THREAD);
      const parts = splitRange(n, t, 16).map(([s, e]) => [
        pp + s * 4, pg + s * 4, pm + s * 4, pv + s * 4, e - s, p.lr, p.beta1, p.beta2, p.eps, decay, bc1, bc2,
      ]);
      rt.run('adamw', parts);
      return true;
    },
  };
}

/**
 * About two chunks per thread, so a thread slowed by other work hands chunks to the others: whole
 * batches when there are enough, else a grid of row and column blocks of C. Each chunk repacks
 * its slices of A and B, so chunks stay large (>= 64 rows, >= 128 columns).
 */
function matmulChunks(
  batch: number, m: number, n: number, t: number,
  call: (b0: number, b1: number, i0: number, i1: number, j0: number, j1: number) => number[],
): number[][] {
  const target = 2 * t;
  if (batch >= target || (batch >= t && m * n < 16384)) {
    return splitRange(batch, Math.min(batch, 4 * t)).map(([b0, b1]) => call(b0, b1, 0, m, 0, n));
  }
  let rows = m >= 2 * n ? target : n >= 2 * m ? 1 : t;
  rows = Math.max(1, Math.min(rows, Math.floor(m / 64)));
  let cols = Math.max(1, Math.min(Math.ceil(target / rows), Math.floor(n / 128)));
  if (rows * cols < t) rows = Math.max(1, Math.min(target, Math.ceil(m / 4)));
  if (rows * cols < t) cols = Math.max(1, Math.min(target, Math.ceil(n / 8)));
  const chunks: number[][] = [];
  for (const [i0, i1] of splitRange(m, rows, 4)) {
    for (const [j0, j1] of splitRange(n, cols, 8)) chunks.push(call(0, batch, i0, i1, j0, j1));
  }
  return chunks;
}

function idsInRange(ids: Int32Array, rows: number): boolean {
  for (let i = 0; i < ids.length; i++) if (ids[i] < 0 || ids[i] >= rows) return false;
  return true;
}
