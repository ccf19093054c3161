// Reductions and index kernels: sum / max / argmax over the middle axis of (outer, len, inner),
// gather and its scatter-add backward, embedding rows and their backward, flat scatter-add.
// Scatter-adds use a compare-and-swap loop on the float's bits (WGSL has no float atomics).

import type { ReduceKernel } from '../../backend.js';
import type { GpuStorage } from '../memory.js';
import { groups1d } from '../runtime.js';
import { type GpuCtx, ONE_D, requireF32, requireI32, run1d, specCache } from './common.js';

type Op = ReduceKernel | 'argmax';

const NAN_AND_BETTER = /* wgsl */ `
fn isnan_(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
// Is (v2, i2) a better maximum than (v1, i1)? NaN wins over numbers (as NumPy), then larger values,
// then the first index.
fn better(v1: f32, i1: u32, v2: f32, i2: u32) -> bool {
  let n1 = isnan_(v1);
  let n2 = isnan_(v2);
  if (n1 && n2) { return i2 < i1; }
  if (n2) { return true; }
  if (n1) { return false; }
  if (v2 > v1) { return true; }
  return v2 == v1 && i2 < i1;
}
const NONE: u32 = 0xffffffffu;
`;

function store(op: Op): string {
  if (op === 'sum') return 'OUT[o] = s;';
  if (op === 'max') return 'OUT[o] = select(bv, negInf(), bi == NONE);';
  return 'OUT[o] = select(i32(bi), 0, bi == NONE);';
}

// One thread per output (o, i), looping over len: reads of neighbouring threads are contiguous when
// inner is large. Params: n = outer * inner, len, inner.
const columnSpec = specCache((op: Op) => ({
  name: `reduce_column_${op}`,
  bindings: [{ name: 'X', type: 'f32' }, { name: 'OUT', type: op === 'argmax' ? 'i32' : 'f32', write: true }],
  body: `${NAN_AND_BETTER}\n${ONE_D}
  let o = i;
  let len = pu(1u);
  let inner = pu(2u);
  let base = (o / inner) * len * inner + o % inner;
  var s = 0.0;
  var bv = negInf();
  var bi = NONE;
  for (var r = 0u; r < len; r++) {
    let v = X[base + r * inner];
    ${op === 'sum' ? 's += v;' : 'if (better(bv, bi, v, r)) { bv = v; bi = r; }'}
  }
  ${store(op)}
}
`,
}));

// One workgroup of 256 per output when inner is small and len long: a strided loop, then a tree.
const treeSpec = specCache((op: Op) => ({
  name: `reduce_tree_${op}`,
  bindings: [{ name: 'X', type: 'f32' }, { name: 'OUT', type: op === 'argmax' ? 'i32' : 'f32', write: true }],
  body: `${NAN_AND_BETTER}
var<workgroup> rv: array<f32, 256>;
var<workgroup> ri: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let o = wgIndex(wg, nwg);
  let n = pu(0u);
  let len = pu(1u);
  let inner = pu(2u);
  if (o >= n) { return; }
  let base = (o / inner) * len * inner + o % inner;
  var s = 0.0;
  var bv = negInf();
  var bi = NONE;
  for (var r = li; r < len; r += 256u) {
    let v = X[base + r * inner];
    ${op === 'sum' ? 's += v;' : 'if (better(bv, bi, v, r)) { bv = v; bi = r; }'}
  }
  rv[li] = ${op === 'sum' ? 's' : 'bv'};
  ri[li] = bi;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) {
      ${op === 'sum' ? 'rv[li] += rv[li + w];' : 'if (better(rv[li], ri[li], rv[li + w], ri[li + w])) { rv[li] = rv[li + w]; ri[li] = ri[li + w]; }'}
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    s = rv[0];
    bv = rv[0];
    bi = ri[0];
    ${store(op)}
  }
}
`,
}));

const ATOMIC_ADD = /* wgsl */ `
fn atomicAddF(at: u32, v: f32) {
  var old = atomicLoad(&DX[at]);
  loop {
    let r = atomicCompareExchangeWeak(&DX[at], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
`;

// Params: n = outer * chunks * inner, len, inner, chunks, chunkLen.
const partialSumSpec = {
  name: 'reduce_partial_sum',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: `${ONE_D}
  let len = pu(1u); let inner = pu(2u); let chunks = pu(3u); let chunkLen = pu(4u);
  let o = i / (chunks * inner);
  let c = (i / inner) % chunks;
  let ii = i % inner;
  let end = min(len, (c + 1u) * chunkLen);
  var s = 0.0;
  for (var r = c * chunkLen; r < end; r++) { s += X[(o * len + r) * inner + ii]; }
  OUT[i] = s;
}
`,
};

