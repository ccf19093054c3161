// Strided WGSL kernels: the general strided copy (permute, slice, broadcast, concat and their
// backwards) and broadcasting binary ops. Each thread decodes its index vector from the shape.

import type { BinaryKernel, BroadcastParams, StridedCopyParams } from '../../backend.js';
import type { GpuStorage } from '../memory.js';
import { groups1d } from '../runtime.js';
import { type GpuCtx, MATH, ONE_D, specCache, wgslType } from './common.js';
import { binaryExpr } from './elementwise.js';

const MAX_DIMS = 18;

// Params: n (threads), thread dims, reduce dims, xOffset, outOffset, accumulate, then per thread dim
// (shape, xStride, outStride), then per reduce dim (shape, xStride). Dims whose out stride is 0 (a
// broadcast's backward sums into one element) are looped inside one thread, so no two threads ever
// write the same element and no atomics are needed.
const copySpec = specCache((t: 'f32' | 'i32') => ({
  name: `copy_strided_${t}`,
  bindings: [{ name: 'X', type: t }, { name: 'OUT', type: t, write: true }],
  body: `${ONE_D}
  let nt = pu(1u);
  let nr = pu(2u);
  var xo = pi(3u);
  var oo = pi(4u);
  var idx = i;
  for (var d = i32(nt) - 1; d >= 0; d--) {
    let w = 6u + 3u * u32(d);
    let s = pu(w);
    let c = i32(idx % s);
    idx = idx / s;
    xo += c * pi(w + 1u);
    oo += c * pi(w + 2u);
  }
  let acc = pu(5u) != 0u;
  if (nr == 0u) {
    if (acc) { OUT[oo] += X[xo]; } else { OUT[oo] = X[xo]; }
    return;
  }
  let rb = 6u + 3u * nt;
  var total = 1u;
  for (var d = 0u; d < nr; d++) { total *= pu(rb + 2u * d); }
  var sum = ${t}(0);
  var last = xo;
  for (var r = 0u; r < total; r++) {
    var ri = r;
    var xr = xo;
    for (var d = i32(nr) - 1; d >= 0; d--) {
      let w = rb + 2u * u32(d);
      let s = pu(w);
      xr += i32(ri % s) * pi(w + 1u);
      ri = ri / s;
    }
    sum += X[xr];
    last = xr;
  }
  if (acc) { OUT[oo] += sum; } else if (total > 0u) { OUT[oo] = X[last]; }
}
`,
}));

// Params: n, rank, then per dim (shape, aStride, bStride).
const broadcastSpec = specCache((key: string) => {
  const [op, t] = key.split('_') as [BinaryKernel, 'f32' | 'i32'];
  return {
    name: `broadcast_${key}`,
    bindings: [{ name: 'A', type: t }, { name: 'B', type: t }, { name: 'OUT', type: t, write: true }],
    body: `${MATH}\n${ONE_D}
  var idx = i;
  var ao = 0;
  var bo = 0;
  for (var d = i32(pu(1u)) - 1; d >= 0; d--) {
    let w = 2u + 3u * u32(d);
    let s = pu(w);
    let c = i32(idx % s);
    idx = idx / s;
    ao += c * pi(w + 1u);
    bo += c * pi(w + 2u);
  }
  let a = A[ao];
  let b = B[bo];
  OUT[i] = ${binaryExpr(op, t)};
}
`,
  };
});

/** Strided copy and broadcasting binary ops. */
export function stridedKernels(ctx: GpuCtx) {
  return {
    copyStrided(x: GpuStorage, out: GpuStorage, p: StridedCopyParams): boolean {
      const t = wgslType(out.dtype, 'copyStrided');
      if (x.dtype !== out.dtype) throw new Error(`webgpu: copyStrided needs one dtype (${x.dtype} -> ${out.dtype})`);
      const threadDims: number[] = [];
      const reduceDims: number[] = [];
      p.shape.forEach((s, d) => {
        if (s === 1) return; // contributes no offset
        (p.outStrides[d] === 0 ? reduceDims : threadDims).push(d);
      });
      if (p.shape.some((s) => s === 0)) return true;
      if (threadDims.length + reduceDims.length > MAX_DIMS) throw new Error(`webgpu: copyStrided supports ${MAX_DIMS} non-trivial dimensions, got ${threadDims.length + reduceDims.length}`);
      const n = threadDims.reduce((a, d) => a * p.shape[d]!, 1);
      const w = ctx.rt.params().u(n).u(threadDims.length).u(reduceDims.length).i(p.xOffset).i(p.outOffset).u(p.accumulate ? 1 : 0);
      for (const d of threadDims) w.u(p.shape[d]!).i(p.xStrides[d]!).i(p.outStrides[d]!);
      for (const d of reduceDims) w.u(p.shape[d]!).i(p.xStrides[d]!);
      ctx.rt.dispatch(copySpec(t), [x, out], groups1d(n, 256));
      return true;
    },
    broadcastBinary(op: BinaryKernel, a: GpuStorage, b: GpuStorage, out: GpuStorage, p: BroadcastParams): boolean {
      const t = wgslType(out.dtype, 'broadcastBinary');
      if (a.dtype !== out.dtype || b.dtype !== out.dtype) throw new Error(`webgpu: broadcastBinary needs one dtype (${a.dtype}, ${b.dtype} -> ${out.dtype})`);
      const n = p.shape.reduce((x, s) => x * s, 1);
      if (n === 0) return true;
      if (p.shape.length > 20) throw new Error(`webgpu: broadcastBinary supports 20 dimensions, got ${p.shape.length}`);
      const w = ctx.rt.params().u(n).u(p.shape.length);
      p.shape.forEach((s, d) => w.u(s).i(p.aStrides[d]!).i(p.bStrides[d]!));
      ctx.rt.dispatch(broadcastSpec(`${op}_${t}`), [a, b, out], groups1d(n, 256));
      return true;
    },
  };
}
