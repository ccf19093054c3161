// AdamW on all parameters in one dispatch. The first call moves the parameters and both moments into
// packs: one flat buffer each for parameters, gradients, first and second moments, every tensor at
// the same 256-byte-aligned offset in all four. The tensors keep their storage objects, now views
// into the pack (GpuStorage.offset/span), so every other kernel, read and checkpoint sees them as
// before. Each step copies the gradients into the pack (copies, not dispatches; none when clipping
// gathered them in the pack's layout, kernels/clip-multi.ts) and runs one dispatch over it; the hyper-parameters of consecutive tensors that share them (a parameter group)
// are one run in the parameter block. A pack is as large as the adapter's largest buffer allows;
// past that, more packs, one dispatch each.

import type { AdamWParams } from '../../backend.js';
import type { BufferPool, GpuStorage } from '../memory.js';
import { PARAM_WORDS, groups1d, type KernelSpec } from '../runtime.js';
import type { GpuCtx } from './common.js';
import type { GradOrder } from './clip-multi.js';

// Floats per alignment step: 256 bytes, WebGPU's (and every adapter's largest) storage offset alignment.
const ALIGN = 64;
const HEAD = 8;
const RUN_WORDS = 3;
const MAX_RUNS = Math.floor((PARAM_WORDS - HEAD) / RUN_WORDS);

// Params: start, end (elements of the pack), beta1, beta2, eps, bc1, bc2, runs; then per run: its end,
// lr, decay (1 - lr * weightDecay). Padding between tensors has zero gradients and stays zero.
const spec: KernelSpec = {
  name: 'adamw_packed',
  bindings: [{ name: 'P', type: 'f32', write: true }, { name: 'G', type: 'f32' }, { name: 'M', type: 'f32', write: true }, { name: 'V', type: 'f32', write: true }],
  body: /* wgsl */ `
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = pu(0u) + wgIndex(wg, nwg) * 256u + li;
  if (i >= pu(1u)) { return; }
  let b1 = pf(2u); let b2 = pf(3u); let eps = pf(4u); let bc1 = pf(5u); let bc2 = pf(6u);
  let runs = pu(7u);
  var r = 0u;
  loop {
    if (r + 1u >= runs || i < pu(${HEAD}u + ${RUN_WORDS}u * r)) { break; }
    r = r + 1u;
  }
  let lr = pf(${HEAD + 1}u + ${RUN_WORDS}u * r);
  let decay = pf(${HEAD + 2}u + ${RUN_WORDS}u * r);
  let g = G[i];
  let mi = b1 * M[i] + (1.0 - b1) * g;
  let vi = b2 * V[i] + (1.0 - b2) * g * g;
  M[i] = mi;
  V[i] = vi;
  P[i] = P[i] * decay - (lr * (mi / bc1)) / (sqrt(vi / bc2) + eps);
}
`,
};

/** One pack: tensors [first, first + count) of its set, at `offsets` (floats) in four flat buffers. */
interface Pack {
  first: number;
  count: number;
  offsets: number[];
  total: number;
  P: GPUBuffer;
  G: GPUBuffer;
  M: GPUBuffer;
  V: GPUBuffer;
}

/** What the parameters hold (GpuStorage.pack): their buffers, which live as long as the parameters. */
class ParamBuffers {}

/**
 * The packs of one optimizer's tensors, held by its moments (GpuStorage.pack): when the optimizer
 * goes, the gradient and moment buffers go with it, and the parameters keep only theirs.
 */
class PackSet {
  readonly owner = new ParamBuffers();
  constructor(readonly params: readonly GpuStorage[], readonly ms: readonly GpuStorage[], readonly vs: readonly GpuStorage[], readonly packs: Pack[]) {}

  /** Whether these are exactly the set's tensors, in order, all still in it. */
  holds(params: readonly GpuStorage[], ms: readonly GpuStorage[], vs: readonly GpuStorage[]): boolean {
    if (params.length !== this.params.length) return false;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!, m = ms[i]!, v = vs[i]!;
      if (p !== this.params[i] || m !== this.ms[i] || v !== this.vs[i] || p.pack !== this.owner || m.pack !== this || v.pack !== this) return false;
    }
    return true;
  }
}

const padded = (n: number): number => Math.max(ALIGN, Math.ceil(n / ALIGN) * ALIGN);

/**
 * The multi-tensor AdamW of the kernel table; `single` is the one-tensor kernel, used when the
 * tensors cannot be packed (one storage twice, moments with other betas per tensor).
 */
