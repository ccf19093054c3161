// Every webgpu kernel against the js reference on seeded random inputs, over SwiftShader (Chromium's
// CPU Vulkan driver) where no GPU is present. Skipped, saying why, when no adapter can be opened.

import assert from 'node:assert/strict';
import type { BinaryKernel, MatmulParams, UnaryKernel, Window2d } from '../backend.js';
import { jsKernels } from '../js/index.js';
import { TILE_LARGE, TILE_SMALL } from './kernels/matmul.js';
import { compareKernel, floats, gpuTest, ints } from './testing.js';

gpuTest('the adapter is open and reports its name', async (g) => {
  assert.ok(g.adapterName.length > 0);
  assert.equal(g.device.hostView(), null);
});

gpuTest('fill and cast', async (g) => {
  await compareKernel(g, 'fill', [{ out: 300 }], ([o]) => [o, 2.5] as never, { exact: true });
  await compareKernel(g, 'fill', [{ out: 70, int: true }], ([o]) => [o, -3] as never, { compare: [0] });
  await compareKernel(g, 'cast', [floats(100, 1, -50, 50), { out: 100, int: true }], ([x, o]) => [x, o] as never, { compare: [1] });
  await compareKernel(g, 'cast', [ints(100, 2, 1000), { out: 100 }], ([x, o]) => [x, o] as never, { exact: true });
});

const UNARY: Array<[UnaryKernel, number, number]> = [
  ['neg', -3, 3], ['exp', -20, 20], ['log', 1e-3, 50], ['sqrt', 1e-3, 50], ['abs', -3, 3],
  ['tanh', -20, 20], ['sigmoid', -30, 30], ['relu', -3, 3], ['gelu', -8, 8],
];
gpuTest('unary maps and their backwards', async (g) => {
  for (const [op, lo, hi] of UNARY) {
    const x = floats(1031, 3, lo, hi);
    await compareKernel(g, 'unary', [x, { out: x.length }], ([a, o]) => [op, a, o] as never, { compare: [1], rtol: 1e-5 * 20 });
    await compareKernel(g, 'unaryBackward', [x, floats(x.length, 4), { out: x.length }], ([a, gr, o]) => [op, a, gr, o] as never, { compare: [2], rtol: 1e-3 });
  }
});

const BINARY: Array<[BinaryKernel, number, number]> = [['add', -3, 3], ['sub', -3, 3], ['mul', -3, 3], ['div', 0.5, 3], ['pow', 0.1, 3], ['maximum', -3, 3]];
gpuTest('binary ops, in place too', async (g) => {
  for (const [op, lo, hi] of BINARY) {
    const a = floats(999, 5, lo, hi);
    const b = floats(999, 6, lo, hi);
    await compareKernel(g, 'binary', [a, b, { out: 999 }], ([x, y, o]) => [op, x, y, o] as never, { compare: [2], rtol: 1e-5 });
    // out aliases a: one binding in the shader (writable bindings may not alias).
    await compareKernel(g, 'binary', [a, b], ([x, y]) => [op, x, y, x] as never, { compare: [0], rtol: 1e-5 });
  }
  await compareKernel(g, 'unary', [floats(10, 7)], ([x]) => ['exp', x, x] as never, { compare: [0] });
});

gpuTest('maximum backward, where, notEqual', async (g) => {
  const a = floats(500, 8);
  const b = Float32Array.from(a, (v, i) => (i % 3 === 0 ? v : -v)); // ties every third
  await compareKernel(g, 'maximumBackward', [a, b, floats(500, 9), { out: 500 }, { out: 500 }], (s) => s as never, { compare: [3, 4], exact: true });
  const cond = Float32Array.from({ length: 300 }, (_, i) => (i % 4 === 0 ? 0 : i % 5));
  await compareKernel(g, 'where', [cond, floats(300, 10), floats(300, 11), { out: 300 }], (s) => s as never, { compare: [3], exact: true });
  await compareKernel(g, 'where', [ints(300, 12, 2), ints(300, 13, 100), ints(300, 14, 100), { out: 300, int: true }], (s) => s as never, { compare: [3] });
  await compareKernel(g, 'notEqual', [ints(300, 15, 4), { out: 300 }], ([x, o]) => [x, 2, o] as never, { compare: [1], exact: true });
});

