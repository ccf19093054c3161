// Test harness for the webgpu kernels: the same call on the GPU and on the js reference (float64
// copies of the same float32 inputs), outputs read back and compared.

import { test, type TestContext } from 'node:test';
import type { DeviceBackend, Kernels } from '../backend.js';
import { registerDeviceBackend, setBackend } from '../registry.js';
import { jsKernels } from '../js/index.js';
import { assertClose, rng } from '../test-conformance.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { type WebGpuBackend, type WebGpuResult, createWebGpuBackend } from './index.js';
import type { GpuStorage } from './memory.js';

export { assertClose, rng };

let shared: Promise<WebGpuResult> | null = null;

/** One SwiftShader backend per test process (MOXING_WEBGPU=gpu uses the real adapter instead). */
export function testBackend(): Promise<WebGpuResult> {
  shared ??= createWebGpuBackend({ mode: process.env.MOXING_WEBGPU === 'gpu' ? 'auto' : 'swiftshader', allowSoftware: true });
  return shared;
}

/**
 * A webgpu device of the test's own (fault tests lose theirs, and a lost device stays lost), registered
 * as the `webgpu` device and, with `makeDefault`, made the default; null after skipping the test when
 * no adapter opens (except on CI, which must have SwiftShader).
 */
export async function freshTestBackend(t: TestContext, o: { makeDefault?: boolean } = {}): Promise<WebGpuBackend | null> {
  const { backend, reason } = await createWebGpuBackend({ mode: process.env.MOXING_WEBGPU === 'gpu' ? 'auto' : 'swiftshader', allowSoftware: true });
  if (!backend) {
    if (process.env.CI) throw new Error(`webgpu: no adapter on CI: ${reason}`);
    t.skip(`no WebGPU adapter: ${reason}`);
    return null;
  }
  registerDeviceBackend(backend as unknown as DeviceBackend);
  if (o.makeDefault) setBackend('webgpu');
  return backend;
}

/**
 * A test that needs the GPU backend: skipped with the reason when no adapter opens, except on CI
 * (which installs chromium, so SwiftShader must be there).
 */
export function gpuTest(name: string, body: (g: WebGpuBackend) => Promise<void>): void {
  test(name, async (t) => {
    const { backend, reason } = await testBackend();
    if (!backend) {
      if (process.env.CI) throw new Error(`webgpu: no adapter on CI: ${reason}`);
      t.skip(`no WebGPU adapter: ${reason}`);
      return;
    }
    await body(backend);
  });
}

/** An operand: values (float32 for floats, Int32Array for ints) or an output to allocate. */
export type Operand = Float32Array | Int32Array | { out: number; int?: boolean };

/** Seeded float32 values in [lo, hi). */
export function floats(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r(lo, hi));
}

/** Seeded ints in [0, hi). */
export function ints(n: number, seed: number, hi: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.min(hi - 1, Math.floor(r(0, hi))));
}

type Args<K extends keyof Kernels> = Parameters<Kernels[K]>;

/**
 * Runs kernel `name` on both backends. `operands` are the storage arguments in order; `call` builds
 * the full argument list from the storages (one per operand). Outputs ({out}) start as NaN on the GPU
 * (so a kernel that must overwrite them in full is checked) and zero in the reference; `compare`
 * lists the operand indices to compare (default: every output and every float input, since kernels
 * may update inputs in place).
 */
export async function compareKernel<K extends keyof Kernels>(
  gpu: WebGpuBackend, name: K, operands: Operand[],
  call: (s: unknown[]) => Args<K>,
  options: { compare?: number[]; rtol?: number; atol?: number; exact?: boolean } = {},
): Promise<void> {
  const refs: TypedArray[] = [];
  const bufs: GpuStorage[] = [];
  for (const o of operands) {
    if (o instanceof Float32Array) {
      refs.push(Float64Array.from(o));
      bufs.push(gpu.device.upload(o));
    } else if (o instanceof Int32Array) {
      refs.push(Int32Array.from(o));
      bufs.push(gpu.device.upload(o));
    } else {
      refs.push(o.int ? new Int32Array(o.out) : new Float64Array(o.out));
      bufs.push(gpu.device.upload(o.int ? new Int32Array(o.out).fill(-7) : new Float32Array(o.out).fill(Number.NaN)));
    }
  }
  (jsKernels[name] as (...a: unknown[]) => boolean)(...call(refs));
  (gpu.kernels[name] as (...a: unknown[]) => boolean)(...call(bufs));
  const which = options.compare ?? operands.map((_, i) => i).filter((i) => !(operands[i] instanceof Int32Array));
  for (const i of which) {
    const got = await gpu.device.read(bufs[i]!);
    const what = `${name} operand ${i}`;
    if (options.exact) {
      for (let j = 0; j < refs[i]!.length; j++) {
        if (!Object.is(got[j], Math.fround(refs[i]![j]!)) && !(Number.isNaN(got[j]) && Number.isNaN(refs[i]![j]))) {
          throw new Error(`${what}[${j}]: got ${got[j]}, want ${refs[i]![j]}`);
        }
      }
    } else {
      assertClose(got, refs[i]!, what, options.rtol, options.atol);
    }
  }
}
