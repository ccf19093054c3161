// Backend selection and dispatch: the cpu backends (blas, wasm, js) in order of preference with
// kernel-by-kernel fallback to js, device backends (webgpu, cpu-strict) each with a complete table,
// and `kernelsFor(device)`, the one door every op goes through.

import type { Backend, DeviceBackend, Kernels } from './backend.js';
import { jsBackend } from './js/index.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { type Device, type Storage, cpu, registerDevice, setDefaultDevice, getDefaultDevice } from '../tensor/device.js';
import { envVar } from './env.js';

/** The kernel table as ops see it: storage is opaque, the device's backend knows its type. */
export type AnyKernels = Kernels<Storage, Storage, Storage, unknown>;

const registered = new Map<string, Backend>([['js', jsBackend]]);
const ranks = new Map<string, number>([['js', 100]]);
const deviceBackends = new Map<string, DeviceBackend>();
/** Backends in the order the default selection tries them for each kernel (fastest first). */
let preference: Backend[] = [jsBackend];
let explicit: Backend | null = null;

/**
 * Makes a cpu backend available. `rank` orders the default choice: lower is tried first.
 * Fast backends register themselves from `backends/index.ts` (an explicit list, no import side effects elsewhere).
 */
export function registerBackend(backend: Backend, rank: number): void {
  registered.set(backend.name, backend);
  ranks.set(backend.name, rank);
  preference = [...registered.values()].sort((a, b) => (ranks.get(a.name) ?? 99) - (ranks.get(b.name) ?? 99));
  rebuild();
}

/** Makes a device and its backend available (it becomes the default only through setBackend). */
export function registerDeviceBackend(backend: DeviceBackend): void {
  deviceBackends.set(backend.device.name, backend);
  registerDevice(backend.device);
}

/** Names of the cpu backends, fastest first (js last). */
export function cpuBackends(): string[] {
  return preference.map((b) => b.name);
}

/** Names of the backends available in this process (cpu backends fastest first, then devices). */
export function availableBackends(): string[] {
  return [...preference.map((b) => b.name), ...deviceBackends.keys()];
}

/**
 * Chooses the cpu backend for every op (kernels it lacks still fall back to js), a device backend
 * (new tensors are made on that device), or `null`/'auto' for the default: cpu, with the fastest
 * available backend for each kernel.
 * @example setBackend('js') // the reference loops, e.g. to check a fast kernel
 */
export function setBackend(name: string | null): void {
  if (name === null || name === 'auto' || name === 'cpu') {
    explicit = null;
    setDefaultDevice(cpu);
  } else if (deviceBackends.has(name)) {
    explicit = null;
    setDefaultDevice(deviceBackends.get(name)!.device);
  } else {
    const b = registered.get(name);
    if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${availableBackends().join(', ')})`);
    explicit = b;
    setDefaultDevice(cpu);
  }
  rebuild();
}

/** The cpu backend chosen with setBackend, or the first of the default order. */
export function getBackend(): Backend {
  return explicit ?? preference[0]!;
}

/** What new tensors use: the default device's backend name ('webgpu'), or the cpu backend's. */
export function activeBackendName(): string {
  const d = getDefaultDevice();
  return d === cpu ? getBackend().name : d.name;
}

type KernelName = keyof Kernels;
type Chain = { [K in KernelName]: Array<Kernels[K]> };
let chains: Chain = buildChains();
let cpuKernels: Kernels = buildCpuKernels();

function buildChains(): Chain {
  const order = explicit ? (explicit === jsBackend ? [jsBackend] : [explicit, jsBackend]) : preference;
  const names = Object.keys(jsBackend.kernels) as KernelName[];
  const out = {} as Record<KernelName, unknown[]>;
  for (const name of names) {
    out[name] = order.map((b) => b.kernels[name]).filter((k) => k !== undefined);
  }
  return out as Chain;
}

/** One function per kernel that tries the chain in order; js always handles the call. */
function buildCpuKernels(): Kernels {
  const table = {} as Record<KernelName, unknown>;
  for (const name of Object.keys(chains) as KernelName[]) {
    const chain = chains[name] as Array<(...a: unknown[]) => boolean>;
    table[name] = chain.length === 1
      ? chain[0]
      : (...args: unknown[]): boolean => {
          for (const k of chain) if (k(...args)) return true;
          throw new Error(`kernel ${name}: no backend handled the call`);
        };
  }
  return table as unknown as Kernels;
}

function rebuild(): void {
  chains = buildChains();
  cpuKernels = buildCpuKernels();
  // New cpu tensors live where the chosen backend's kernels read them in place.
  cpu.setAllocator(getBackend().alloc);
}

/**
 * The complete kernel table of a device: the cpu chain (fast backends, then js) or the device's own.
 * @example kernelsFor(x.deviceRef).unary('exp', x.storage, out)
 */
export function kernelsFor(device: Device): AnyKernels {
  if (device === cpu) return cpuKernels as unknown as AnyKernels;
  const b = deviceBackends.get(device.name);
  if (!b) throw new Error(`no kernels for device '${device.name}'`);
  return b.kernels as AnyKernels;
}

/** The backend of a non-cpu device (for int8 uploads); null on cpu. */
export function deviceBackendOf(device: Device): DeviceBackend | null {
  return deviceBackends.get(device.name) ?? null;
}

/**
 * Runs a cpu kernel on the first backend that handles the call; js always does. For cpu-only code
 * (the classical estimators); ops go through `kernelsFor(device)`.
 * @example runKernel('softmax', x, out, rows, cols, false)
 */
export function runKernel<K extends KernelName>(name: K, ...args: Parameters<Kernels[K]>): void {
  const chain = chains[name] as Array<(...a: Parameters<Kernels[K]>) => boolean>;
  for (const k of chain) if (k(...args)) return;
  throw new Error(`kernel ${name}: no backend handled the call`);
}

/** Allocates cpu storage from the active cpu backend (so fast kernels work on it in place). */
export function allocStorage(dtype: DType, size: number, uninitialized = false): TypedArray {
  return getBackend().alloc(dtype, size, uninitialized);
}

const parents = new WeakMap<object, object>();

/**
 * x.subarray(begin, end) that keeps x alive as long as the subarray is: for a view that outlives
 * its parent (a tensor sliced without a copy). A plain subarray of backend storage does not keep its
 * block from being freed and reused once the parent view is garbage.
 * @example const rows = retainingSubarray(x.dataSync(), 0, 10 * cols);
 */
export function retainingSubarray<T extends TypedArray>(x: T, begin: number, end: number): T {
  const child = x.subarray(begin, end) as T;
  parents.set(child, x);
  return child;
}

/** Applies MOXING_BACKEND once the fast backends have registered. */
export function applyBackendFromEnv(): void {
  const name = envVar('MOXING_BACKEND');
  // webgpu opens asynchronously: initDevices (backends/devices.ts) selects it once it is open.
  if (name && name !== 'webgpu') setBackend(name);
}