gpuTest('strided copies: permute, slice, accumulate, broadcast backward, int32', async (g) => {
  // (2, 3, 4) -> permuted (4, 2, 3)
  const x = floats(24, 16);
  await compareKernel(g, 'copyStrided', [x, { out: 24 }], ([a, o]) => [a, o, { shape: [4, 2, 3], xOffset: 0, xStrides: [1, 12, 4], outOffset: 0, outStrides: [6, 3, 1], accumulate: false }] as never, { compare: [1], exact: true });
  // a slice with offsets into a larger output, accumulating
  await compareKernel(g, 'copyStrided', [floats(60, 17), floats(40, 18)], ([a, o]) => [a, o, { shape: [3, 5], xOffset: 7, xStrides: [10, 2], outOffset: 4, outStrides: [6, 1], accumulate: true }] as never, { compare: [1] });
  // the backward of a broadcast: sum over axes whose out stride is 0
  await compareKernel(g, 'copyStrided', [floats(4 * 5 * 6, 19), floats(5, 20)], ([a, o]) => [a, o, { shape: [4, 5, 6], xOffset: 0, xStrides: [30, 6, 1], outOffset: 0, outStrides: [0, 1, 0], accumulate: true }] as never, { compare: [1] });
  await compareKernel(g, 'copyStrided', [ints(12, 21, 50), { out: 12, int: true }], ([a, o]) => [a, o, { shape: [3, 4], xOffset: 0, xStrides: [1, 3], outOffset: 0, outStrides: [4, 1], accumulate: false }] as never, { compare: [1] });
});

gpuTest('broadcasting binary ops on float32 and int32', async (g) => {
  const shape = [3, 4, 5];
  for (const [op, lo, hi] of BINARY) {
    await compareKernel(g, 'broadcastBinary', [floats(20, 22, lo, hi), floats(15, 23, lo, hi), { out: 60 }],
      ([a, b, o]) => [op, a, b, o, { shape, aStrides: [0, 5, 1], bStrides: [5, 0, 1] }] as never, { compare: [2], rtol: 1e-5 });
  }
  for (const op of ['add', 'mul', 'div', 'maximum'] as const) {
    await compareKernel(g, 'broadcastBinary', [ints(20, 24, 30), Int32Array.from(ints(15, 25, 7), (v) => v - 3), { out: 60, int: true }],
      ([a, b, o]) => [op, a, b, o, { shape, aStrides: [0, 5, 1], bStrides: [5, 0, 1] }] as never, { compare: [2] });
  }
});

gpuTest('reductions: sum, max, argmax over column and tree layouts', async (g) => {
  for (const [outer, len, inner] of [[3, 5, 7], [4, 1000, 1], [2, 300, 3], [1, 0, 4], [5, 1, 1], [2, 2000, 40], [1, 70000, 1]] as const) {
    const x = floats(outer * len * inner, 26);
    if (x.length > 10) x[7] = x[3]!; // a tie
    for (const op of ['sum', 'max'] as const) {
      await compareKernel(g, 'reduce', [x, { out: outer * inner }], ([a, o]) => [op, a, o, outer, len, inner] as never, { compare: [1], rtol: 1e-5 });
    }
    await compareKernel(g, 'argmax', [x, { out: outer * inner, int: true }], ([a, o]) => [a, o, outer, len, inner] as never, { compare: [1] });
  }
});

