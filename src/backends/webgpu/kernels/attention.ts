// Fused attention that never writes the T x T matrix (FlashAttention-2, Dao 2023): the forward keeps a
// running max and sum per query row over key tiles and saves each row's log-sum-exp; the backward
// recomputes the probabilities from it. One kernel serves (B*H, T, D) tensors and the packed
// (B, T, 3C) GPT projection: every operand is addressed as base + b*batch + h*head + row*rowStride + c.
// On this device the `att` buffer of the kernel table holds the log-sum-exp per row (bh * t floats),
// not the probabilities.

import type { GpuStorage } from '../memory.js';
import type { KernelSpec } from '../runtime.js';
import { type GpuCtx, requireF32 } from './common.js';

const BR = 64; // query rows per workgroup, one per thread

/** Keys per shared tile: K and V tiles of BC x D floats stay within 16 KiB. */
function tileKeys(d: number): number {
  return Math.max(4, Math.min(32, Math.floor(2048 / d)));
}

/** Where one operand lives: offset, batch stride, head stride, row stride (in floats). */
interface Layout { off: number; batch: number; head: number; row: number }

const ADDRESS = /* wgsl */ `
// Layouts start at parameter word w: off, batch stride, head stride, row stride.
fn addr(w: u32, hh: u32, i: u32) -> u32 {
  let nh = pu(1u);
  return pu(w) + (hh / nh) * pu(w + 1u) + (hh % nh) * pu(w + 2u) + i * pu(w + 3u);
}
`;
// Params: t, nHead, scale, causal, then layouts q @4, k @8, v @12, o @16.
const forwardSpec = new Map<number, KernelSpec>();
function forward(d: number): KernelSpec {
  let s = forwardSpec.get(d);
  if (s) return s;
  const bc = tileKeys(d);
  s = {
    name: `flash_forward_${d}`,
    bindings: [
      { name: 'Q', type: 'f32' }, { name: 'K', type: 'f32' }, { name: 'V', type: 'f32' },
      { name: 'O', type: 'f32', write: true }, { name: 'LSE', type: 'f32', write: true },
    ],
    body: `const D: u32 = ${d}u;
const BC: u32 = ${bc}u;
${ADDRESS}
var<workgroup> ks: array<f32, ${bc * d}>;
var<workgroup> vs: array<f32, ${bc * d}>;
@compute @workgroup_size(${BR})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = pu(0u);
  let scale = pf(2u);
  let causal = pu(3u) != 0u;
  let hh = wg.y;
  let q0 = wg.x * ${BR}u;
  let i = q0 + li;
  let valid = i < t;
  var q: array<f32, ${d}>;
  var acc: array<f32, ${d}>;
  if (valid) {
    let qa = addr(4u, hh, i);
    for (var c = 0u; c < D; c++) { q[c] = Q[qa + c] * scale; acc[c] = 0.0; }
  }
  var m = negInf();
  var l = 0.0;
  var end = t;
  if (causal) { end = min(t, q0 + ${BR}u); }
  for (var k0 = 0u; k0 < end; k0 += BC) {
    for (var e = li; e < BC * D; e += ${BR}u) {
      let j = k0 + e / D;
      if (j < t) {
        ks[e] = K[addr(8u, hh, j) + e % D];
        vs[e] = V[addr(12u, hh, j) + e % D];
      }
    }
    workgroupBarrier();
    if (valid) {
      var jEnd = min(BC, t - k0);
      if (causal) { jEnd = select(0u, min(jEnd, i + 1u - k0), i + 1u > k0); }
      var sc: array<f32, ${bc}>;
      var tm = m;
      for (var j = 0u; j < jEnd; j++) {
        var dot = 0.0;
        for (var c = 0u; c < D; c++) { dot += q[c] * ks[j * D + c]; }
        sc[j] = dot;
        tm = max(tm, dot);
      }
      if (jEnd > 0u) {
        let corr = exp(m - tm);
        l *= corr;
        for (var c = 0u; c < D; c++) { acc[c] *= corr; }
        m = tm;
        for (var j = 0u; j < jEnd; j++) {
          let p = exp(sc[j] - m);
          l += p;
          for (var c = 0u; c < D; c++) { acc[c] += p * vs[j * D + c]; }
        }
      }
    }
    workgroupBarrier();
  }
  if (valid) {
    let oa = addr(16u, hh, i);
    let inv = 1.0 / l;
    for (var c = 0u; c < D; c++) { O[oa + c] = acc[c] * inv; }
    LSE[hh * t + i] = m + log(l);
  }
}
`,
  };
  forwardSpec.set(d, s);
  return s;
}

