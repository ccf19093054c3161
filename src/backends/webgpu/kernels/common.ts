// Shared pieces of the WGSL kernels: the context they record into, dtype checks, element-wise specs.

import type { DType } from '../../../tensor/dtype.js';
import type { GpuStorage, BufferPool } from '../memory.js';
import type { BindingSpec, KernelSpec, Runtime } from '../runtime.js';
import { groups1d } from '../runtime.js';

/** What a kernel needs: the recorder and the allocator (for scratch buffers). */
export interface GpuCtx {
  rt: Runtime;
  pool: BufferPool;
}

/** WGSL element type of a dtype (float64 has none: WGSL has no 64-bit floats). */
export function wgslType(dtype: DType, kernel: string): 'f32' | 'i32' {
  if (dtype === 'float32') return 'f32';
  if (dtype === 'int32') return 'i32';
  throw new Error(`webgpu: ${kernel} got ${dtype} storage; WGSL has no 64-bit floats, use float32 on this device`);
}

/** Checks that every storage given is float32 (the float kernels' only type on the GPU). */
export function requireF32(kernel: string, ...xs: ReadonlyArray<GpuStorage | null>): void {
  for (const x of xs) {
    if (x && x.dtype !== 'float32') throw new Error(`webgpu: ${kernel} needs float32 storage, got ${x.dtype}${x.dtype === 'float64' ? ' (WGSL has no 64-bit floats)' : ''}`);
  }
}

/** Checks an int32 index storage. */
export function requireI32(kernel: string, ...xs: GpuStorage[]): void {
  for (const x of xs) if (x.dtype !== 'int32') throw new Error(`webgpu: ${kernel} needs int32 indices, got ${x.dtype}`);
}

/** WGSL math shared by kernels: tanh that never overflows, sigmoid, GELU (tanh form), pow as in JS. */
export const MATH = /* wgsl */ `
const GELU_K: f32 = 0.7978845608028654;
const GELU_C: f32 = 0.044715;
fn tanh_(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }
fn sigmoid_(v: f32) -> f32 {
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}
fn gelu_(v: f32) -> f32 { return 0.5 * v * (1.0 + tanh_(GELU_K * (v + GELU_C * v * v * v))); }
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a >= 0.0) { return pow(a, b); }
  if (fract(b) != 0.0) { return (a - a) / (a - a); }
  let r = pow(-a, b);
  return select(r, -r, fract(b * 0.5) != 0.0);
}
`;

const MAIN_1D = '@compute @workgroup_size(256)\nfn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32)';

/** The opening of a 1-D kernel: `i` is this thread's element, `n` = pu(0) the count. */
export const ONE_D = `${MAIN_1D} {\n  let i = wgIndex(wg, nwg) * 256u + li;\n  let n = pu(0u);\n  if (i >= n) { return; }\n`;

/** Element-wise kernel over n = pu(0) elements; `stmt` reads and writes the bindings at index i. */
export function elementwise(name: string, bindings: BindingSpec[], stmt: string, prelude = ''): KernelSpec {
  return { name, bindings, body: `${MATH}\n${prelude}\n${ONE_D}  ${stmt}\n}\n` };
}

/** Caches specs made by a factory, by key. */
export function specCache<K extends string>(make: (key: K) => KernelSpec): (key: K) => KernelSpec {
  const cache = new Map<K, KernelSpec>();
  return (key) => {
    let s = cache.get(key);
    if (!s) {
      s = make(key);
      cache.set(key, s);
    }
    return s;
  };
}

/** Records a 1-D element-wise dispatch over n elements with extra parameter words after n. */
export function run1d(ctx: GpuCtx, spec: KernelSpec, buffers: GpuStorage[], n: number, extra?: (p: ReturnType<Runtime['params']>) => void): void {
  if (n === 0) return;
  const p = ctx.rt.params().u(n);
  extra?.(p);
  ctx.rt.dispatch(spec, buffers, groups1d(n, 256));
}