gpuTest('gather, scatter-add with repeats, flat scatter-add', async (g) => {
  const [outer, len, count, inner] = [3, 6, 5, 4];
  const idx = ints(outer * count * inner, 27, len);
  await compareKernel(g, 'gather', [floats(outer * len * inner, 28), idx, { out: idx.length }], ([x, i, o]) => [x, i, o, outer, len, count, inner] as never, { compare: [2], exact: true });
  await compareKernel(g, 'scatterAdd', [floats(idx.length, 29), idx, floats(outer * len * inner, 30)], ([gr, i, d]) => [gr, i, d, outer, len, count, inner] as never, { compare: [2] });
  await compareKernel(g, 'scatterAddFlat', [floats(50, 31), ints(50, 32, 10), floats(10, 33)], (s) => s as never, { compare: [2] });
});

gpuTest('softmax and log-softmax, forward and backward', async (g) => {
  for (const [rows, cols] of [[5, 300], [40, 7]] as const) {
    for (const log of [false, true]) {
      const x = floats(rows * cols, 34, -5, 5);
      await compareKernel(g, 'softmax', [x, { out: x.length }], ([a, o]) => [a, o, rows, cols, log] as never, { compare: [1] });
      const y = new Float64Array(x.length);
      jsKernels.softmax(Float64Array.from(x), y, rows, cols, log);
      await compareKernel(g, 'softmaxBackward', [Float32Array.from(y), floats(x.length, 35), { out: x.length }], ([a, b, o]) => [a, b, o, rows, cols, log] as never, { compare: [2] });
    }
  }
});

gpuTest('dropout draws the same Philox bits as the reference', async (g) => {
  const x = floats(5000, 36);
  for (const [p, seed, offset] of [[0.1, 42, 0], [0.5, 7, 2 ** 32 - 100], [0, 1, 5]] as const) {
    await compareKernel(g, 'dropout', [x, { out: x.length }, { out: x.length }], ([a, o, m]) => [a, o, m, p, seed, offset] as never, { compare: [1, 2], rtol: 1e-6, atol: 0 });
  }
});

gpuTest('matmul: tiles, edges, transposes, batches, offsets, accumulate', async (g) => {
  // Aligned shapes take the vec4 loads (per operand), the others scalar ones.
  const shapes: Array<[number, number, number, number]> = [[1, 1, 1, 1], [2, 17, 33, 9], [1, 67, 45, 33], [3, 4, 8, 16], [1, 130, 70, 40], [2, 64, 36, 20], [2, 5, 6, 0]];
  for (const [batch, m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const variant of ['plain', 'broadcastB', 'offsetAccumulate'] as const) {
          const off = variant === 'offsetAccumulate' ? 3 : 0;
          const p: MatmulParams = {
            batch, m, n, k, transA, transB, aOffset: off, bOffset: 2 * off,
            aBatchStride: m * k, bBatchStride: variant === 'broadcastB' ? 0 : k * n, accumulate: variant === 'offsetAccumulate',
          };
          const outInit = variant === 'offsetAccumulate' ? floats(batch * m * n, 39) : { out: batch * m * n };
          // The 128-tile (~2 s to compile per variant on SwiftShader) where it meets edges, vec4 and scalar loads.
          const large = ((m === 130 && !transA) || (m === 64 && transA && transB)) && variant !== 'broadcastB';
          for (const tile of k === 0 ? [TILE_SMALL] : large ? ['simple' as const, TILE_SMALL, TILE_LARGE] : ['simple' as const, TILE_SMALL]) {
            await compareKernel(g, 'matmul', [floats(off + batch * m * k, 37), floats(2 * off + batch * k * n, 38), outInit],
              ([a, b, o]) => [a, b, o, p, tile] as never, { compare: [2] });
          }
        }
      }
    }
  }
});

