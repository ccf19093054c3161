// Opening a WebGPU device in Node through Dawn (npm `webgpu`): the adapter, its limits and features,
// and SwiftShader (Chromium's CPU Vulkan driver) when MOXING_WEBGPU=swiftshader or no GPU is there.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What the kernels may use on this adapter. */
export interface GpuFeatures {
  /** `shader-f16`: f16 arithmetic in WGSL. */
  f16: boolean;
  /** `subgroups`: subgroup builtins. */
  subgroups: boolean;
  /** `chromium-experimental-subgroup-matrix` with an f16 x f16 -> f32 configuration (tensor cores). */
  subgroupMatrixF16: boolean;
  /** `timestamp-query`. */
  timestamps: boolean;
}

/** An opened device with what was learned about its adapter. */
export interface GpuContext {
  device: GPUDevice;
  /**
   * Dawn's instance: it must outlive the device (dawn.node frees the instance when this object is
   * collected, and then crashes polling its events), so the context keeps it.
   */
  instance: GPU;
  /** One line: vendor, architecture, description (for start lines and benchmarks). */
  adapterName: string;
  /** A software adapter (SwiftShader, llvmpipe): correct but slow, not worth choosing by default. */
  software: boolean;
  features: GpuFeatures;
  /** Subgroup-matrix configurations the adapter reports (M x N x K with component types). */
  subgroupMatrixConfigs: ReadonlyArray<{ M: number; N: number; K: number; componentType: string; resultComponentType: string }>;
}

/** Where Debian's chromium package keeps SwiftShader and the Vulkan loader beside it. */
export const SWIFTSHADER_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`;

// Dawn toggles that expose f16 and the f16 subgroup matrices (tensor cores) on NVIDIA's Vulkan driver;
// allow_unsafe_apis is needed for the experimental subgroup-matrix feature. Harmless elsewhere.
const DAWN_TOGGLES = 'enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia,enable_subgroup_matrix_f16_on_nvidia';

type DawnModule = { create(options: string[]): GPU; globals: object };

let vulkanLoader: unknown = null;

/**
 * Points the Vulkan loader at SwiftShader inside this process: VK_ICD_FILENAMES is read when Dawn
 * creates its Vulkan instance, and loading chromium's libvulkan.so.1 by absolute path first makes
 * Dawn's later dlopen('libvulkan.so.1') find it by soname, so no LD_LIBRARY_PATH (which glibc reads
 * only at process start) and no launcher are needed.
 */
function useSwiftShader(): string | null {
  if (!existsSync(SWIFTSHADER_ICD)) {
    return `SwiftShader not found (${SWIFTSHADER_ICD}); install Debian's chromium package (apt-get install chromium)`;
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  try {
    const require = createRequire(import.meta.url);
    const koffi = require('koffi') as { load(path: string): unknown };
    // Kept for the life of the process: koffi unloads a library whose object is collected, and a
    // collection between here and Dawn's dlopen (the awaits of loading Dawn) left Dawn without a
    // Vulkan loader ("Dawn found no adapter on SwiftShader", more often the more a program imports).
    vulkanLoader ??= koffi.load(`${SWIFTSHADER_DIR}/libvulkan.so.1`);
  } catch (e) {
    // A system libvulkan1 (on the library path) serves as well; say nothing unless the adapter is missing.
    void e;
  }
  return null;
}

/**
 * Whether a Vulkan loader is there at all (Linux): without one Dawn finds no adapter anyway, and
 * asking it prints a warning on stderr, which a cpu-only machine probing for a GPU should not show.
 */
function hasVulkanLoader(): boolean {
  if (process.platform !== 'linux') return true;
  let koffi: { load(path: string): unknown };
  try {
    koffi = createRequire(import.meta.url)('koffi') as typeof koffi;
  } catch {
    return true; // cannot tell without koffi (a bundle carried to a GPU machine): let Dawn look
  }
  try {
    koffi.load('libvulkan.so.1');
    return true;
  } catch {
    return false;
  }
}

/** Loads Dawn for Node; a reason string when the package or its binary for this platform is missing. */
async function loadDawn(): Promise<DawnModule | string> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    return `the 'webgpu' package (Dawn) could not be loaded on ${process.platform}-${process.arch}: ${(e as Error).message}`;
  }
}

/**
 * Opens the best adapter with its maximum limits and the features the kernels use. `mode`
 * 'swiftshader' forces the CPU driver; 'auto' takes what Dawn offers (a GPU where the Vulkan loader
 * finds one) and falls back to SwiftShader only when `allowSoftware` is set.
 * @example const ctx = await openGpu('swiftshader'); if ('reason' in ctx) console.log(ctx.reason);
 */
export async function openGpu(mode: 'auto' | 'swiftshader', allowSoftware = true): Promise<GpuContext | { reason: string }> {
  if (mode === 'swiftshader') {
    const why = useSwiftShader();
    if (why) return { reason: why };
  }
  if (mode === 'auto' && !hasVulkanLoader() && !(allowSoftware && !useSwiftShader())) {
    return { reason: 'no WebGPU adapter: no Vulkan loader (libvulkan.so.1) on this machine; MOXING_WEBGPU=swiftshader uses the CPU driver' };
  }
  const dawn = await loadDawn();
  if (typeof dawn === 'string') return { reason: dawn };
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage and friends, as in a browser
  const gpu = dawn.create([DAWN_TOGGLES]);
  let instance = gpu;
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter && mode === 'auto' && allowSoftware && !useSwiftShader()) {
    instance = dawn.create([DAWN_TOGGLES]);
    adapter = await instance.requestAdapter();
  }
  if (!adapter) {
    return { reason: mode === 'swiftshader' ? 'Dawn found no adapter on SwiftShader' : 'no WebGPU adapter (no GPU with a Vulkan driver; MOXING_WEBGPU=swiftshader uses the CPU driver)' };
  }
  const has = (f: string): boolean => adapter.features.has(f);
  const wanted = ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix', 'timestamp-query'].filter(has);
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, number>;
  for (const key in limits) {
    const v = limits[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures: wanted as GPUFeatureName[], requiredLimits });
  } catch {
    // Some limits can be reported but not granted together; the defaults still run every kernel.
    device = await adapter.requestDevice({ requiredFeatures: wanted as GPUFeatureName[] });
  }
  const info = adapter.info as GPUAdapterInfo & { subgroupMatrixConfigs?: GpuContext['subgroupMatrixConfigs'] };
  const configs = info.subgroupMatrixConfigs ?? [];
  const name = [info.vendor, info.architecture, info.description].filter((s) => s).join(' ');
  const software = info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe/i.test(name);
  if (software && mode === 'auto' && !allowSoftware) return { reason: `only a software adapter (${name})` };
  return {
    device,
    instance,
    adapterName: name || 'unknown adapter',
    software,
    features: {
      f16: device.features.has('shader-f16'),
      subgroups: device.features.has('subgroups'),
      subgroupMatrixF16: device.features.has('chromium-experimental-subgroup-matrix') && device.features.has('shader-f16')
        && configs.some((c) => c.componentType === 'f16' && c.resultComponentType === 'f32'),
      timestamps: device.features.has('timestamp-query'),
    },
    subgroupMatrixConfigs: configs,
  };
}
