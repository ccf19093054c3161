// The webgpu backend: a device (GPU buffers from a caching allocator) and the whole kernel table in
// WGSL, recorded into shared command buffers. It never falls back: what it cannot run, it throws.

import type { DeviceBackend, Kernels, MatmulParams } from '../backend.js';
import { registerDeviceBackend } from '../registry.js';
import { envVar } from '../env.js';
import { type GpuContext, type GpuFeatures, openGpu } from './gpu.js';
import { BufferPool, GpuInt8, GpuStorage } from './memory.js';
import { Runtime } from './runtime.js';
import { WebGpuDevice } from './device.js';
import type { GpuCtx } from './kernels/common.js';
import { elementwiseKernels } from './kernels/elementwise.js';
import { stridedKernels } from './kernels/strided.js';
import { reduceKernels } from './kernels/reduce.js';
import { rowKernels } from './kernels/rows.js';
import { attentionKernels } from './kernels/attention.js';
import { decodeKernels } from './kernels/decode.js';
import { convKernels } from './kernels/conv.js';
import { type GemmVariant, matmulKernels } from './kernels/matmul.js';
import { matmulF16Kernel, type MatmulF16 } from './kernels/matmul-f16.js';
import { adamwMultiKernel } from './kernels/adamw-multi.js';
import { GradOrder, clipMultiKernels } from './kernels/clip-multi.js';

export { GpuStorage, GpuInt8 } from './memory.js';

/** The webgpu backend with what it learned about its adapter. */
export interface WebGpuBackend extends DeviceBackend<GpuStorage, GpuStorage, GpuStorage, GpuInt8> {
  readonly device: WebGpuDevice;
  readonly kernels: Kernels<GpuStorage, GpuStorage, GpuStorage, GpuInt8>;
  /** Vendor, architecture and description of the adapter. */
  readonly adapterName: string;
  /** A CPU driver (SwiftShader): correct, slow. */
  readonly software: boolean;
  readonly features: GpuFeatures;
  readonly runtime: Runtime;
  readonly pool: BufferPool;
  /** f16 tensor-core GEMM on f32 storage (inputs rounded to f16, f32 accumulation); null without subgroup matrices. */
  readonly matmulF16: MatmulF16 | null;
  /** The fp32 GEMM with a chosen variant (tile sweeps in benchmarks); the table's matmul chooses itself. */
  readonly matmulVariant: (a: GpuStorage, b: GpuStorage, out: GpuStorage, p: MatmulParams, variant: GemmVariant) => void;
  /** Dawn's instance, kept alive as long as the backend (see GpuContext.instance). */
  readonly instance: GPU;
}

/** How to pick the adapter. */
export interface WebGpuOptions {
  /** 'swiftshader' forces Chromium's CPU Vulkan driver; 'auto' (default) uses what Dawn finds. */
  mode?: 'auto' | 'swiftshader';
  /** Accept a software adapter in 'auto' mode (default false: a CPU driver is no reason to leave the cpu backends). */
  allowSoftware?: boolean;
}

/** The result of opening the backend: the backend, or why there is none. */
export type WebGpuResult = { backend: WebGpuBackend; reason: null } | { backend: null; reason: string };

function build(ctx: GpuContext): WebGpuBackend {
  const runtime = new Runtime(ctx.device);
  const pool = new BufferPool(runtime);
  const k: GpuCtx = { rt: runtime, pool };
  const elementwise = elementwiseKernels(k);
  const matmulF16 = ctx.features.subgroupMatrixF16 ? matmulF16Kernel(k, ctx.subgroupMatrixConfigs) : null;
  const device = new WebGpuDevice(runtime, pool, (s) => elementwise.fill(s, 0), matmulF16 !== null);
  const gemm = matmulKernels(k, matmulF16);
  // Clipping gathers the gradients in the order the optimizer packs them (kernels/clip-multi.ts).
  const gradOrder = new GradOrder();
  const kernels: Kernels<GpuStorage, GpuStorage, GpuStorage, GpuInt8> = {
    ...elementwise,
    ...stridedKernels(k),
    ...reduceKernels(k),
    ...rowKernels(k),
    ...attentionKernels(k),
    ...decodeKernels(k),
    ...convKernels(k),
    matmul: gemm.matmul, // an optional fifth argument picks the GEMM variant (tests)
    adamwMulti: adamwMultiKernel(k, pool.maxBytes, elementwise.adamw, gradOrder),
    ...clipMultiKernels(k, pool.maxBytes, gradOrder),
  };
  // Int8 weights are not pooled; their buffers go when the weights are collected (after a submit, since
  // recorded commands may still name them).
  const int8Buffers = new FinalizationRegistry<GPUBuffer>((buffer) => {
    runtime.flush();
    buffer.destroy();
  });
  return {
    name: 'webgpu',
    device,
    kernels,
    instance: ctx.instance,
    adapterName: ctx.adapterName,
    software: ctx.software,
    features: ctx.features,
    runtime,
    pool,
    matmulF16,
    matmulVariant: (a, b, out, p, variant) => { gemm.matmul(a, b, out, p, variant); },
    // Flash attention recomputes the probabilities: its state is one log-sum-exp per row.
    attentionStateLength: (bh: number, t: number) => bh * t,
    onLost: (listener) => runtime.onLost(listener),
    uploadInt8(values: Int8Array): GpuInt8 {
      const bytes = Math.max(4, Math.ceil(values.length / 4) * 4);
      const buffer = pool.createRaw(bytes, `${values.length} int8 weights`);
      const padded = new Uint8Array(bytes);
      padded.set(new Uint8Array(values.buffer, values.byteOffset, values.length));
      runtime.flush();
      ctx.device.queue.writeBuffer(buffer, 0, padded);
      const q = new GpuInt8(values.length, buffer);
      int8Buffers.register(q, buffer);
      return q;
    },
  };
}

/**
 * Opens a GPU (or SwiftShader) and builds the backend, without registering it.
 * @example const { backend, reason } = await createWebGpuBackend({ mode: 'swiftshader' });
 */
export async function createWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuResult> {
  const mode = options.mode ?? 'auto';
  const ctx = await openGpu(mode, options.allowSoftware ?? mode === 'swiftshader');
  if ('reason' in ctx) return { backend: null, reason: ctx.reason };
  return { backend: build(ctx), reason: null };
}

let opened: Promise<WebGpuResult> | null = null;

/**
 * Opens the backend once per process as the environment asks (MOXING_WEBGPU=swiftshader forces the
 * CPU driver) and registers its device as 'webgpu'. Later calls return the same result.
 * @example const { backend, reason } = await initWebGpu(); if (!backend) console.error(reason);
 */
export function initWebGpu(options: WebGpuOptions = {}): Promise<WebGpuResult> {
  opened ??= (async () => {
    const env = envVar('MOXING_WEBGPU');
    const mode = options.mode ?? (env === 'swiftshader' ? 'swiftshader' : 'auto');
    const result = await createWebGpuBackend({ ...options, mode });
    if (result.backend) registerDeviceBackend(result.backend as unknown as DeviceBackend);
    return result;
  })();
  return opened;
}