gpuTest('layer norm with and without affine parameters, and its backward', async (g) => {
  const [rows, cols] = [130, 300];
  const x = floats(rows * cols, 40, -3, 3);
  const w = floats(cols, 41);
  const b = floats(cols, 42);
  for (const affine of [true, false]) {
    await compareKernel(g, 'layerNorm', [x, w, b, { out: x.length }, { out: rows }, { out: rows }],
      ([xs, ws, bs, o, m, r]) => [xs, affine ? ws : null, affine ? bs : null, o, m, r, rows, cols, 1e-5] as never, { compare: [3, 4, 5] });
  }
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  jsKernels.layerNorm(Float64Array.from(x), null, null, new Float64Array(x.length), mean, rstd, rows, cols, 1e-5);
  const dy = floats(x.length, 43);
  for (const affine of [true, false]) {
    await compareKernel(g, 'layerNormBackward', [x, w, Float32Array.from(mean), Float32Array.from(rstd), dy, { out: x.length }, floats(cols, 44), floats(cols, 45)],
      ([xs, ws, m, r, d, dx, dw, db]) => [xs, affine ? ws : null, m, r, d, dx, affine ? dw : null, db, rows, cols] as never, { compare: [5, 6, 7], rtol: 1e-3 });
  }
});

gpuTest('cross-entropy with ignored rows, forward and backward', async (g) => {
  const [rows, cols] = [12, 301];
  const targets = ints(rows, 46, cols);
  targets[3] = -100;
  const logits = floats(rows * cols, 47, -4, 4);
  await compareKernel(g, 'crossEntropy', [logits, targets, { out: rows }, { out: rows * cols }], ([l, t, loss, p]) => [l, t, loss, p, rows, cols, -100] as never, { compare: [2, 3] });
  const probs = new Float64Array(rows * cols);
  jsKernels.crossEntropy(Float64Array.from(logits), targets, new Float64Array(rows), probs, rows, cols, -100);
  await compareKernel(g, 'crossEntropyBackward', [Float32Array.from(probs), targets, floats(rows, 48), { out: rows * cols }], ([p, t, s, dx]) => [p, t, s, dx, rows, cols, -100] as never, { compare: [3] });
});

gpuTest('embedding and its scatter-add backward with repeated ids', async (g) => {
  const [vocab, dim] = [11, 9];
  const ids = ints(40, 49, vocab);
  await compareKernel(g, 'embedding', [floats(vocab * dim, 50), ids, { out: ids.length * dim }], ([t, i, o]) => [t, i, o, dim] as never, { compare: [2], exact: true });
  await compareKernel(g, 'embeddingBackward', [floats(ids.length * dim, 51), ids, floats(vocab * dim, 52)], ([gr, i, d]) => [gr, i, d, dim] as never, { compare: [2] });
});

gpuTest('adamw updates parameter and moments in place', async (g) => {
  const n = 1000;
  const p = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 7 };
  await compareKernel(g, 'adamw', [floats(n, 53), floats(n, 54), floats(n, 55, -0.1, 0.1), floats(n, 56, 0, 0.01)], ([a, b, c, d]) => [a, b, c, d, p] as never, { compare: [0, 2, 3], rtol: 1e-5 });
});

const WINDOWS: Window2d[] = [
  { kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, H: 7, W: 6, Ho: 7, Wo: 6 },
  { kh: 2, kw: 3, sh: 2, sw: 2, ph: 0, pw: 1, dh: 2, dw: 1, H: 9, W: 8, Ho: 4, Wo: 4 },
];
gpuTest('im2col, col2im and pooling', async (g) => {
  const [n, c] = [2, 3];
  for (const w of WINDOWS) {
    const cols = n * c * w.kh * w.kw * w.Ho * w.Wo;
    await compareKernel(g, 'im2col', [floats(n * c * w.H * w.W, 57), { out: cols }], ([x, o]) => [x, o, n, c, w] as never, { compare: [1], exact: true });
    await compareKernel(g, 'col2im', [floats(cols, 58), floats(n * c * w.H * w.W, 59)], ([x, o]) => [x, o, n, c, w] as never, { compare: [1] });
  }
  const pool: Window2d = { kh: 3, kw: 2, sh: 2, sw: 2, ph: 1, pw: 0, dh: 1, dw: 1, H: 7, W: 6, Ho: 4, Wo: 3 };
  const planes = 5;
  const x = floats(planes * pool.H * pool.W, 60);
  await compareKernel(g, 'maxPool2d', [x, { out: planes * 12 }, { out: planes * 12, int: true }], ([a, o, i]) => [a, o, i, planes, pool] as never, { compare: [1, 2], exact: true });
  await compareKernel(g, 'avgPool2d', [x, { out: planes * 12 }], ([a, o]) => [a, o, planes, pool] as never, { compare: [1] });
  await compareKernel(g, 'avgPool2dBackward', [floats(planes * 12, 61), floats(x.length, 62)], ([a, o]) => [a, o, planes, pool] as never, { compare: [1] });
});

