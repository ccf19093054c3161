// cpu-strict: a test device whose storage cannot be read without `await data()`. It runs the cpu
// kernels on wrapped arrays, so any code that still touches storage directly (a typed-array index,
// dataSync) fails on it; it also counts live buffers, to prove a training loop holds steady memory.

import type { DeviceBackend, Kernels } from '../backend.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { type Device, type DeviceBuffer, type Storage, cpu } from '../../tensor/device.js';
import { kernelsFor } from '../registry.js';

/** A strict buffer: the array is private to the device's kernels. */
class StrictBuffer implements DeviceBuffer {
  constructor(readonly dtype: DType, readonly length: number, readonly inner: TypedArray | Int8Array) {}
}

/** Live buffers and bytes of the strict device (collected buffers are subtracted by a FinalizationRegistry). */
export interface StrictCounters {
  live: number;
  liveBytes: number;
  allocated: number;
}

const counters: StrictCounters = { live: 0, liveBytes: 0, allocated: 0 };
const registry = new FinalizationRegistry<number>((bytes) => {
  counters.live--;
  counters.liveBytes -= bytes;
});

function track(b: StrictBuffer): StrictBuffer {
  counters.live++;
  counters.allocated++;
  const bytes = b.inner.byteLength;
  counters.liveBytes += bytes;
  registry.register(b, bytes);
  return b;
}

function unwrap(s: unknown): unknown {
  if (s instanceof StrictBuffer) return s.inner;
  if (Array.isArray(s)) return s.map(unwrap);
  return s;
}

function own(s: Storage): StrictBuffer {
  if (!(s instanceof StrictBuffer)) throw new Error('cpu-strict: storage from another device');
  return s;
}

const device: Device = {
  name: 'cpu-strict',
  alloc(dtype, size, uninitialized) {
    return track(new StrictBuffer(dtype, size, cpu.alloc(dtype, size, uninitialized)));
  },
  upload(values) {
    const inner = cpu.upload(values);
    return track(new StrictBuffer(dtypeOf(inner), inner.length, inner));
  },
  write(storage, values) {
    (own(storage).inner as TypedArray).set(values);
  },
  read(storage) {
    return Promise.resolve((own(storage).inner as TypedArray).slice());
  },
  hostView() {
    return null;
  },
  sync() {
    return Promise.resolve();
  },
};

function dtypeOf(a: TypedArray): DType {
  return a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : 'int32';
}

/** Every cpu kernel with strict buffers unwrapped (arrays of buffers too, as the KV caches). */
function strictKernels(): Kernels<Storage, Storage, Storage, unknown> {
  return new Proxy({} as Kernels<Storage, Storage, Storage, unknown>, {
    get(_, name: string) {
      return (...args: unknown[]): boolean => {
        const k = (kernelsFor(cpu) as unknown as Record<string, (...a: unknown[]) => boolean>)[name];
        if (!k) throw new Error(`cpu-strict: no kernel ${name}`);
        return k(...args.map(unwrap));
      };
    },
  });
}

/** The strict test device's backend (register with registerDeviceBackend). */
export const strictBackend: DeviceBackend = {
  name: 'cpu-strict',
  device,
  kernels: strictKernels(),
  uploadInt8(values: Int8Array) {
    return track(new StrictBuffer('int32', values.length, values.slice()));
  },
};

/** A snapshot of the live-buffer counters. */
export function strictCounters(): StrictCounters {
  return { ...counters };
}
