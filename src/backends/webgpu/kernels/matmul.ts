// Register-tiled fp32 GEMM: each workgroup of 256 threads computes a BM x BN tile of out[b] =
// op(A[b]) @ op(B[b]) over BK-deep slices staged in workgroup memory as vec4 rows; each thread keeps a
// TM x TN block of accumulators and prefetches its share of the next slice into registers while it
// multiplies the current one. Edges that are not tile multiples read zeros and skip their stores.

import type { MatmulParams } from '../../backend.js';
import type { GpuStorage } from '../memory.js';
import { type KernelSpec, groups1d } from '../runtime.js';
import { type GpuCtx, ONE_D, requireF32, run1d } from './common.js';

/** A tile shape: BM x BN outputs per workgroup, BK-deep slices, TM x TN per thread (256 threads). */
export interface GemmTile { bm: number; bn: number; bk: number; tm: number; tn: number }

export const TILE_LARGE: GemmTile = { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 };
export const TILE_SMALL: GemmTile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };

/**
 * WGSL of one GEMM variant. Threads form a 16 x 16 grid; a thread's rows are ty*4 + {0..3} in each of
 * the TM/4 bands BM/(TM/4) apart (same for columns), so its vec4 reads of a slice row are contiguous.
 */
export function gemmSource(t: GemmTile, transA: boolean, transB: boolean, vecA = false, vecB = false): string {
  const { bm, bn, bk, tm, tn } = t;
  const ga = tm / 4; // row bands per thread
  const gb = tn / 4;
  const la = (bm * bk) / 256; // A elements each thread loads per slice
  const lb = (bn * bk) / 256;
  // Everything indexed by a loop counter is unrolled here, so accumulators and prefetched values
  // are plain variables (registers), never arrays a shader compiler might leave in local memory.
  const rep = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('\n');
  // Coalesced loads: consecutive threads walk the dimension that is contiguous in memory.
  const aPos = (s: number): string => transA
    ? `{ let e = li + ${s * 256}u; let row = e % ${bm}u; let kk = e / ${bm}u; pa${s} = select(0.0, A[aBase + (k1 + kk) * m + m0 + row], m0 + row < m && k1 + kk < kEnd); }`
    : `{ let e = li + ${s * 256}u; let kk = e % ${bk}u; let row = e / ${bk}u; pa${s} = select(0.0, A[aBase + (m0 + row) * K + k1 + kk], m0 + row < m && k1 + kk < kEnd); }`;
  const bPos = (s: number): string => transB
    ? `{ let e = li + ${s * 256}u; let kk = e % ${bk}u; let col = e / ${bk}u; pb${s} = select(0.0, B[bBase + (n0 + col) * K + k1 + kk], n0 + col < n && k1 + kk < kEnd); }`
    : `{ let e = li + ${s * 256}u; let col = e % ${bn}u; let kk = e / ${bn}u; pb${s} = select(0.0, B[bBase + (k1 + kk) * n + n0 + col], n0 + col < n && k1 + kk < kEnd); }`;
  const aStore = (s: number): string => transA
    ? `{ let e = li + ${s * 256}u; let row = e % ${bm}u; let kk = e / ${bm}u; As[kk * ${bm / 4}u + row / 4u][row % 4u] = pa${s}; }`
    : `{ let e = li + ${s * 256}u; let kk = e % ${bk}u; let row = e / ${bk}u; As[kk * ${bm / 4}u + row / 4u][row % 4u] = pa${s}; }`;
  const bStore = (s: number): string => transB
    ? `{ let e = li + ${s * 256}u; let kk = e % ${bk}u; let col = e / ${bk}u; Bs[kk * ${bn / 4}u + col / 4u][col % 4u] = pb${s}; }`
    : `{ let e = li + ${s * 256}u; let col = e % ${bn}u; let kk = e / ${bn}u; Bs[kk * ${bn / 4}u + col / 4u][col % 4u] = pb${s}; }`;
  // vec4 variants (operand offset, strides and contiguous dimension multiples of 4): one 16-byte load
  // per thread per slice instead of four scalar ones. A vec4 runs along the contiguous dimension.
  const a4 = vecA ? (bm * bk) / 1024 : 0;
  const b4 = vecB ? (bn * bk) / 1024 : 0;
  const aPos4 = (s: number): string => transA
    ? `{ let e = li + ${s * 256}u; let rq = e % ${bm / 4}u; let kk = e / ${bm / 4}u; pa${s} = select(vec4<f32>(0.0), A[(aBase + (k1 + kk) * m + m0 + rq * 4u) / 4u], m0 + rq * 4u < m && k1 + kk < kEnd); }`
    : `{ let e = li + ${s * 256}u; let kq = e % ${bk / 4}u; let row = e / ${bk / 4}u; pa${s} = select(vec4<f32>(0.0), A[(aBase + (m0 + row) * K + k1 + kq * 4u) / 4u], m0 + row < m && k1 + kq * 4u < kEnd); }`;
  const aStore4 = (s: number): string => transA
    ? `{ let e = li + ${s * 256}u; let rq = e % ${bm / 4}u; let kk = e / ${bm / 4}u; As[kk * ${bm / 4}u + rq] = pa${s}; }`
    : `{ let e = li + ${s * 256}u; let kq = e % ${bk / 4}u; let row = e / ${bk / 4}u; ${[0, 1, 2, 3].map((i) => `As[(kq * 4u + ${i}u) * ${bm / 4}u + row / 4u][row % 4u] = pa${s}[${i}];`).join(' ')} }`;
  const bPos4 = (s: number): string => transB
    ? `{ let e = li + ${s * 256}u; let kq = e % ${bk / 4}u; let col = e / ${bk / 4}u; pb${s} = select(vec4<f32>(0.0), B[(bBase + (n0 + col) * K + k1 + kq * 4u) / 4u], n0 + col < n && k1 + kq * 4u < kEnd); }`
    : `{ let e = li + ${s * 256}u; let cq = e % ${bn / 4}u; let kk = e / ${bn / 4}u; pb${s} = select(vec4<f32>(0.0), B[(bBase + (k1 + kk) * n + n0 + cq * 4u) / 4u], n0 + cq * 4u < n && k1 + kk < kEnd); }`;
  const bStore4 = (s: number): string => transB
    ? `{ let e = li + ${s * 256}u; let kq = e % ${bk / 4}u; let col = e / ${bk / 4}u; ${[0, 1, 2, 3].map((i) => `Bs[(kq * 4u + ${i}u) * ${bn / 4}u + col / 4u][col % 4u] = pb${s}[${i}];`).join(' ')} }`
    : `{ let e = li + ${s * 256}u; let cq = e % ${bn / 4}u; let kk = e / ${bn / 4}u; Bs[kk * ${bn / 4}u + cq] = pb${s}; }`;
  const nA = vecA ? a4 : la;
  const nB = vecB ? b4 : lb;
  const loadA = vecA ? aPos4 : aPos;
  const loadB = vecB ? bPos4 : bPos;
  const storeA = vecA ? aStore4 : aStore;
  const storeB = vecB ? bStore4 : bStore;
  const acc = (g: number, r: number, h: number): string => `acc_${g * 4 + r}_${h}`;
  const fmas = rep(ga, (g) => rep(4, (r) => rep(gb, (h) => `      ${acc(g, r, h)} = fma(vec4<f32>(a${g}[${r}]), b${h}, ${acc(g, r, h)});`)));
  const stores = rep(ga, (g) => rep(4, (r) => `  {
    let row = m0 + ${g * (bm / ga)}u + ty * 4u + ${r}u;
    if (row < m) {
${rep(gb, (h) => rep(4, (c) => `      { let col = n0 + ${h * (bn / gb)}u + tx * 4u + ${c}u; if (col < n) { let o = oBase + row * n + col; if (accumulate) { OUT[o] += ${acc(g, r, h)}[${c}]; } else { OUT[o] = ${acc(g, r, h)}[${c}]; } } }`))}
    }
  }`));
  return /* wgsl */ `
var<workgroup> As: array<vec4<f32>, ${(bk * bm) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(bk * bn) / 4}>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let m = pu(0u); let n = pu(1u); let K = pu(2u);
  // Split-K: wg.z runs over batch x S slices of K, each kChunk deep; with S > 1 the output is a
  // scratch of S partial products per matrix (wg.z-th), summed by a second kernel.
  let S = pu(9u);
  let b = wg.z / S;
  let kBegin = (wg.z % S) * pu(10u);
  let kEnd = min(K, kBegin + pu(10u));
  let aBase = pu(3u) + b * pu(5u);
  let bBase = pu(4u) + b * pu(6u);
  let oBase = wg.z * m * n;
  let m0 = wg.y * ${bm}u;
  let n0 = wg.x * ${bn}u;
  let tx = li % 16u;
  let ty = li / 16u;
${rep(ga, (g) => rep(4, (r) => rep(gb, (h) => `  var ${acc(g, r, h)} = vec4<f32>(0.0);`)))}
${rep(nA, (s) => `  var pa${s} = ${vecA ? 'vec4<f32>(0.0)' : '0.0'};`)}
${rep(nB, (s) => `  var pb${s} = ${vecB ? 'vec4<f32>(0.0)' : '0.0'};`)}
  var k1 = kBegin; // the slice being prefetched
${rep(nA, (s) => `  ${loadA(s)}`)}
${rep(nB, (s) => `  ${loadB(s)}`)}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${bk}u) {
${rep(nA, (s) => `    ${storeA(s)}`)}
${rep(nB, (s) => `    ${storeB(s)}`)}
    workgroupBarrier();
    // Prefetch the next slice while this one is multiplied.
    k1 = k0 + ${bk}u;
    if (k1 < kEnd) {
${rep(nA, (s) => `      ${loadA(s)}`)}
${rep(nB, (s) => `      ${loadB(s)}`)}
    }
    for (var kk = 0u; kk < ${bk}u; kk++) {
${rep(ga, (g) => `      let a${g} = As[kk * ${bm / 4}u + ${g * (bm / 4 / ga)}u + ty];`)}
${rep(gb, (h) => `      let b${h} = Bs[kk * ${bn / 4}u + ${h * (bn / 4 / gb)}u + tx];`)}
${fmas}
    }
    workgroupBarrier();
  }
  let accumulate = pu(7u) != 0u;
${stores}
}
`;
}