// Params: n = outer * count * inner, len, count, inner.
const gatherSpec = {
  name: 'gather',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'IDX', type: 'i32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: `${ONE_D}
  let len = pu(1u); let count = pu(2u); let inner = pu(3u);
  let o = i / (count * inner);
  let ii = i % inner;
  OUT[i] = X[(o * len + u32(IDX[i])) * inner + ii];
}
`,
};
const scatterAddSpec = {
  name: 'scatter_add',
  bindings: [{ name: 'G', type: 'f32' as const }, { name: 'IDX', type: 'i32' as const }, { name: 'DX', type: 'atomic<u32>' as const, write: true }],
  body: `${ATOMIC_ADD}\n${ONE_D}
  let len = pu(1u); let count = pu(2u); let inner = pu(3u);
  let o = i / (count * inner);
  let ii = i % inner;
  atomicAddF((o * len + u32(IDX[i])) * inner + ii, G[i]);
}
`,
};
// Params: n = ids * dim, dim.
const embeddingSpec = {
  name: 'embedding',
  bindings: [{ name: 'TABLE', type: 'f32' as const }, { name: 'IDS', type: 'i32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: `${ONE_D}
  let dim = pu(1u);
  OUT[i] = TABLE[u32(IDS[i / dim]) * dim + i % dim];
}
`,
};
const embeddingBackwardSpec = {
  name: 'embedding_backward',
  bindings: [{ name: 'G', type: 'f32' as const }, { name: 'IDS', type: 'i32' as const }, { name: 'DX', type: 'atomic<u32>' as const, write: true }],
  body: `${ATOMIC_ADD}\n${ONE_D}
  let dim = pu(1u);
  atomicAddF(u32(IDS[i / dim]) * dim + i % dim, G[i]);
}
`,
};
const scatterAddFlatSpec = {
  name: 'scatter_add_flat',
  bindings: [{ name: 'G', type: 'f32' as const }, { name: 'IDX', type: 'i32' as const }, { name: 'DX', type: 'atomic<u32>' as const, write: true }],
  body: `${ATOMIC_ADD}\n${ONE_D}
  atomicAddF(u32(IDX[i]), G[i]);
}
`,
};

/** Reductions, gathers and scatters. */
export function reduceKernels(ctx: GpuCtx) {
  const reduceInto = (op: Op, x: GpuStorage, out: GpuStorage, outer: number, len: number, inner: number): void => {
    const n = outer * inner;
    if (n === 0) return;
    if (op === 'sum' && n < 4096 && ((len >= 1024 && inner >= 32) || len >= 65536)) {
      // Few long columns (a bias gradient: every row of a batch into one row; a whole gradient into its
      // norm): sum chunks of rows in parallel into (outer, chunks, inner) partials, then the chunks.
      const chunks = Math.min(Math.ceil(len / 256), Math.ceil(65536 / n));
      const chunkLen = Math.ceil(len / chunks);
      const partial = ctx.pool.take('float32', outer * chunks * inner, 4).storage;
      run1d(ctx, partialSumSpec, [x, partial], outer * chunks * inner, (p) => p.u(len).u(inner).u(chunks).u(chunkLen));
      x = partial;
      len = chunks;
    }
    const tree = inner < 32 && len >= 256;
    ctx.rt.params().u(n).u(len).u(inner);
    if (tree) ctx.rt.dispatch(treeSpec(op), [x, out], groups1d(n, 1));
    else ctx.rt.dispatch(columnSpec(op), [x, out], groups1d(n, 256));
  };
  return {
    reduce(op: ReduceKernel, x: GpuStorage, out: GpuStorage, outer: number, len: number, inner: number): boolean {
      requireF32('reduce', x, out);
      reduceInto(op, x, out, outer, len, inner);
      return true;
    },
    argmax(x: GpuStorage, out: GpuStorage, outer: number, len: number, inner: number): boolean {
      requireF32('argmax', x);
      requireI32('argmax', out);
      reduceInto('argmax', x, out, outer, len, inner);
      return true;
    },
    gather(x: GpuStorage, idx: GpuStorage, out: GpuStorage, outer: number, len: number, count: number, inner: number): boolean {
      requireF32('gather', x, out);
      requireI32('gather', idx);
      run1d(ctx, gatherSpec, [x, idx, out], outer * count * inner, (p) => p.u(len).u(count).u(inner));
      return true;
    },
    scatterAdd(g: GpuStorage, idx: GpuStorage, dx: GpuStorage, outer: number, len: number, count: number, inner: number): boolean {
      requireF32('scatterAdd', g, dx);
      requireI32('scatterAdd', idx);
      run1d(ctx, scatterAddSpec, [g, idx, dx], outer * count * inner, (p) => p.u(len).u(count).u(inner));
      return true;
    },
    scatterAddFlat(g: GpuStorage, idx: GpuStorage, dx: GpuStorage): boolean {
      requireF32('scatterAddFlat', g, dx);
      requireI32('scatterAddFlat', idx);
      run1d(ctx, scatterAddFlatSpec, [g, idx, dx], idx.length);
      return true;
    },
    embedding(table: GpuStorage, ids: GpuStorage, out: GpuStorage, dim: number): boolean {
      requireF32('embedding', table, out);
      requireI32('embedding', ids);
      run1d(ctx, embeddingSpec, [table, ids, out], ids.length * dim, (p) => p.u(dim));
      return true;
    },
    embeddingBackward(g: GpuStorage, ids: GpuStorage, dTable: GpuStorage, dim: number): boolean {
      requireF32('embeddingBackward', g, dTable);
      requireI32('embeddingBackward', ids);
      run1d(ctx, embeddingBackwardSpec, [g, ids, dTable], ids.length * dim, (p) => p.u(dim));
      return true;
    },
  };
}
