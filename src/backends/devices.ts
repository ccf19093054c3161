// Startup for programs that run models: the cpu backends, then the GPU when one is there or asked
// for. MOXING_BACKEND=webgpu requires it; MOXING_WEBGPU=swiftshader uses Chromium's CPU Vulkan
// driver (tests, CI); with neither, a real GPU adapter is used when one exists, the cpu otherwise.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackends, getThreads } from './index.js';
import { activeBackendName, setBackend, getBackend } from './registry.js';
import { envVar } from './env.js';

/** Where new tensors go after initDevices, in words for start lines and benchmarks. */
export interface DeviceChoice {
  /** 'webgpu' or 'cpu' (or cpu-strict under MOXING_BACKEND=cpu-strict). */
  device: string;
  /** e.g. 'webgpu (nvidia hopper H200)', 'cpu (blas + wasm, 2 threads)'. */
  description: string;
}

let chosen: DeviceChoice | null = null;

/**
 * Opens what this machine has and picks the default device (once per process).
 * @example const { description } = await initDevices(); io.err(`moxing: running on ${description}`);
 */
export async function initDevices(): Promise<DeviceChoice> {
  if (chosen) return chosen;
  initBackends();
  const want = envVar('MOXING_BACKEND');
  const swiftshader = envVar('MOXING_WEBGPU') === 'swiftshader';
  const probe = !want && envVar('MOXING_WEBGPU') !== 'off' && vulkanLoaderPresent();
  if (want === 'webgpu' || swiftshader || probe) {
    // Loaded only here: Dawn is a native module the cpu-only paths (and the browser build) never need.
    const { initWebGpu } = await import('./webgpu/index.js');
    const { backend, reason } = await initWebGpu();
    if (backend) {
      setBackend('webgpu');
      chosen = { device: 'webgpu', description: `webgpu (${backend.adapterName}${backend.software ? ', software' : ''})` };
      return chosen;
    }
    if (want === 'webgpu' || swiftshader) throw new Error(`MOXING_BACKEND=webgpu: ${reason}`);
  }
  const name = activeBackendName();
  const description = name === 'cpu-strict' ? 'cpu-strict (the test device)' : cpuDescription(want ? getBackend().name : null);
  chosen = { device: name === 'cpu-strict' ? 'cpu-strict' : 'cpu', description };
  return chosen;
}

function cpuDescription(backend: string | null): string {
  const fast = initBackends();
  const cpuNames = [fast.blas ? 'blas' : null, fast.wasm ? 'wasm' : null, 'js'].filter((n): n is string => n !== null);
  return `cpu (${backend ?? cpuNames.join(' + ')}, ${getThreads()} thread${getThreads() === 1 ? '' : 's'})`;
}

/**
 * After the GPU was lost: new tensors go to the cpu from now on, and the device choice says so.
 * @example const { description } = fallBackToCpu(err.message); // 'cpu (blas + wasm + js, 2 threads; the GPU was lost)'
 */
export function fallBackToCpu(reason: string): DeviceChoice {
  setBackend('cpu');
  chosen = { device: 'cpu', description: `${cpuDescription(null).slice(0, -1)}; after a GPU fault: ${reason})` };
  return chosen;
}

/**
 * Whether Dawn could find a GPU driver here: on Linux only through the Vulkan loader (libvulkan.so.1),
 * so without one the probe is skipped (it costs nothing then, and Dawn would print a warning).
 */
function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true; // Metal, D3D12
  const dirs = [
    ...(envVar('LD_LIBRARY_PATH') ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}