// dQ and the row terms Di = sum_j P_ij dP_ij, one thread per query row, two passes over the keys;
// the query and dO rows sit in workgroup memory (padded rows), dQ in registers.
// Params as the forward, with dO @16 and dQ @20.
const dqSpec = new Map<number, KernelSpec>();
function backwardQ(d: number): KernelSpec {
  let s = dqSpec.get(d);
  if (s) return s;
  const bc = Math.max(4, Math.min(32, Math.floor(1024 / d)));
  const br = kvRows(d);
  s = {
    name: `flash_backward_q_${d}`,
    bindings: [
      { name: 'Q', type: 'f32' }, { name: 'K', type: 'f32' }, { name: 'V', type: 'f32' }, { name: 'DO', type: 'f32' },
      { name: 'LSE', type: 'f32' }, { name: 'DI', type: 'f32', write: true }, { name: 'DQ', type: 'f32', write: true },
    ],
    body: `const D: u32 = ${d}u;
const DP: u32 = ${d + 1}u;
const BC: u32 = ${bc}u;
const BRQ: u32 = ${br}u;
${ADDRESS}
var<workgroup> ks: array<f32, ${bc * d}>;
var<workgroup> vs: array<f32, ${bc * d}>;
var<workgroup> qsh: array<f32, ${br * (d + 1)}>;
var<workgroup> gsh: array<f32, ${br * (d + 1)}>;
@compute @workgroup_size(${br})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = pu(0u);
  let scale = pf(2u);
  let causal = pu(3u) != 0u;
  let hh = wg.y;
  let q0 = wg.x * BRQ;
  let i = q0 + li;
  let valid = i < t;
  for (var e = li; e < BRQ * D; e += BRQ) {
    let r = e / D;
    let c = e % D;
    if (q0 + r < t) {
      qsh[r * DP + c] = Q[addr(4u, hh, q0 + r) + c] * scale;
      gsh[r * DP + c] = DO[addr(16u, hh, q0 + r) + c];
    }
  }
  let own = li * DP;
  var dq: array<f32, ${d}>;
  for (var c = 0u; c < D; c++) { dq[c] = 0.0; }
  var lse = 0.0;
  if (valid) { lse = LSE[hh * t + i]; }
  var end = t;
  if (causal) { end = min(t, q0 + BRQ); }
  var di = 0.0;
  for (var sweep = 0u; sweep < 2u; sweep++) {
    for (var k0 = 0u; k0 < end; k0 += BC) {
      for (var e = li; e < BC * D; e += BRQ) {
        let j = k0 + e / D;
        if (j < t) {
          ks[e] = K[addr(8u, hh, j) + e % D];
          vs[e] = V[addr(12u, hh, j) + e % D];
        }
      }
      workgroupBarrier();
      if (valid) {
        var jEnd = min(BC, t - k0);
        if (causal) { jEnd = select(0u, min(jEnd, i + 1u - k0), i + 1u > k0); }
        for (var j = 0u; j < jEnd; j++) {
          var sdot = 0.0;
          var pdot = 0.0;
          for (var c = 0u; c < D; c++) { sdot += qsh[own + c] * ks[j * D + c]; pdot += gsh[own + c] * vs[j * D + c]; }
          let p = exp(sdot - lse);
          if (sweep == 0u) {
            di += p * pdot;
          } else {
            let ds = p * (pdot - di) * scale;
            for (var c = 0u; c < D; c++) { dq[c] += ds * ks[j * D + c]; }
          }
        }
      }
      workgroupBarrier();
    }
  }
  if (valid) {
    DI[hh * t + i] = di;
    let qa = addr(20u, hh, i);
    for (var c = 0u; c < D; c++) { DQ[qa + c] = dq[c]; }
  }
}
`,
  };
  dqSpec.set(d, s);
  return s;
}

