// Kernel conformance cases: each runs one kernel on a fast backend and on the js reference (float64) and compares.

import type { Backend, BinaryKernel, Kernels, MatmulParams, UnaryKernel } from './backend.js';
import { jsKernels } from './js/index.js';

/** Seeded uniform floats in [lo, hi) (mulberry32). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  };
}

/** One kernel check: name for the test title, run() throws on mismatch. */
export interface Case {
  kernel: keyof Kernels;
  name: string;
  run(backend: Backend): 'ok' | 'skipped';
}

type Fill = number[] | ((i: number) => number);

/** Storage from the backend under test (so kernels run in place) and a float64 twin for the reference. */
class Pair {
  readonly fast: Float32Array;
  readonly ref: Float64Array;
  constructor(backend: Backend, size: number, fill: Fill = () => 0) {
    this.fast = backend.alloc('float32', size) as Float32Array;
    if (!(this.fast instanceof Float32Array)) throw new Error('alloc(float32) must return a Float32Array');
    for (let i = 0; i < size; i++) this.fast[i] = Array.isArray(fill) ? fill[i % fill.length] : fill(i);
    // The reference reads the same float32-rounded inputs, in float64.
    this.ref = Float64Array.from(this.fast);
  }
}

function ints(backend: Backend, values: number[]): Int32Array {
  const a = backend.alloc('int32', values.length) as Int32Array;
  a.set(values);
  return a;
}

/**
 * Asserts got ~= want elementwise: |got - want| <= atol * scale + rtol * |want|, where scale is the
 * largest |want| (float32 sums carry absolute error relative to the magnitudes summed). NaN and
 * infinities must match exactly.
 */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 2e-4, atol = 2e-5): void {
  if (got.length < want.length) throw new Error(`${what}: length ${got.length} < ${want.length}`);
  let scale = 1;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) throw new Error(`${what}[${i}]: got ${g}, want ${w}`);
      continue;
    }
    if (!(Math.abs(g - w) <= atol * scale + rtol * Math.abs(w))) {
      throw new Error(`${what}[${i}]: got ${g}, want ${w} (|diff| ${Math.abs(g - w)}, scale ${scale})`);
    }
  }
}

function call<K extends keyof Kernels>(backend: Backend, name: K, ...args: Parameters<Kernels[K]>): boolean {
  const k = backend.kernels[name] as ((...a: Parameters<Kernels[K]>) => boolean) | undefined;
  return k ? k(...args) : false;
}

function ref<K extends keyof Kernels>(name: K, ...args: Parameters<Kernels[K]>): void {
  (jsKernels[name] as (...a: Parameters<Kernels[K]>) => boolean)(...args);
}

const UNARY: Array<[UnaryKernel, number, number]> = [
  ['neg', -3, 3], ['exp', -20, 20], ['log', 1e-3, 50], ['sqrt', 0, 50], ['abs', -3, 3],
  ['tanh', -6, 6], ['sigmoid', -20, 20], ['relu', -3, 3], ['gelu', -8, 8],
];
const BINARY: Array<[BinaryKernel, number, number]> = [
  ['add', -3, 3], ['sub', -3, 3], ['mul', -3, 3], ['div', 0.5, 3], ['pow', 0.1, 3], ['maximum', -3, 3],
];
// Values at the edges of the float32 exp range, tiny arguments of tanh, zeros.
const EDGES = [-100, -88.5, -87, -20, -1, -0.31, -0.29, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.29, 0.31, 1, 20, 80, 88];