/**
 * One thread per output element, no workgroup memory: for thin products (decoding's one row, tiny
 * layers), where a 64 x 64 tile would leave most of its threads idle and its barriers cost more than
 * the arithmetic. Params as the tiled kernel, plus n*m at word 8.
 */
function simpleSource(transA: boolean, transB: boolean): string {
  const a = transA ? 'A[aBase + q * m + row]' : 'A[aBase + row * K + q]';
  const b = transB ? 'B[bBase + col * K + q]' : 'B[bBase + q * n + col]';
  return /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let m = pu(0u); let n = pu(1u); let K = pu(2u);
  let i = wgIndex(wg, nwg) * 256u + li;
  let total = pu(8u);
  if (i >= total) { return; }
  let b = i / (m * n);
  let row = (i / n) % m;
  let col = i % n;
  let aBase = pu(3u) + b * pu(5u);
  let bBase = pu(4u) + b * pu(6u);
  var s = 0.0;
  for (var q = 0u; q < K; q++) { s = fma(${a}, ${b}, s); }
  if (pu(7u) != 0u) { OUT[i] += s; } else { OUT[i] = s; }
}
`;
}

/** A GEMM variant: a register tile, or 'simple' (one thread per output). */
export type GemmVariant = GemmTile | 'simple';

const specs = new Map<string, KernelSpec>();
function simpleSpec(transA: boolean, transB: boolean): KernelSpec {
  const key = `gemm_simple_${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
  let s = specs.get(key);
  if (!s) {
    s = { name: key, bindings: [{ name: 'A', type: 'f32' }, { name: 'B', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }], body: simpleSource(transA, transB) };
    specs.set(key, s);
  }
  return s;
}
function gemmSpec(t: GemmTile, transA: boolean, transB: boolean, vecA: boolean, vecB: boolean): KernelSpec {
  const key = `gemm_${t.bm}x${t.bn}x${t.bk}_${t.tm}x${t.tn}_${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}${vecA ? '_va' : ''}${vecB ? '_vb' : ''}`;
  let s = specs.get(key);
  if (!s) {
    s = {
      name: key,
      bindings: [{ name: 'A', type: vecA ? 'vec4<f32>' : 'f32' }, { name: 'B', type: vecB ? 'vec4<f32>' : 'f32' }, { name: 'OUT', type: 'f32', write: true }],
      body: gemmSource(t, transA, transB, vecA, vecB),
    };
    specs.set(key, s);
  }
  return s;
}

