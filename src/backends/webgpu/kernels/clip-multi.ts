// Global-norm gradient clipping over all gradients in a constant number of dispatches. l2NormMulti
// gathers the tensors into one flat buffer (buffer copies, no dispatches; every tensor at a
// 256-byte-aligned offset, the gaps cleared), sums squares there into one partial per workgroup and
// reduces the partials in a second dispatch. clipScaleMulti, called next on the same tensors (as
// clipGradNorm does), scales that flat copy in place in one dispatch, reading the factor
// min(1, maxNorm / (norm + eps)) from the norm on the device (no host read), and makes its outputs
// views of it, as the optimizer's packs do. A flat buffer is as large as the adapter's largest
// binding allows; past that, more of them, one partial dispatch and one scale dispatch each.

import type { GpuStorage } from '../memory.js';
import { groups1d } from '../runtime.js';
import { type GpuCtx, ONE_D, requireF32 } from './common.js';

// Floats per alignment step: 256 bytes, WebGPU's (and every adapter's largest) storage offset alignment.
const ALIGN = 64;
// Workgroups (partials) per flat buffer at most: each thread then sums n / 262144 values.
const MAX_GROUPS = 1024;

const TREE = /* wgsl */ `
  acc[li] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) { acc[li] += acc[li + w]; }
    workgroupBarrier();
  }`;

// Params: n (floats in the flat buffer), groups, base (first partial slot of this buffer).
const partialSpec = {
  name: 'l2norm_partials',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'PART', type: 'f32' as const, write: true }],
  body: /* wgsl */ `
var<workgroup> acc: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let g = wgIndex(wg, nwg);
  let n = pu(0u);
  let stride = pu(1u) * 256u;
  var s = 0.0;
  for (var i = g * 256u + li; i < n; i += stride) {
    let v = X[i];
    s += v * v;
  }${TREE}
  if (li == 0u) { PART[pu(2u) + g] = acc[0]; }
}
`,
};