/** Every case, over odd sizes, transposes, broadcast batches, accumulation and thread-sized inputs. */
export function conformanceCases(): Case[] {
  const cases: Case[] = [];
  const r = rng(1234);

  // matmul: [batch, m, n, k]
  const shapes: Array<[number, number, number, number]> = [
    [1, 1, 1, 1], [1, 3, 5, 7], [2, 17, 33, 9], [3, 4, 8, 16], [1, 130, 70, 257], [2, 9, 1030, 5], [4, 64, 64, 64],
    [1, 256, 128, 128], [3, 5, 6, 0], [1, 2, 3000, 129],
  ];
  for (const [batch, m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const variant of ['plain', 'broadcastB', 'broadcastA', 'offsetAccumulate'] as const) {
          if (batch === 1 && variant.startsWith('broadcast')) continue;
          cases.push({
            kernel: 'matmul',
            name: `matmul b${batch} ${m}x${n}x${k} tA=${+transA} tB=${+transB} ${variant}`,
            run(backend) {
              const aOffset = variant === 'offsetAccumulate' ? 3 : 0, bOffset = variant === 'offsetAccumulate' ? 5 : 0;
              const p: MatmulParams = {
                batch, m, n, k, transA, transB, aOffset, bOffset,
                aBatchStride: variant === 'broadcastA' ? 0 : m * k,
                bBatchStride: variant === 'broadcastB' ? 0 : k * n,
                accumulate: variant === 'offsetAccumulate',
              };
              const a = new Pair(backend, aOffset + batch * m * k, () => r());
              const b = new Pair(backend, bOffset + batch * k * n, () => r());
              const out = new Pair(backend, batch * m * n, () => r());
              if (!call(backend, 'matmul', a.fast, b.fast, out.fast, p)) return 'skipped';
              ref('matmul', a.ref, b.ref, out.ref, p);
              assertClose(out.fast, out.ref, 'out');
              return 'ok';
            },
          });
        }
      }
    }
  }

  for (const [op, lo, hi] of UNARY) {
    for (const n of [1, 7, 1000, 200003, -1]) {
      const label = n < 0 ? 'edges' : `n=${n}`;
      cases.push({
        kernel: 'unary',
        name: `unary ${op} ${label}`,
        run(backend) {
          const fill: Fill = n < 0 ? EDGES.filter((v) => !(op === 'log' || op === 'sqrt') || v >= 0) : () => r(lo, hi);
          const size = n < 0 ? (fill as number[]).length : n;
          const x = new Pair(backend, size, fill);
          const out = new Pair(backend, size);
          if (!call(backend, 'unary', op, x.fast, out.fast)) return 'skipped';
          ref('unary', op, x.ref, out.ref);
          assertClose(out.fast, Float32Array.from(out.ref), 'out');
          return 'ok';
        },
      });
      cases.push({
        kernel: 'unaryBackward',
        name: `unaryBackward ${op} ${label}`,
        run(backend) {
          const fill: Fill = n < 0 ? EDGES.filter((v) => !(op === 'log' || op === 'sqrt') || v > 0) : () => r(lo, hi);
          const size = n < 0 ? (fill as number[]).length : n;
          const x = new Pair(backend, size, fill);
          const g = new Pair(backend, size, () => r());
          const out = new Pair(backend, size);
          if (!call(backend, 'unaryBackward', op, x.fast, g.fast, out.fast)) return 'skipped';
          ref('unaryBackward', op, x.ref, g.ref, out.ref);
          assertClose(out.fast, Float32Array.from(out.ref), 'out');
          return 'ok';
        },
      });
    }
  }

  for (const [op, lo, hi] of BINARY) {
    for (const n of [1, 7, 1001, 200003]) {
      cases.push({
        kernel: 'binary',
        name: `binary ${op} n=${n}`,
        run(backend) {
          const a = new Pair(backend, n, () => r(lo, hi));
          const b = new Pair(backend, n, () => r(lo, hi));
          const out = new Pair(backend, n);
          if (!call(backend, 'binary', op, a.fast, b.fast, out.fast)) return 'skipped';
          ref('binary', op, a.ref, b.ref, out.ref);
          assertClose(out.fast, Float32Array.from(out.ref), 'out');
          return 'ok';
        },
      });
    }
  }

  const rowShapes: Array<[number, number]> = [[1, 1], [3, 7], [5, 16], [64, 1000], [300, 768]];
  for (const [rows, cols] of rowShapes) {
    for (const log of [false, true]) {
      cases.push({
        kernel: 'softmax',
        name: `softmax ${rows}x${cols} log=${log}`,
        run(backend) {
          // Some masked entries (-Infinity), as a causal mask writes them; never a whole row.
          const x = new Pair(backend, rows * cols, (i) => (i % cols > 0 && i % 5 === 3 ? -Infinity : r(-8, 8)));
          const out = new Pair(backend, rows * cols);
          if (!call(backend, 'softmax', x.fast, out.fast, rows, cols, log)) return 'skipped';
          ref('softmax', x.ref, out.ref, rows, cols, log);
          assertClose(out.fast, out.ref, 'out');
          return 'ok';
        },
      });
    }
    for (const affine of [false, true]) {
      cases.push({
        kernel: 'layerNorm',
        name: `layerNorm ${rows}x${cols} affine=${affine}`,
        run(backend) {
          const x = new Pair(backend, rows * cols, () => r(-3, 5));
          const w = affine ? new Pair(backend, cols, () => r(0.5, 1.5)) : null;
          const b = affine ? new Pair(backend, cols, () => r()) : null;
          const out = new Pair(backend, rows * cols), mean = new Pair(backend, rows), rstd = new Pair(backend, rows);
          if (!call(backend, 'layerNorm', x.fast, w?.fast ?? null, b?.fast ?? null, out.fast, mean.fast, rstd.fast, rows, cols, 1e-5)) return 'skipped';
          ref('layerNorm', x.ref, w?.ref ?? null, b?.ref ?? null, out.ref, mean.ref, rstd.ref, rows, cols, 1e-5);
          assertClose(out.fast, out.ref, 'out');
          assertClose(mean.fast, mean.ref, 'mean');
          assertClose(rstd.fast, rstd.ref, 'rstd');
          return 'ok';
        },
      });
      cases.push({
        kernel: 'layerNormBackward',
        name: `layerNormBackward ${rows}x${cols} affine=${affine}`,
        run(backend) {
          const x = new Pair(backend, rows * cols, () => r(-3, 5));
          const w = affine ? new Pair(backend, cols, () => r(0.5, 1.5)) : null;
          const mean = new Pair(backend, rows), rstd = new Pair(backend, rows);
          // Statistics from the reference forward, float32-rounded.
          const tmp = new Float64Array(rows * cols);
          jsKernels.layerNorm(x.ref, w?.ref ?? null, null, tmp, mean.ref, rstd.ref, rows, cols, 1e-5);
          mean.fast.set(mean.ref); rstd.fast.set(rstd.ref);
          mean.ref.set(mean.fast); rstd.ref.set(rstd.fast);
          const dy = new Pair(backend, rows * cols, () => r());
          const dx = new Pair(backend, rows * cols);
          // dWeight and dBias accumulate onto what is there.
          const dw = affine ? new Pair(backend, cols, () => r()) : null;
          const db = affine ? new Pair(backend, cols, () => r()) : null;
          if (!call(backend, 'layerNormBackward', x.fast, w?.fast ?? null, mean.fast, rstd.fast, dy.fast, dx.fast, dw?.fast ?? null, db?.fast ?? null, rows, cols)) return 'skipped';
          ref('layerNormBackward', x.ref, w?.ref ?? null, mean.ref, rstd.ref, dy.ref, dx.ref, dw?.ref ?? null, db?.ref ?? null, rows, cols);
          assertClose(dx.fast, dx.ref, 'dx');
          if (dw && db) {
            assertClose(dw.fast, dw.ref, 'dWeight');
            assertClose(db.fast, db.ref, 'dBias');
          }
          return 'ok';
        },
      });
    }
    cases.push({
      kernel: 'crossEntropy',
      name: `crossEntropy ${rows}x${cols}`,
      run(backend) {
        const logits = new Pair(backend, rows * cols, () => r(-10, 10));
        const targets = ints(backend, Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? -100 : Math.floor(r(0, cols)))));
        const losses = new Pair(backend, rows), probs = new Pair(backend, rows * cols, () => 7);
        if (!call(backend, 'crossEntropy', logits.fast, targets, losses.fast, probs.fast, rows, cols, -100)) return 'skipped';
        ref('crossEntropy', logits.ref, targets, losses.ref, probs.ref, rows, cols, -100);
        assertClose(losses.fast, losses.ref, 'losses');
        assertClose(probs.fast, probs.ref, 'probs');
        return 'ok';
      },
    });
    cases.push({
      kernel: 'crossEntropyBackward',
      name: `crossEntropyBackward ${rows}x${cols}`,
      run(backend) {
        const probs = new Pair(backend, rows * cols, () => r(0, 1));
        const targets = ints(backend, Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? -100 : Math.floor(r(0, cols)))));
        const rowScale = new Pair(backend, rows, () => r(-2, 2)), dx = new Pair(backend, rows * cols, () => 7);
        if (!call(backend, 'crossEntropyBackward', probs.fast, targets, rowScale.fast, dx.fast, rows, cols, -100)) return 'skipped';
        ref('crossEntropyBackward', probs.ref, targets, rowScale.ref, dx.ref, rows, cols, -100);
        assertClose(dx.fast, dx.ref, 'dx');
        return 'ok';
      },
    });
  }

  const attShapes: Array<[number, number, number]> = [[1, 1, 1], [2, 5, 3], [3, 70, 16], [4, 130, 64], [1, 200, 8]];
  for (const [bh, t, d] of attShapes) {
    for (const causal of [true, false]) {
      cases.push({
        kernel: 'attention',
        name: `attention bh=${bh} t=${t} d=${d} causal=${causal}`,
        run(backend) {
          const size = bh * t * d;
          const q = new Pair(backend, size, () => r(-2, 2)), k = new Pair(backend, size, () => r(-2, 2));
          const v = new Pair(backend, size, () => r());
          const out = new Pair(backend, size), att = new Pair(backend, bh * t * t, () => 9);
          const scale = 1 / Math.sqrt(d);
          if (!call(backend, 'attention', q.fast, k.fast, v.fast, out.fast, att.fast, bh, t, d, scale, causal)) return 'skipped';
          ref('attention', q.ref, k.ref, v.ref, out.ref, att.ref, bh, t, d, scale, causal);
          assertClose(out.fast, out.ref, 'out');
          assertClose(att.fast, att.ref, 'att');
          return 'ok';
        },
      });
      cases.push({
        kernel: 'attentionBackward',
        name: `attentionBackward bh=${bh} t=${t} d=${d} causal=${causal}`,
        run(backend) {
          const size = bh * t * d;
          const q = new Pair(backend, size, () => r(-2, 2)), k = new Pair(backend, size, () => r(-2, 2));
          const v = new Pair(backend, size, () => r());
          const scale = 1 / Math.sqrt(d);
          const att = new Pair(backend, bh * t * t);
          jsKernels.attention(q.ref, k.ref, v.ref, new Float64Array(size), att.ref, bh, t, d, scale, causal);
          att.fast.set(att.ref);
          att.ref.set(att.fast);
          const dOut = new Pair(backend, size, () => r());
          const dq = new Pair(backend, size, () => 5), dk = new Pair(backend, size, () => 5), dv = new Pair(backend, size, () => 5);
          if (!call(backend, 'attentionBackward', q.fast, k.fast, v.fast, att.fast, dOut.fast, dq.fast, dk.fast, dv.fast, bh, t, d, scale, causal)) return 'skipped';
          ref('attentionBackward', q.ref, k.ref, v.ref, att.ref, dOut.ref, dq.ref, dk.ref, dv.ref, bh, t, d, scale, causal);
          assertClose(dq.fast, dq.ref, 'dq');
          assertClose(dk.fast, dk.ref, 'dk');
          assertClose(dv.fast, dv.ref, 'dv');
          return 'ok';
        },
      });
    }
  }

  // Packed GPT layout (B, T, 3C) -> (B, T, C): strided heads in place.
  for (const [batch, t, nHead, headDim] of [[1, 1, 1, 1], [2, 5, 3, 4], [3, 70, 4, 16], [2, 130, 2, 32]] as const) {
    const c = nHead * headDim;
    const scale = 1 / Math.sqrt(headDim);
    const shape = `batch=${batch} t=${t} heads=${nHead} d=${headDim}`;
    cases.push({
      kernel: 'packedAttention',
      name: `packedAttention ${shape}`,
      run(backend) {
        const qkv = new Pair(backend, batch * t * 3 * c, () => r(-2, 2));
        const out = new Pair(backend, batch * t * c, () => 3), att = new Pair(backend, batch * nHead * t * t, () => 9);
        if (!call(backend, 'packedAttention', qkv.fast, out.fast, att.fast, batch, t, nHead, headDim, scale)) return 'skipped';
        ref('packedAttention', qkv.ref, out.ref, att.ref, batch, t, nHead, headDim, scale);
        assertClose(out.fast, out.ref, 'out');
        assertClose(att.fast, att.ref, 'att');
        return 'ok';
      },
    });
    cases.push({
      kernel: 'packedAttentionBackward',
      name: `packedAttentionBackward ${shape}`,
      run(backend) {
        const qkv = new Pair(backend, batch * t * 3 * c, () => r(-2, 2));
        const att = new Pair(backend, batch * nHead * t * t);
        jsKernels.packedAttention(qkv.ref, new Float64Array(batch * t * c), att.ref, batch, t, nHead, headDim, scale);
        att.fast.set(att.ref);
        att.ref.set(att.fast);
        const dOut = new Pair(backend, batch * t * c, () => r());
        const dqkv = new Pair(backend, batch * t * 3 * c, () => 5);
        if (!call(backend, 'packedAttentionBackward', qkv.fast, att.fast, dOut.fast, dqkv.fast, batch, t, nHead, headDim, scale)) return 'skipped';
        ref('packedAttentionBackward', qkv.ref, att.ref, dOut.ref, dqkv.ref, batch, t, nHead, headDim, scale);
        assertClose(dqkv.fast, dqkv.ref, 'dqkv');
        return 'ok';
      },
    });
  }

  for (const [rows, dim, count] of [[50, 7, 20], [1000, 64, 513]] as const) {
    cases.push({
      kernel: 'embedding',
      name: `embedding ${rows}x${dim} ids=${count}`,
      run(backend) {
        const table = new Pair(backend, rows * dim, () => r());
        // Repeated ids on purpose: the backward must add, not overwrite.
        const ids = ints(backend, Array.from({ length: count }, (_, i) => (i * 7919) % Math.min(rows, count / 2 + 1)));
        const out = new Pair(backend, count * dim);
        if (!call(backend, 'embedding', table.fast, ids, out.fast, dim)) return 'skipped';
        ref('embedding', table.ref, ids, out.ref, dim);
        assertClose(out.fast, out.ref, 'out', 0, 0);
        return 'ok';
      },
    });
    cases.push({
      kernel: 'embeddingBackward',
      name: `embeddingBackward ${rows}x${dim} ids=${count}`,
      run(backend) {
        const g = new Pair(backend, count * dim, () => r());
        const ids = ints(backend, Array.from({ length: count }, (_, i) => (i * 7919) % Math.min(rows, count / 2 + 1)));
        const dTable = new Pair(backend, rows * dim, () => r());
        if (!call(backend, 'embeddingBackward', g.fast, ids, dTable.fast, dim)) return 'skipped';
        ref('embeddingBackward', g.ref, ids, dTable.ref, dim);
        assertClose(dTable.fast, dTable.ref, 'dTable');
        return 'ok';
      },
    });
  }

  // The KV-cache decoding step: prefill (t > 1) and one token per sequence at different lengths.
  for (const [batch, t, nHead, headDim, blockSize, offsets] of [
    [1, 4, 2, 8, 16, [0]], [2, 1, 3, 20, 17, [5, 0]], [3, 1, 4, 64, 130, [129, 7, 64]],
  ] as Array<[number, number, number, number, number, number[]]>) {
    cases.push({
      kernel: 'decodeAttention',
      name: `decodeAttention b${batch} t${t} h${nHead} d${headDim} block ${blockSize}`,
      run(backend) {
        const C = nHead * headDim;
        const p = { batch, t, nHead, headDim, blockSize, offsets, scale: 1 / Math.sqrt(headDim) };
        const qkv = new Pair(backend, batch * t * 3 * C, () => r());
        const ks = offsets.map(() => new Pair(backend, nHead * blockSize * headDim, () => r()));
        const vs = offsets.map(() => new Pair(backend, nHead * blockSize * headDim, () => r()));
        const out = new Pair(backend, batch * t * C, () => r());
        if (!call(backend, 'decodeAttention', qkv.fast, ks.map((k) => k.fast), vs.map((v) => v.fast), out.fast, p)) return 'skipped';
        ref('decodeAttention', qkv.ref, ks.map((k) => k.ref), vs.map((v) => v.ref), out.ref, p);
        assertClose(out.fast, out.ref, 'out');
        ks.forEach((k, i) => assertClose(k.fast, k.ref, `k cache ${i}`));
        vs.forEach((v, i) => assertClose(v.fast, v.ref, `v cache ${i}`));
        return 'ok';
      },
    });
  }

  for (const n of [1, 1003, 200003]) {
    for (const step of [1, 10]) {
      cases.push({
        kernel: 'adamw',
        name: `adamw n=${n} step=${step}`,
        run(backend) {
          const p = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step };
          const param = new Pair(backend, n, () => r()), grad = new Pair(backend, n, () => r(-0.1, 0.1));
          const m = new Pair(backend, n, () => r(-0.01, 0.01)), v = new Pair(backend, n, () => r(0, 1e-4));
          if (!call(backend, 'adamw', param.fast, grad.fast, m.fast, v.fast, p)) return 'skipped';
          ref('adamw', param.ref, grad.ref, m.ref, v.ref, p);
          assertClose(param.fast, param.ref, 'param', 1e-5, 1e-6);
          assertClose(m.fast, m.ref, 'm');
          assertClose(v.fast, v.ref, 'v');
          return 'ok';
        },
      });
    }
  }
  return cases;
}