// dK and dV, one thread per key row, over the query tiles at or below it (causal). The key and value
// rows sit in workgroup memory (rows padded to D + 1 floats, so threads reading their own rows hit
// different banks), leaving registers to the two accumulators: four D-long arrays per thread spilled.
// Params as the forward, with dO @16, dK @20, dV @24.
/** Key rows per workgroup in the dK/dV kernel (keeps its workgroup memory near 25 KiB). */
export function kvRows(d: number): number {
  return d <= 64 ? 32 : d <= 128 ? 16 : 8;
}
const dkvSpec = new Map<number, KernelSpec>();
function backwardKV(d: number): KernelSpec {
  let s = dkvSpec.get(d);
  if (s) return s;
  const bc = Math.max(4, Math.min(32, Math.floor(1024 / d)));
  const br = kvRows(d);
  s = {
    name: `flash_backward_kv_${d}`,
    bindings: [
      { name: 'Q', type: 'f32' }, { name: 'K', type: 'f32' }, { name: 'V', type: 'f32' }, { name: 'DO', type: 'f32' },
      { name: 'LSE', type: 'f32' }, { name: 'DI', type: 'f32' }, { name: 'DK', type: 'f32', write: true }, { name: 'DV', type: 'f32', write: true },
    ],
    body: `const D: u32 = ${d}u;
const DP: u32 = ${d + 1}u;
const BC: u32 = ${bc}u;
const BRK: u32 = ${br}u;
${ADDRESS}
var<workgroup> qs: array<f32, ${bc * d}>;
var<workgroup> gs: array<f32, ${bc * d}>;
var<workgroup> ls: array<f32, ${bc}>;
var<workgroup> ds_: array<f32, ${bc}>;
var<workgroup> ksh: array<f32, ${br * (d + 1)}>;
var<workgroup> vsh: array<f32, ${br * (d + 1)}>;
@compute @workgroup_size(${br})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = pu(0u);
  let scale = pf(2u);
  let causal = pu(3u) != 0u;
  let hh = wg.y;
  let k0 = wg.x * BRK;
  let j = k0 + li;
  let valid = j < t;
  for (var e = li; e < BRK * D; e += BRK) {
    let r = e / D;
    let c = e % D;
    if (k0 + r < t) {
      ksh[r * DP + c] = K[addr(8u, hh, k0 + r) + c];
      vsh[r * DP + c] = V[addr(12u, hh, k0 + r) + c];
    }
  }
  var dk: array<f32, ${d}>;
  var dv: array<f32, ${d}>;
  for (var c = 0u; c < D; c++) { dk[c] = 0.0; dv[c] = 0.0; }
  let own = li * DP;
  var start = 0u;
  if (causal) { start = (k0 / BC) * BC; }
  for (var i0 = start; i0 < t; i0 += BC) {
    for (var e = li; e < BC * D; e += BRK) {
      let i = i0 + e / D;
      if (i < t) {
        qs[e] = Q[addr(4u, hh, i) + e % D] * scale;
        gs[e] = DO[addr(16u, hh, i) + e % D];
      }
    }
    for (var e = li; e < BC; e += BRK) {
      if (i0 + e < t) { ls[e] = LSE[hh * t + i0 + e]; ds_[e] = DI[hh * t + i0 + e]; }
    }
    workgroupBarrier();
    if (valid) {
      let iEnd = min(BC, t - i0);
      for (var ii = 0u; ii < iEnd; ii++) {
        if (causal && i0 + ii < j) { continue; }
        var sdot = 0.0;
        var pdot = 0.0;
        for (var c = 0u; c < D; c++) { sdot += qs[ii * D + c] * ksh[own + c]; pdot += gs[ii * D + c] * vsh[own + c]; }
        let p = exp(sdot - ls[ii]);
        let ds = p * (pdot - ds_[ii]);
        for (var c = 0u; c < D; c++) {
          dv[c] += p * gs[ii * D + c];
          dk[c] += ds * qs[ii * D + c];
        }
      }
    }
    workgroupBarrier();
  }
  if (valid) {
    let ka = addr(20u, hh, j);
    let va = addr(24u, hh, j);
    for (var c = 0u; c < D; c++) { DK[ka + c] = dk[c]; DV[va + c] = dv[c]; }
  }
}
`,
  };
  dkvSpec.set(d, s);
  return s;
}

type Writer = ReturnType<GpuCtx['rt']['params']>;
function layout(w: Writer, l: Layout): void {
  w.u(l.off).u(l.batch).u(l.head).u(l.row);
}