gpuTest('int8 linear with and without bias', async (g) => {
  const [rows, nIn, nOut] = [3, 13, 7];
  const q = Int8Array.from(ints(nIn * nOut, 63, 256), (v) => v - 128);
  const x = floats(rows * nIn, 64);
  const scale = floats(nOut, 65, 0.01, 0.1);
  const bias = floats(nOut, 66);
  for (const withBias of [true, false]) {
    const want = new Float32Array(rows * nOut);
    jsKernels.linearInt8(x, q, scale, withBias ? bias : null, want, rows, nIn, nOut);
    const out = g.device.alloc('float32', rows * nOut, true);
    g.kernels.linearInt8(g.device.upload(x), g.uploadInt8(q), g.device.upload(scale), withBias ? g.device.upload(bias) : null, out, rows, nIn, nOut);
    const got = await g.device.read(out);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4 * (1 + Math.abs(want[i]!)), `linearInt8[${i}]: ${got[i]} vs ${want[i]}`);
  }
});

gpuTest('matmul of a buffer with itself (one binding, offsets that differ in alignment)', async (g) => {
  const n = 8;
  const x = floats(n * n + 2, 67);
  const p: MatmulParams = { batch: 1, m: n, n, k: n, transA: false, transB: true, aOffset: 0, bOffset: 2, aBatchStride: 0, bBatchStride: 0, accumulate: false };
  const want = new Float64Array(n * n);
  jsKernels.matmul(Float64Array.from(x), Float64Array.from(x), want, p);
  const gx = g.device.upload(x);
  const out = g.device.alloc('float32', n * n, true);
  g.matmulVariant(gx, gx, out, p, TILE_SMALL);
  const got = await g.device.read(out);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4, `[${i}] ${got[i]} vs ${want[i]}`);
});

gpuTest('matmul split over K (weight gradients: few output tiles, long K)', async (g) => {
  for (const [batch, m, n, k] of [[1, 20, 12, 1100], [2, 9, 7, 1030]] as const) {
    for (const [transA, transB] of [[true, false], [false, true]] as const) {
      for (const accumulate of [false, true]) {
        const p: MatmulParams = { batch, m, n, k, transA, transB, aOffset: 0, bOffset: 0, aBatchStride: m * k, bBatchStride: k * n, accumulate };
        await compareKernel(g, 'matmul', [floats(batch * m * k, 68), floats(batch * k * n, 69), accumulate ? floats(batch * m * n, 70) : { out: batch * m * n }],
          ([a, b, o]) => [a, b, o, p, TILE_SMALL] as never, { compare: [2] });
      }
    }
  }
  // A bias gradient as the linear op asks for it: ones (1, rows) @ g (rows, out), the variant chosen by the kernel.
  const p: MatmulParams = { batch: 1, m: 1, n: 40, k: 3000, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false };
  await compareKernel(g, 'matmul', [new Float32Array(3000).fill(1), floats(3000 * 40, 71), { out: 40 }], (s) => [...s, p] as never, { compare: [2] });
});