export function adamwMultiKernel(
  ctx: GpuCtx, maxBytes: number, single: (p: GpuStorage, g: GpuStorage, m: GpuStorage, v: GpuStorage, h: AdamWParams) => boolean, gradOrder: GradOrder | null = null,
) {
  // Pack buffers go when their holders are collected (after a submit: recorded commands may name them).
  const packBuffers = new FinalizationRegistry<GPUBuffer[]>((buffers) => {
    ctx.rt.flush();
    for (const b of buffers) b.destroy();
  });

  function build(params: readonly GpuStorage[], ms: readonly GpuStorage[], vs: readonly GpuStorage[]): PackSet {
    const packs: Pack[] = [];
    const limit = Math.floor(maxBytes / 4);
    let cur: Omit<Pack, 'P' | 'G' | 'M' | 'V'> | null = null;
    const groups: Array<Omit<Pack, 'P' | 'G' | 'M' | 'V'>> = [];
    params.forEach((p, i) => {
      const n = padded(p.length);
      if (!cur || cur.total + n > limit) groups.push((cur = { first: i, count: 0, offsets: [], total: 0 }));
      cur.offsets.push(cur.total);
      cur.total += n;
      cur.count++;
    });
    const set = new PackSet([...params], [...ms], [...vs], packs);
    const pool: BufferPool = ctx.pool;
    const paramBuffers: GPUBuffer[] = [];
    const stateBuffers: GPUBuffer[] = [];
    for (const g of groups) {
      const what = `${g.count} packed optimizer tensors`;
      const [P, G, M, V] = ['parameters', 'gradients', 'first moments', 'second moments'].map((k) => pool.createRaw(g.total * 4, `${what} (${k})`)) as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
      paramBuffers.push(P);
      stateBuffers.push(G, M, V);
      packs.push({ ...g, P, G, M, V });
      for (let j = 0; j < g.count; j++) {
        const i = g.first + j;
        const at = g.offsets[j]! * 4;
        const span = padded(params[i]!.length) * 4;
        for (const [s, dst, holder] of [[params[i]!, P, set.owner], [ms[i]!, M, set], [vs[i]!, V, set]] as const) {
          ctx.rt.copy(s.buffer, s.offset, dst, at, s.length * 4);
          pool.relocate(s, dst, at, span, holder);
        }
      }
    }
    packBuffers.register(set.owner, paramBuffers);
    packBuffers.register(set, stateBuffers);
    return set;
  }

  return function adamwMulti(
    params: readonly GpuStorage[], grads: readonly GpuStorage[], ms: readonly GpuStorage[], vs: readonly GpuStorage[], hyper: readonly AdamWParams[],
  ): boolean {
    const n = params.length;
    if (grads.length !== n || ms.length !== n || vs.length !== n || hyper.length !== n) {
      throw new Error(`webgpu: adamwMulti needs as many gradients, moments and hyper-parameters as parameters (${n})`);
    }
    if (n === 0) return true;
    for (let i = 0; i < n; i++) {
      const p = params[i]!;
      for (const s of [p, grads[i]!, ms[i]!, vs[i]!]) {
        if (s.dtype !== 'float32') throw new Error(`webgpu: adamwMulti needs float32 storage, got ${s.dtype}`);
        if (s.length !== p.length) throw new Error(`webgpu: adamwMulti tensor ${i}: ${s.length} values against ${p.length} parameters`);
      }
    }
    const h0 = hyper[0]!;
    const shared = hyper.every((h) => h.beta1 === h0.beta1 && h.beta2 === h0.beta2 && h.eps === h0.eps && h.step === h0.step);
    const distinct = new Set<GpuStorage>([...params, ...ms, ...vs]).size === 3 * n;
    if (!shared || !distinct) {
      for (let i = 0; i < n; i++) single(params[i]!, grads[i]!, ms[i]!, vs[i]!, hyper[i]!);
      return true;
    }
    const known = ms[0]!.pack;
    const set = known instanceof PackSet && known.holds(params, ms, vs) ? known : build(params, ms, vs);
    const bc1 = 1 - Math.pow(h0.beta1, h0.step);
    const bc2 = 1 - Math.pow(h0.beta2, h0.step);
    // Clipped gradients tell the clip our order, so from the next step on it gathers them as we pack.
    gradOrder?.learn(grads);
    for (const pack of set.packs) {
      const G = gatheredAsPacked(pack, grads) ?? pack.G;
      if (G === pack.G) {
        for (let j = 0; j < pack.count; j++) {
          const g = grads[pack.first + j]!;
          ctx.rt.copy(g.buffer, g.offset, pack.G, pack.offsets[j]! * 4, g.length * 4);
        }
      }
      // Runs: consecutive tensors with the same lr and decay; each ends where its last tensor's slot ends.
      const runs: Array<{ end: number; lr: number; decay: number }> = [];
      for (let j = 0; j < pack.count; j++) {
        const h = hyper[pack.first + j]!;
        const end = pack.offsets[j]! + padded(params[pack.first + j]!.length);
        const last = runs[runs.length - 1];
        if (last && last.lr === h.lr && last.decay === 1 - h.lr * h.weightDecay) last.end = end;
        else runs.push({ end, lr: h.lr, decay: 1 - h.lr * h.weightDecay });
      }
      for (let r = 0; r < runs.length; r += MAX_RUNS) {
        const chunk = runs.slice(r, r + MAX_RUNS);
        const start = r === 0 ? 0 : runs[r - 1]!.end;
        const end = chunk[chunk.length - 1]!.end;
        const w = ctx.rt.params().u(start).u(end).f(h0.beta1).f(h0.beta2).f(h0.eps).f(bc1).f(bc2).u(chunk.length);
        for (const c of chunk) w.u(c.end).f(c.lr).f(c.decay);
        ctx.rt.dispatch(spec, [whole(pack.P), whole(G), whole(pack.M), whole(pack.V)], groups1d(end - start, 256));
      }
    }
    return true;
  };
}

/**
 * The buffer that already holds a pack's gradients where the pack reads them (the clip's gathered
 * copy, in our order: views at the pack's offsets, zero gaps), or null: then they are copied in.
 */
function gatheredAsPacked(pack: Pack, grads: readonly GpuStorage[]): GPUBuffer | null {
  const buffer = grads[pack.first]!.buffer;
  for (let j = 0; j < pack.count; j++) {
    const g = grads[pack.first + j]!;
    if (g.buffer !== buffer || g.pack === null || g.offset !== pack.offsets[j]! * 4) return null;
  }
  return buffer;
}

const views = new WeakMap<GPUBuffer, { buffer: GPUBuffer; offset: number; span: number }>();

/** A pack buffer bound whole (one object per buffer, so the dispatch allocates nothing). */
function whole(buffer: GPUBuffer): { buffer: GPUBuffer; offset: number; span: number } {
  let v = views.get(buffer);
  if (!v) views.set(buffer, (v = { buffer, offset: 0, span: 0 }));
  return v;
}
