// The webgpu device: tensor storage in GPU buffers, host reads through a mapped staging buffer.

import type { DType, TypedArray } from '../../tensor/dtype.js';
import type { Device, Storage } from '../../tensor/device.js';
import { type BufferPool, GpuStorage } from './memory.js';
import type { Runtime } from './runtime.js';
import { DeviceFaultError } from '../fault.js';

const USAGE_MAP_READ = 0x01;
const USAGE_MAP_WRITE = 0x02;
const USAGE_COPY_SRC = 0x04;
const USAGE_COPY_DST = 0x08;
const MAP_READ = 0x01;

function dtypeOfArray(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array) return 'int32';
  return 'float64';
}

function noFloat64(what: string): Error {
  return new Error(`webgpu: ${what} float64 storage: WGSL has no 64-bit floats; use float32 on this device (or the cpu device for float64)`);
}

function asGpu(storage: Storage, what: string): GpuStorage {
  if (!(storage instanceof GpuStorage)) throw new Error(`webgpu: ${what} got storage of another device`);
  return storage;
}

/**
 * Storage lives in GPU buffers; kernels record into the shared command stream. `read` is the only
 * way back to the host (hostView is null); `write` and `upload` record their copy into the same
 * command stream, so it lands after the kernels recorded before it, without a submit.
 */
export class WebGpuDevice implements Device {
  readonly name = 'webgpu';

  constructor(
    readonly runtime: Runtime,
    readonly pool: BufferPool,
    private readonly zero: (s: GpuStorage) => void,
    /** GEMMs can run on f16 tensor cores (`precision: 'mixed'`). */
    readonly supportsF16 = false,
  ) {}

  alloc(dtype: DType, size: number, uninitialized = false): GpuStorage {
    if (dtype === 'float64') throw noFloat64('cannot allocate');
    const { storage, fresh } = this.pool.take(dtype, size, 4);
    if (!fresh && !uninitialized && size > 0) this.zero(storage);
    return storage;
  }

  upload(values: TypedArray): GpuStorage {
    const dtype = dtypeOfArray(values);
    if (dtype === 'float64') throw noFloat64('cannot upload');
    const s = this.alloc(dtype, values.length, true);
    this.write(s, values);
    return s;
  }

  write(storage: Storage, values: TypedArray): void {
    const s = asGpu(storage, 'write');
    if (dtypeOfArray(values) !== s.dtype || values.length !== s.length) {
      throw new Error(`webgpu: write of ${values.length} ${dtypeOfArray(values)} values into ${s.length} ${s.dtype} storage`);
    }
    if (values.length === 0) return;
    if (!this.runtime.hasPending) {
      this.runtime.device.queue.writeBuffer(s.buffer, s.offset, values.buffer, values.byteOffset, values.byteLength);
      return;
    }
    // queue.writeBuffer would land before the commands recorded so far (which may still read this
    // buffer): stage the values and record the copy in order instead, without a submit.
    const staging = this.runtime.device.createBuffer({ size: values.byteLength, usage: USAGE_MAP_WRITE | USAGE_COPY_SRC, mappedAtCreation: true });
    new Uint8Array(staging.getMappedRange()).set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    staging.unmap();
    this.runtime.copy(staging, 0, s.buffer, s.offset, values.byteLength);
    this.runtime.afterSubmit(() => staging.destroy());
  }

  async read(storage: Storage): Promise<TypedArray> {
    const s = asGpu(storage, 'read');
    const out = s.dtype === 'int32' ? new Int32Array(s.length) : new Float32Array(s.length);
    this.runtime.check();
    if (s.length === 0) return out;
    const bytes = s.length * 4;
    const staging = this.runtime.device.createBuffer({ size: bytes, usage: USAGE_MAP_READ | USAGE_COPY_DST });
    try {
      this.runtime.copy(s.buffer, s.offset, staging, 0, bytes);
      this.runtime.flush();
      await staging.mapAsync(MAP_READ, 0, bytes);
      const view = staging.getMappedRange(0, bytes);
      new Uint8Array(out.buffer).set(new Uint8Array(view));
      staging.unmap();
    } catch (e) {
      // A failed map is almost always a lost device, whose own report may land a moment after the
      // rejection: wait for it briefly, so the error says what happened instead of an empty message.
      await Promise.race([this.runtime.device.lost, new Promise((r) => setTimeout(r, 50))]);
      await Promise.resolve();
      this.runtime.check();
      throw new DeviceFaultError('webgpu', 'error', `webgpu: reading ${s.length} ${s.dtype} values back failed: ${(e as Error).message || (e as Error).name}`, { cause: e });
    } finally {
      staging.destroy();
    }
    this.runtime.check();
    return out;
  }

  hostView(): null {
    return null;
  }

  sync(): Promise<void> {
    return this.runtime.sync();
  }
}