// One workgroup. Params: count (partials).
const finalSpec = {
  name: 'l2norm_final',
  bindings: [{ name: 'PART', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: /* wgsl */ `
var<workgroup> acc: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  let count = pu(0u);
  var s = 0.0;
  for (var i = li; i < count; i += 256u) { s += PART[i]; }${TREE}
  if (li == 0u) { OUT[0] = sqrt(acc[0]); }
}
`,
};

const FACTOR = 'let f = min(1.0, pf(1u) / (NORM[0] + pf(2u)));';

// In place over a flat buffer. Params: n, maxNorm, eps.
const scaleFlatSpec = {
  name: 'clip_scale_flat',
  bindings: [{ name: 'X', type: 'f32' as const, write: true }, { name: 'NORM', type: 'f32' as const }],
  body: `${ONE_D}  ${FACTOR}\n  X[i] = X[i] * f;\n}\n`,
};

// One tensor (the fall-back). Params: n, maxNorm, eps.
const scaleSpec = {
  name: 'clip_scale',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'NORM', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: `${ONE_D}  ${FACTOR}\n  OUT[i] = X[i] * f;\n}\n`,
};

/**
 * What the clip and the optimizer tell each other: where clipScaleMulti left each clipped tensor
 * (its gather and index there), and the order adamwMulti's packs want them in. Gathered in that
 * order, the clipped gradients sit exactly where the packs read them, and the AdamW dispatch binds
 * the gathered buffer instead of copying every gradient into its pack again.
 */
export class GradOrder {
  readonly slots = new WeakMap<GpuStorage, { gather: object; index: number; count: number }>();
  /** For a gather of order.length tensors: the index in the clip's list of each pack position. */
  order: number[] | null = null;
  lengths: number[] | null = null;

  /** Learns the packs' order from gradients that are clipScaleMulti's views (all of one gather). */
  learn(grads: readonly GpuStorage[]): void {
    const first = this.slots.get(grads[0]!);
    if (!first || first.count !== grads.length) return;
    const order: number[] = [];
    for (const g of grads) {
      const s = this.slots.get(g);
      if (!s || s.gather !== first.gather) return;
      order.push(s.index);
    }
    if (new Set(order).size !== order.length) return;
    this.order = order;
    this.lengths = grads.map((g) => g.length);
  }

  /** The packs' order for `xs` when it fits them (same count, same lengths), else null (list order). */
  orderFor(xs: readonly GpuStorage[]): number[] | null {
    const { order, lengths } = this;
    if (!order || !lengths || order.length !== xs.length) return null;
    for (let j = 0; j < order.length; j++) if (xs[order[j]!]!.length !== lengths[j]) return null;
    return order;
  }
}

/** One flat buffer: tensors [first, first + count) of the (ordered) list, at `offsets` (floats). */
interface Flat {
  first: number;
  count: number;
  offsets: number[];
  total: number;
  storage: GpuStorage;
}

const padded = (n: number): number => Math.max(ALIGN, Math.ceil(n / ALIGN) * ALIGN);

/** The table's l2NormMulti and clipScaleMulti on the GPU. */
export function clipMultiKernels(ctx: GpuCtx, maxBytes: number, gradOrder: GradOrder | null = null) {
  // The last gather, until clipScaleMulti consumes it (or the next l2NormMulti replaces it): the
  // tensors as given, and the list index of each gathered position. Held weakly, so a norm measured
  // without clipping (maxNorm Infinity) keeps neither the gradients nor their copy past their use;
  // clipGradNorm calls both kernels in one synchronous turn, in which a WeakRef always holds.
  let gathered: WeakRef<{ xs: GpuStorage[]; index: number[]; flats: Flat[] }> | null = null;

  function gather(xs: readonly GpuStorage[]): Flat[] {
    const limit = Math.floor(maxBytes / 4);
    const flats: Array<Omit<Flat, 'storage'>> = [];
    let cur: Omit<Flat, 'storage'> | null = null;
    xs.forEach((x, i) => {
      const n = padded(x.length);
      if (!cur || cur.total + n > limit) flats.push((cur = { first: i, count: 0, offsets: [], total: 0 }));
      cur.offsets.push(cur.total);
      cur.total += n;
      cur.count++;
    });
    return flats.map((f) => {
      const { storage, fresh } = ctx.pool.take('float32', f.total, 4);
      // The gaps between tensors must read as zeros (a fresh buffer is zeroed by WebGPU).
      if (!fresh) ctx.rt.clear(storage.buffer, 0, f.total * 4);
      for (let j = 0; j < f.count; j++) {
        const x = xs[f.first + j]!;
        ctx.rt.copy(x.buffer, x.offset, storage.buffer, f.offsets[j]! * 4, x.length * 4);
      }
      return { ...f, storage };
    });
  }

  function l2NormMulti(xs: readonly GpuStorage[], out: GpuStorage): boolean {
    requireF32('l2NormMulti', ...xs, out);
    if (out.length < 1) throw new Error('webgpu: l2NormMulti needs a one-value output');
    const index = gradOrder?.orderFor(xs) ?? xs.map((_, i) => i);
    const flats = gather(index.map((i) => xs[i]!));
    gathered = new WeakRef({ xs: [...xs], index, flats });
    const groups = flats.map((f) => Math.min(MAX_GROUPS, Math.ceil(f.total / 256)));
    const count = groups.reduce((a, b) => a + b, 0);
    const partials = ctx.pool.take('float32', Math.max(1, count), 4).storage;
    let base = 0;
    flats.forEach((f, c) => {
      ctx.rt.params().u(f.total).u(groups[c]!).u(base);
      ctx.rt.dispatch(partialSpec, [f.storage, partials], groups1d(groups[c]! * 256, 256));
      base += groups[c]!;
    });
    ctx.rt.params().u(count);
    ctx.rt.dispatch(finalSpec, [partials, out], [1, 1, 1]);
    return true;
  }

  /** Whether `outs` can become views of the gathered copy of `xs`: the same list, fresh distinct outputs. */
  function usesGather(xs: readonly GpuStorage[], outs: readonly GpuStorage[]): boolean {
    const g = gathered?.deref();
    if (!g || g.xs.length !== xs.length) return false;
    for (let i = 0; i < xs.length; i++) if (g.xs[i] !== xs[i]) return false;
    if (new Set(outs).size !== outs.length) return false;
    return outs.every((o) => o.pack === null);
  }

  function clipScaleMulti(xs: readonly GpuStorage[], norm: GpuStorage, maxNorm: number, eps: number, outs: readonly GpuStorage[]): boolean {
    if (outs.length !== xs.length) throw new Error(`webgpu: clipScaleMulti needs one output per input (${xs.length}), got ${outs.length}`);
    requireF32('clipScaleMulti', ...xs, norm, ...outs);
    xs.forEach((x, i) => {
      if (outs[i]!.length !== x.length) throw new Error(`webgpu: clipScaleMulti tensor ${i}: ${outs[i]!.length} outputs for ${x.length} values`);
    });
    if (usesGather(xs, outs)) {
      const { index, flats } = gathered!.deref()!;
      const token = {};
      for (const f of flats) {
        ctx.rt.params().u(f.total).f(maxNorm).f(eps);
        ctx.rt.dispatch(scaleFlatSpec, [f.storage, norm], groups1d(f.total, 256));
        for (let j = 0; j < f.count; j++) {
          const i = index[f.first + j]!;
          const o = outs[i]!;
          // The flat copy now holds the output's values; it lives as long as any of its views.
          ctx.pool.relocate(o, f.storage.buffer, f.offsets[j]! * 4, padded(o.length) * 4, f.storage);
          gradOrder?.slots.set(o, { gather: token, index: i, count: outs.length });
        }
      }
      gathered = null;
      return true;
    }
    gathered = null;
    xs.forEach((x, i) => {
      if (x.length === 0) return;
      ctx.rt.params().u(x.length).f(maxNorm).f(eps);
      ctx.rt.dispatch(scaleSpec, [x, norm, outs[i]!], groups1d(x.length, 256));
    });
    return true;
  }

  return { l2NormMulti, clipScaleMulti };
}