/** Whether A and B can be read as vec4s: offsets, batch strides and their contiguous dimension multiples of 4. */
export function vec4Operands(p: MatmulParams): [boolean, boolean] {
  const four = (...xs: number[]): boolean => xs.every((x) => x % 4 === 0);
  return [four(p.aOffset, p.aBatchStride, p.transA ? p.m : p.k), four(p.bOffset, p.bBatchStride, p.transB ? p.k : p.n)];
}

/**
 * The variant for a problem: thin or tiny products one thread per output, the large tile when it
 * still gives a few waves of workgroups, else the small one.
 */
export function chooseTile(p: MatmulParams, minGroups = 256): GemmVariant {
  // (A row of ones times g, a bias gradient, has m = 1 and K = every token: tiles split over K serve it better.)
  if ((p.m <= 8 && p.k <= 2048) || p.m * p.n * p.k <= 2 ** 18) return 'simple';
  const large = Math.ceil(p.m / 128) * Math.ceil(p.n / 128) * p.batch;
  return large >= minGroups ? TILE_LARGE : TILE_SMALL;
}

/** An f16 GEMM on the same storage and params (see matmul-f16.ts). */
type F16Gemm = (a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams) => void;

/**
 * The matmul kernel of the table: fp32, or with `precision: 'mixed'` and an f16 GEMM (tensor cores)
 * the f16 one for every product but the thin ones.
 */
