// Opening WebGPU in a browser page through navigator.gpu: the same result as the Node opener
// (src/backends/webgpu/gpu.ts, which loads Dawn), swapped in for it by the browser build. Typed
// locally so this file compiles without the webgpu backend or the WebGPU type package.

import { web } from './web-api.js';

interface Adapter {
  features: { has(name: string): boolean };
  limits: Record<string, unknown>;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits?: Record<string, number> }): Promise<{ features: { has(name: string): boolean } }>;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<Adapter | null>;
}

/** Debian's chromium folder (kept so the module has the Node opener's exports). */
export const SWIFTSHADER_DIR = '/usr/lib/chromium';

/**
 * The page's adapter and a device with its maximum limits and the features the kernels use.
 * Software adapters (SwiftShader) count whatever `allowSoftware` says: the browser picked it
 * (Chromium's --use-webgpu-adapter=swiftshader flag chooses SwiftShader).
 * @example const ctx = await openGpu('auto'); if ('reason' in ctx) console.log(ctx.reason);
 */
export async function openGpu(mode: 'auto' | 'swiftshader', allowSoftware = true): Promise<object | { reason: string }> {
  const gpu = web.navigator?.gpu as Gpu | undefined;
  if (!gpu) return { reason: 'this browser has no WebGPU (navigator.gpu is missing; a secure context and a WebGPU-enabled browser are needed)' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { reason: 'the browser found no WebGPU adapter' };
  const wanted = ['shader-f16', 'subgroups', 'timestamp-query'].filter((f) => adapter.features.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const v = adapter.limits[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  let device;
  try {
    device = await adapter.requestDevice({ requiredFeatures: wanted, requiredLimits });
  } catch {
    device = await adapter.requestDevice({ requiredFeatures: wanted });
  }
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter((s) => s).join(' ');
  const software = info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(name);
  // The page's browser chose this adapter (Chromium's --use-webgpu-adapter flag, or its own
  // fallback): take it even when it is software, which the Node opener declines unless asked.
  void allowSoftware;
  return {
    device,
    instance: gpu,
    adapterName: name || 'unknown adapter',
    software,
    features: {
      f16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      subgroupMatrixF16: false,
      timestamps: device.features.has('timestamp-query'),
    },
    subgroupMatrixConfigs: [],
  };
}
