// Helpers every op uses: output storage on the inputs' device, the graph node, scalar promotion,
// un-broadcasting. Ops never read storage: they hand it to the device's kernels.

import { Tensor, type GradNode } from '../tensor/tensor.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Device, Storage } from '../tensor/device.js';
import { type AnyKernels, kernelsFor } from '../backends/registry.js';
import { type Shape, ShapeError, broadcastStrides, sameShape, shapeStr, sizeOf, stridesOf } from '../tensor/shape.js';

/** The kernel table of a tensor's device. @example kernels(x).unary('exp', x.storage, out) */
export function kernels(x: Tensor): AnyKernels {
  return kernelsFor(x.dev);
}

/** Zeroed storage on a device. */
export function alloc(device: Device, dtype: DType, size: number): Storage {
  return device.alloc(dtype, size);
}

/** Storage with unspecified contents, for an output a kernel writes in full (skips zeroing a reused block). */
export function allocOutput(device: Device, dtype: DType, size: number): Storage {
  return device.alloc(dtype, size, true);
}

/** A tensor of storage on a device (outside autograd). */
export function make(device: Device, storage: Storage, shape: Shape): Tensor {
  return new Tensor(storage, shape, {}, device);
}

/** The device all inputs share; mixing devices is an error that names the op. */
export function sameDevice(op: string, ...tensors: ReadonlyArray<Tensor | null>): Device {
  let device: Device | null = null;
  for (const t of tensors) {
    if (!t) continue;
    if (device && t.dev !== device) {
      throw new Error(`${op}: tensors on different devices ('${device.name}' and '${t.device}'): move one with .to()`);
    }
    device = t.dev;
  }
  if (!device) throw new Error(`${op}: no tensor given`);
  return device;
}

/**
 * Wraps an op's result on its inputs' device; records the graph node when grad is on and an input
 * requires grad. `backward` runs under noGrad and returns one gradient (or null) per input.
 */
export function result(
  storage: Storage, shape: Shape, op: string, inputs: readonly Tensor[], backward: GradNode['backward'], device?: Device,
): Tensor {
  const out = new Tensor(storage, shape, {}, device ?? inputs[0]!.dev);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

/** Host values as new storage on a device (ids, positions, scalars). */
export function upload(device: Device, values: TypedArray): Storage {
  return device.upload(values);
}

/** A number becomes a scalar tensor of `like`'s dtype on its device. */
export function asTensor(x: Tensor | number, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  // undefined, a string or an array would become NaN (or 0 for null) in every element.
  if (typeof x !== 'number') throw new TypeError(`an operand must be a Tensor or a number, got ${x === null ? 'null' : Array.isArray(x) ? 'an array (make it a tensor first)' : typeof x}`);
  const host = like.dtype === 'float64' ? Float64Array.of(x) : like.dtype === 'int32' ? Int32Array.of(x) : Float32Array.of(x);
  return make(like.dev, upload(like.dev, host), []);
}

/** The common dtype of two operands; mixing dtypes is an error that names the op. */
export function commonDtype(op: string, a: Tensor, b: Tensor): DType {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`${op}: dtype mismatch ${a.dtype} vs ${b.dtype} (convert one with .to())`);
  }
  sameDevice(op, a, b);
  return a.dtype;
}

/** Requires a float tensor, naming the op. */
export function requireFloat(op: string, x: Tensor): Storage {
  if (x.dtype === 'int32') throw new TypeError(`${op}: expected a float tensor, got int32`);
  return x.storage;
}

/** A tensor with the same storage viewed as `shape` (sizes must agree). */
export function view(x: Tensor, shape: Shape): Tensor {
  if (sizeOf(shape) !== x.size) throw new ShapeError(`reshape: cannot view ${shapeStr(x.shape)} as ${shapeStr(shape)}`);
  return make(x.dev, x.storage, shape);
}

/** (outer, len, inner) of a reduction over one axis. */
export function splitAt(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

/** Sum over one axis of storage of `shape` (the axis kept as 1) -> new storage. */
export function sumAxis(x: Tensor, storage: Storage, shape: Shape, axis: number): Storage {
  const [outer, len, inner] = splitAt(shape, axis);
  const out = allocOutput(x.dev, x.dtype, outer * inner);
  kernels(x).reduce('sum', storage, out, outer, len, inner);
  return out;
}

/**
 * Sums a broadcast gradient back to an input's shape: over leading extra dimensions and over
 * dimensions where the input had size 1.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let storage = g.storage;
  let cur = [...g.shape];
  const lead = cur.length - shape.length;
  // Leading dims: collapse them into one and sum it away.
  if (lead > 0) {
    const rest = cur.slice(lead);
    storage = sumAxis(g, storage, [sizeOf(cur.slice(0, lead)), ...rest], 0);
    cur = rest;
  }
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1 && cur[d] !== 1) {
      storage = sumAxis(g, storage, cur, d);
      cur[d] = 1;
    }
  }
  return make(g.dev, storage, shape);
}

/** x broadcast to `target` as new contiguous storage (a strided copy with zero strides). */
export function broadcastStorage(x: Tensor, target: Shape): Storage {
  if (sameShape(x.shape, target)) return x.storage;
  const out = allocOutput(x.dev, x.dtype, sizeOf(target));
  kernels(x).copyStrided(x.storage, out, {
    shape: target, xOffset: 0, xStrides: broadcastStrides(x.shape, target), outOffset: 0, outStrides: stridesOf(target), accumulate: false,
  });
  return out;
}

/**
 * Ids as device storage after a range check where the host can see them (cpu): a device kernel
 * reading an index out of range would read garbage, so the check names the op and position.
 */
export function indexStorage(op: string, ids: Tensor, limit: number): Storage {
  if (ids.dtype !== 'int32') throw new TypeError(`${op}: indices must be int32, got ${ids.dtype}`);
  const host = ids.dev.hostView(ids.storage) as Int32Array | null;
  if (host) {
    for (let i = 0; i < host.length; i++) {
      if (host[i]! < 0 || host[i]! >= limit) {
        throw new RangeError(`${op}: index ${host[i]} at position ${i} is out of range [0, ${limit})`);
      }
    }
    // A copy in the device's own allocation: ids built in plain JS arrays (loaders, positions) would
    // otherwise sit outside the wasm heap and send the kernel back to js.
    return ids.dev.upload(host);
  }
  return ids.storage;
}