/** Flash attention over explicit layouts: the forward and the three-kernel backward. */
export function attentionKernels(ctx: GpuCtx) {
  const header = (t: number, nHead: number, scale: number, causal: boolean): Writer => ctx.rt.params().u(t).u(nHead).f(scale).u(causal ? 1 : 0);
  const fwd = (q: GpuStorage, k: GpuStorage, v: GpuStorage, o: GpuStorage, lse: GpuStorage, bh: number, t: number, d: number, nHead: number, scale: number, causal: boolean, L: Layout[]): void => {
    if (bh * t * d === 0) return;
    if (bh > 65535) throw new Error(`webgpu: attention over ${bh} heads x batch (at most 65535)`);
    const w = header(t, nHead, scale, causal);
    for (const l of L) layout(w, l);
    ctx.rt.dispatch(forward(d), [q, k, v, o, lse], [Math.ceil(t / BR), bh, 1]);
  };
  const bwd = (q: GpuStorage, k: GpuStorage, v: GpuStorage, lse: GpuStorage, dO: GpuStorage, dq: GpuStorage, dk: GpuStorage, dv: GpuStorage,
    bh: number, t: number, d: number, nHead: number, scale: number, causal: boolean, L: Layout[]): void => {
    if (bh * t * d === 0) return;
    const di = ctx.pool.take('float32', bh * t, 4).storage;
    // L: q, k, v, dO, dq, dk, dv
    let w = header(t, nHead, scale, causal);
    for (const l of [L[0]!, L[1]!, L[2]!, L[3]!, L[4]!]) layout(w, l);
    ctx.rt.dispatch(backwardQ(d), [q, k, v, dO, lse, di, dq], [Math.ceil(t / kvRows(d)), bh, 1]);
    w = header(t, nHead, scale, causal);
    for (const l of [L[0]!, L[1]!, L[2]!, L[3]!, L[5]!, L[6]!]) layout(w, l);
    ctx.rt.dispatch(backwardKV(d), [q, k, v, dO, lse, di, dk, dv], [Math.ceil(t / kvRows(d)), bh, 1]);
  };
  return {
    attention(q: GpuStorage, k: GpuStorage, v: GpuStorage, out: GpuStorage, att: GpuStorage, bh: number, t: number, d: number, scale: number, causal: boolean): boolean {
      requireF32('attention', q, k, v, out, att);
      const plain: Layout = { off: 0, batch: 0, head: t * d, row: d };
      fwd(q, k, v, out, att, bh, t, d, bh, scale, causal, [plain, plain, plain, plain]);
      return true;
    },
    attentionBackward(q: GpuStorage, k: GpuStorage, v: GpuStorage, att: GpuStorage, dOut: GpuStorage, dq: GpuStorage, dk: GpuStorage, dv: GpuStorage,
      bh: number, t: number, d: number, scale: number, causal: boolean): boolean {
      requireF32('attentionBackward', q, k, v, att, dOut, dq, dk, dv);
      const plain: Layout = { off: 0, batch: 0, head: t * d, row: d };
      bwd(q, k, v, att, dOut, dq, dk, dv, bh, t, d, bh, scale, causal, [plain, plain, plain, plain, plain, plain, plain]);
      return true;
    },
    packedAttention(qkv: GpuStorage, out: GpuStorage, att: GpuStorage, batch: number, t: number, nHead: number, headDim: number, scale: number): boolean {
      requireF32('packedAttention', qkv, out, att);
      const C = nHead * headDim;
      const part = (i: number): Layout => ({ off: i * C, batch: t * 3 * C, head: headDim, row: 3 * C });
      const o: Layout = { off: 0, batch: t * C, head: headDim, row: C };
      fwd(qkv, qkv, qkv, out, att, batch * nHead, t, headDim, nHead, scale, true, [part(0), part(1), part(2), o]);
      return true;
    },
    packedAttentionBackward(qkv: GpuStorage, att: GpuStorage, dOut: GpuStorage, dqkv: GpuStorage, batch: number, t: number, nHead: number, headDim: number, scale: number): boolean {
      requireF32('packedAttentionBackward', qkv, att, dOut, dqkv);
      const C = nHead * headDim;
      const part = (i: number): Layout => ({ off: i * C, batch: t * 3 * C, head: headDim, row: 3 * C });
      const o: Layout = { off: 0, batch: t * C, head: headDim, row: C };
      bwd(qkv, qkv, qkv, att, dOut, dqkv, dqkv, dqkv, batch * nHead, t, headDim, nHead, scale, true, [part(0), part(1), part(2), o, part(0), part(1), part(2)]);
      return true;
    },
  };
}
