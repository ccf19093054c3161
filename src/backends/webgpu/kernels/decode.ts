// Decoding kernels: one KV-cache attention step straight from the packed projection, and the int8
// weight-only linear layer.

import type { DecodeAttentionParams } from '../../backend.js';
import type { GpuInt8, GpuStorage } from '../memory.js';
import { groups1d } from '../runtime.js';
import { type GpuCtx, ONE_D, requireF32 } from './common.js';

const MAX_D = 512;

// One workgroup per (position t, head h) of one sequence. It writes this position's key and value
// into the cache and attends over keys 0..offset+t: those before `offset` from the cache, the new ones
// straight from qkv, so no workgroup reads a cache row another one is writing in the same dispatch.
// Params: T, H, D, blockSize, offset, scale, row0 (first qkv row of the sequence).
const decodeSpec = {
  name: 'decode_attention',
  bindings: [
    { name: 'QKV', type: 'f32' as const }, { name: 'KC', type: 'f32' as const, write: true },
    { name: 'VC', type: 'f32' as const, write: true }, { name: 'OUT', type: 'f32' as const, write: true },
  ],
  body: `
var<workgroup> qs: array<f32, ${MAX_D}>;
var<workgroup> ps: array<f32, 128>;
var<workgroup> red: array<f32, 128>;
fn wgReduce(li: u32, v: f32, isMax: bool) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var w = 64u; w > 0u; w >>= 1u) {
    if (li < w) { red[li] = select(red[li] + red[li + w], max(red[li], red[li + w]), isMax); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let T = pu(0u); let H = pu(1u); let D = pu(2u); let bs = pu(3u); let off = pu(4u); let scale = pf(5u); let row0 = pu(6u);
  let idx = wgIndex(wg, nwg);
  if (idx >= T * H) { return; }
  let t = idx / H;
  let h = idx % H;
  let C = H * D;
  let row = (row0 + t) * 3u * C;
  for (var c = li; c < D; c += 128u) {
    qs[c] = QKV[row + h * D + c] * scale;
    KC[(h * bs + off + t) * D + c] = QKV[row + C + h * D + c];
    VC[(h * bs + off + t) * D + c] = QKV[row + 2u * C + h * D + c];
  }
  workgroupBarrier();
  let limit = off + t + 1u;
  var m = negInf();
  var l = 0.0;
  var acc: array<f32, ${MAX_D / 128}>;
  for (var s = 0u; s < ${MAX_D / 128}u; s++) { acc[s] = 0.0; }
  for (var j0 = 0u; j0 < limit; j0 += 128u) {
    let j = j0 + li;
    var sc = negInf();
    if (j < limit) {
      var dot = 0.0;
      if (j < off) {
        let ka = (h * bs + j) * D;
        for (var c = 0u; c < D; c++) { dot += qs[c] * KC[ka + c]; }
      } else {
        let ka = (row0 + j - off) * 3u * C + C + h * D;
        for (var c = 0u; c < D; c++) { dot += qs[c] * QKV[ka + c]; }
      }
      sc = dot;
    }
    let tm = max(m, wgReduce(li, sc, true));
    let p = select(0.0, exp(sc - tm), j < limit);
    ps[li] = p;
    let corr = exp(m - tm);
    l = l * corr + wgReduce(li, p, false);
    m = tm;
    let n = min(128u, limit - j0);
    for (var s = 0u; s < ${MAX_D / 128}u; s++) {
      let c = li + s * 128u;
      if (c < D) {
        var a = acc[s] * corr;
        for (var jj = 0u; jj < n; jj++) {
          let jn = j0 + jj;
          var vv = 0.0;
          if (jn < off) { vv = VC[(h * bs + jn) * D + c]; } else { vv = QKV[(row0 + jn - off) * 3u * C + 2u * C + h * D + c]; }
          a += ps[jj] * vv;
        }
        acc[s] = a;
      }
    }
    workgroupBarrier();
  }
  for (var s = 0u; s < ${MAX_D / 128}u; s++) {
    let c = li + s * 128u;
    if (c < D) { OUT[(row0 + t) * C + h * D + c] = acc[s] / l; }
  }
}
`,
};

// Params: n = rows * nOut, nIn, nOut, hasBias (BIAS bound to SCALE when absent).
const linearInt8Spec = {
  name: 'linear_int8',
  bindings: [
    { name: 'X', type: 'f32' as const }, { name: 'Q', type: 'u32' as const }, { name: 'SCALE', type: 'f32' as const },
    { name: 'BIAS', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true },
  ],
  body: `${ONE_D}
  let nIn = pu(1u);
  let nOut = pu(2u);
  let r = i / nOut;
  let j = i % nOut;
  var s = 0.0;
  for (var k = 0u; k < nIn; k++) {
    let b = j * nIn + k;
    let q = extractBits(bitcast<i32>(Q[b >> 2u]), (b & 3u) * 8u, 8u);
    s += X[r * nIn + k] * f32(q);
  }
  OUT[i] = s * SCALE[j] + select(0.0, BIAS[j], pu(3u) != 0u);
}
`,
};

/** KV-cache decoding and int8 linear. */
export function decodeKernels(ctx: GpuCtx) {
  return {
    decodeAttention(qkv: GpuStorage, kCaches: readonly GpuStorage[], vCaches: readonly GpuStorage[], out: GpuStorage, p: DecodeAttentionParams): boolean {
      requireF32('decodeAttention', qkv, out, ...kCaches, ...vCaches);
      if (p.headDim > MAX_D) throw new Error(`webgpu: decodeAttention supports head dimensions up to ${MAX_D}, got ${p.headDim}`);
      if (p.t * p.nHead === 0) return true;
      for (let b = 0; b < p.batch; b++) {
        const off = p.offsets[b]!;
        if (off + p.t > p.blockSize) throw new Error(`webgpu: decodeAttention: sequence ${b} at ${off} + ${p.t} passes the cache of ${p.blockSize}`);
        ctx.rt.params().u(p.t).u(p.nHead).u(p.headDim).u(p.blockSize).u(off).f(p.scale).u(b * p.t);
        ctx.rt.dispatch(decodeSpec, [qkv, kCaches[b]!, vCaches[b]!, out], groups1d(p.t * p.nHead, 1));
      }
      return true;
    },
    linearInt8(x: GpuStorage, q: GpuInt8, scale: GpuStorage, bias: GpuStorage | null, out: GpuStorage, rows: number, nIn: number, nOut: number): boolean {
      requireF32('linearInt8', x, scale, bias, out);
      const n = rows * nOut;
      if (n === 0) return true;
      ctx.rt.params().u(n).u(nIn).u(nOut).u(bias ? 1 : 0);
      ctx.rt.dispatch(linearInt8Spec, [x, q, scale, bias ?? scale, out], groups1d(n, 256));
      return true;
    },
  };
}