export function matmulKernels(ctx: GpuCtx, f16: F16Gemm | null = null) {
  return {
    matmul(a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams, tile?: GemmVariant, vec4 = true): boolean {
      requireF32('matmul', a, b, out);
      if (p.batch * p.m * p.n === 0) return true;
      if (p.batch > 65535) throw new Error(`webgpu: matmul batch ${p.batch} exceeds 65535`);
      const t = tile ?? chooseTile(p);
      if (f16 && p.precision === 'mixed' && p.k > 0 && t !== 'simple') {
        f16(a, b, out, p);
        return true;
      }
      if (p.k === 0) {
        // An empty sum: zeros, or out unchanged when accumulating.
        if (!p.accumulate) ctx.rt.params().u(p.batch * p.m * p.n);
        else return true;
      } else {
        const split = t === 'simple' ? null : splitK(p, t);
        if (split && t !== 'simple' && split.splits > 1) {
          splitGemm(a, b, out, p, t, split, vec4);
          return true;
        }
        ctx.rt.params().u(p.m).u(p.n).u(p.k).u(p.aOffset).u(p.bOffset).u(p.aBatchStride).u(p.bBatchStride).u(p.accumulate ? 1 : 0).u(p.batch * p.m * p.n).u(1).u(p.k);
      }
      if (p.k === 0) {
        ctx.rt.dispatch(ZERO, [out], groups1d(p.batch * p.m * p.n, 256));
        return true;
      }
      if (t === 'simple') ctx.rt.dispatch(simpleSpec(p.transA, p.transB), [a, b, out], groups1d(p.batch * p.m * p.n, 256));
      else tiled(a, b, out, p, t, 1, vec4);
      return true;
    },
  };

  function tiled(a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams, t: GemmTile, splits: number, vec4: boolean): void {
    let [vecA, vecB] = vec4 ? vec4Operands(p) : [false, false];
    if (a.buffer === b.buffer && a.offset === b.offset && vecA !== vecB) vecA = vecB = false; // one binding, one element type
    ctx.rt.dispatch(gemmSpec(t, p.transA, p.transB, vecA, vecB), [a, b, out], [Math.ceil(p.n / t.bn), Math.ceil(p.m / t.bm), p.batch * splits]);
  }

  /** Partial products over K slices into a scratch, then their sum into out. */
  function splitGemm(a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams, t: GemmTile, s: { splits: number; chunk: number }, vec4: boolean): void {
    const mn = p.m * p.n;
    const partials = ctx.pool.take('float32', p.batch * s.splits * mn, 4).storage;
    ctx.rt.params().u(p.m).u(p.n).u(p.k).u(p.aOffset).u(p.bOffset).u(p.aBatchStride).u(p.bBatchStride).u(0).u(p.batch * mn).u(s.splits).u(s.chunk);
    tiled(a, b, partials, p, t, s.splits, vec4);
    run1d(ctx, SPLIT_SUM, [partials, out], p.batch * mn, (w) => w.u(mn).u(s.splits).u(p.accumulate ? 1 : 0));
  }
}

/**
 * How many K slices for a product with too few output tiles to fill the GPU (a weight gradient:
 * small m x n, K = all the tokens of a batch): enough to make ~256 workgroups, each slice at least
 * 256 deep and a multiple of 16 (so slices start on vec4 and tile boundaries).
 */
export function splitK(p: MatmulParams, t: GemmTile): { splits: number; chunk: number } {
  const tiles = Math.ceil(p.m / t.bm) * Math.ceil(p.n / t.bn) * p.batch;
  if (tiles >= 128 || p.k < 1024) return { splits: 1, chunk: p.k };
  const want = Math.min(Math.ceil(256 / tiles), Math.floor(p.k / 256), Math.floor(65535 / p.batch));
  if (want <= 1) return { splits: 1, chunk: p.k };
  const chunk = Math.ceil(p.k / want / 16) * 16;
  return { splits: Math.ceil(p.k / chunk), chunk };
}

// Params: n = batch * m * n, mn, S, accumulate.
const SPLIT_SUM: KernelSpec = {
  name: 'gemm_split_sum',
  bindings: [{ name: 'P', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }],
  body: `${ONE_D}
  let mn = pu(1u);
  let S = pu(2u);
  let b = i / mn;
  let r = i % mn;
  var s = 0.0;
  for (var sp = 0u; sp < S; sp++) { s += P[(b * S + sp) * mn + r]; }
  if (pu(3u) != 0u) { OUT[i] += s; } else { OUT[i] = s; }
}
`,
};

const ZERO: KernelSpec = {
  name: 'gemm_zero',
  bindings: [{ name: 'OUT', type: 'f32', write: true }],
  body: `${ONE_D}  OUT[i] = 0.0;\n}\n`,
};
