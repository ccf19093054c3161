// Devices: where a tensor's storage lives (cpu, webgpu, ...), and the registry that names them.
// The tensor layer knows devices only through this interface; backends implement it and register
// themselves, so nothing here imports a backend.

import { type DType, type TypedArray, allocArray } from './dtype.js';

/**
 * Storage that lives off the JS heap (a GPU buffer, a strict test wrapper): opaque to everything
 * but its device's kernels. `length` is the number of elements, `dtype` their type.
 */
export interface DeviceBuffer {
  readonly length: number;
  readonly dtype: DType;
}

/** A tensor's storage: a typed array on `cpu`, a device buffer elsewhere. */
export type Storage = TypedArray | DeviceBuffer;

/**
 * A place tensors live. `cpu` storage is a typed array (on the JS heap or the wasm heap) that
 * kernels and `dataSync()` use in place; other devices hand out opaque buffers that only their
 * kernels touch, and the host reads them with `read()`.
 */
export interface Device {
  /** 'cpu', 'webgpu', 'cpu-strict' (the test device that forbids host reads). */
  readonly name: string;
  /**
   * Zeroed storage for `size` elements; with `uninitialized`, contents are unspecified (for an
   * output a kernel writes in full).
   */
  alloc(dtype: DType, size: number, uninitialized?: boolean): Storage;
  /** New storage holding a copy of host values (dtype from the array). */
  upload(values: TypedArray): Storage;
  /** Overwrites storage with host values of the same length and dtype. */
  write(storage: Storage, values: TypedArray): void;
  /** A host copy of the values (waits for pending device work). */
  read(storage: Storage): Promise<TypedArray>;
  /**
   * The values in place, synchronously, where the device keeps them in host memory (cpu); null
   * where it cannot (a GPU, the strict test device).
   */
  hostView(storage: Storage): TypedArray | null;
  /** Waits until the device finished the work queued so far. */
  sync(): Promise<void>;
  /** True where GEMMs can run on f16 inputs (`--precision mixed` then uses them). */
  readonly supportsF16?: boolean;
}

/** Thrown when host code reads storage synchronously off a device that keeps it elsewhere. */
export class DeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceError';
  }
}

type Allocator = (dtype: DType, size: number, uninitialized?: boolean) => TypedArray;

/**
 * The cpu device: storage is a typed array. Its allocator is the fast cpu backend's (the wasm heap
 * once wasm loaded, so wasm and BLAS kernels work on tensors in place) or the JS heap.
 */
class CpuDevice implements Device {
  readonly name = 'cpu';
  private allocator: Allocator = allocArray;
  /** Used by backends/index.ts when a cpu backend is chosen. */
  setAllocator(allocator: Allocator): void {
    this.allocator = allocator;
  }
  alloc(dtype: DType, size: number, uninitialized = false): TypedArray {
    return this.allocator(dtype, size, uninitialized);
  }
  upload(values: TypedArray): TypedArray {
    const out = this.allocator(dtypeOfArray(values), values.length, true);
    out.set(values);
    return out;
  }
  write(storage: Storage, values: TypedArray): void {
    (storage as TypedArray).set(values);
  }
  read(storage: Storage): Promise<TypedArray> {
    return Promise.resolve((storage as TypedArray).slice());
  }
  hostView(storage: Storage): TypedArray {
    return storage as TypedArray;
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
}

function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Float64Array) return 'float64';
  return 'int32';
}

/** The cpu device (always present). */
export const cpu = new CpuDevice();

const devices = new Map<string, Device>([['cpu', cpu]]);
let defaultDevice: Device = cpu;

/** Makes a device available by name (backends call this; see backends/index.ts). */
export function registerDevice(device: Device): void {
  devices.set(device.name, device);
}

/**
 * The device of a name, or an error listing the known ones.
 * @example getDevice('cpu')
 */
export function getDevice(name: string): Device {
  const d = devices.get(name);
  if (!d) throw new DeviceError(`unknown device '${name}' (available: ${[...devices.keys()].join(', ')})`);
  return d;
}

/** Names of the registered devices. */
export function deviceNames(): string[] {
  return [...devices.keys()];
}

/** Where new tensors are made unless a `device` option says otherwise. */
export function getDefaultDevice(): Device {
  return defaultDevice;
}

/**
 * Sets where new tensors are made (`MOXING_BACKEND=webgpu` does this for the GPU).
 * @example setDefaultDevice('cpu')
 */
export function setDefaultDevice(device: Device | string): void {
  defaultDevice = typeof device === 'string' ? getDevice(device) : device;
}
