// The Tensor: a shape, a dtype and storage on a device, with the autograd node that made it.
// Its fluent methods call the ops (`x.add(y)` is `ops.add(x, y)`): the Tensor class and src/ops form
// one layer at this file, the one import cycle the layering test allows.

import { type DType, type TypedArray } from './dtype.js';
import { type Shape, ShapeError, shapeStr, sizeOf } from './shape.js';
import { type Device, type Storage, DeviceError, cpu, getDevice } from './device.js';
import { runBackward } from './autograd.js';
import * as ops from '../ops/index.js';
import type { Rng } from './random.js';

/** How a tensor was made: the op, its inputs and the function giving the inputs' gradients. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients of the inputs given the output's gradient (null where an input needs none). */
  readonly backward: (grad: Tensor) => ReadonlyArray<Tensor | null>;
}

export interface TensorOptions {
  requiresGrad?: boolean;
}

/** A nested array of numbers (any depth) as accepted by `tensor()`. */
export type NestedArray = number | readonly NestedArray[];

/** The dtype of storage: typed arrays by class, device buffers by their own field. */
export function storageDtype(storage: Storage): DType {
  if (storage instanceof Float32Array) return 'float32';
  if (storage instanceof Float64Array) return 'float64';
  if (storage instanceof Int32Array) return 'int32';
  return storage.dtype;
}

const DTYPES: ReadonlySet<string> = new Set(['float32', 'float64', 'int32']);

/**
 * An n-dimensional array in contiguous row-major storage on a device (`cpu` unless placed
 * elsewhere). Storage is shared by reshape; memory is reclaimed by the garbage collector (there is
 * no dispose). Host reads are explicit: `await t.data()` anywhere, `t.dataSync()` on cpu.
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = 2x
 * await x.grad!.toArray();   // [[2, 4], [6, 8]]
 */
export class Tensor {
  /** The values: a typed array on cpu, an opaque buffer on other devices. Only kernels touch it. */
  readonly storage: Storage;
  /** The device object the storage belongs to (`device` is its name). */
  readonly dev: Device;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Whether gradients flow to this tensor; set on leaves you want `.grad` for. */
  requiresGrad: boolean;
  /** Gradient accumulated by backward() on a leaf that requires grad (summed across calls). */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and outside autograd). */
  node: GradNode | null = null;

  /** Wraps storage (no copy). Typed arrays are cpu storage unless `device` says otherwise. */
  constructor(storage: Storage, shape: Shape, options: TensorOptions = {}, device: Device = cpu) {
    const size = sizeOf(shape);
    if (storage.length !== size) {
      throw new ShapeError(`Tensor: storage has ${storage.length} elements but shape ${shapeStr(shape)} needs ${size}`);
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`Tensor: invalid shape ${shapeStr(shape)}`);
    }
    this.storage = storage;
    this.dev = device;
    this.shape = Object.freeze([...shape]);
    this.dtype = storageDtype(storage);
    this.requiresGrad = options.requiresGrad ?? false;
    if (this.requiresGrad && this.dtype === 'int32') {
      throw new TypeError('Tensor: an int32 tensor cannot require grad');
    }
  }

  /** The name of the device holding the storage: 'cpu', 'webgpu', ... */
  get device(): string {
    return this.dev.name;
  }

  /** Number of elements. */
  get size(): number {
    return this.storage.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The values in place (no copy) on a device that keeps them in host memory (cpu); a DeviceError
   * naming the device elsewhere. Writes through it change the tensor.
   * @example const v = t.dataSync(); v[0]
   */
  dataSync(): TypedArray {
    const view = this.dev.hostView(this.storage);
    if (!view) {
      throw new DeviceError(`tensor ${shapeStr(this.shape)} is on device '${this.device}': read it with await t.data()`);
    }
    return view;
  }

  /** A host copy of the values in storage order, from any device. */
  data(): Promise<TypedArray> {
    return this.dev.read(this.storage);
  }

  /** The single value of a one-element tensor, from any device. */
  async item(): Promise<number> {
    requireOne(this);
    return (await this.data())[0]!;
  }

  /** The single value of a one-element tensor on cpu (see dataSync). */
  itemSync(): number {
    requireOne(this);
    return this.dataSync()[0]!;
  }

  /** The values as nested arrays (a number for a scalar), from any device. */
  async toArray(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** The values as nested arrays on cpu (see dataSync). */
  toArraySync(): NestedArray {
    return nest(this.dataSync(), this.shape);
  }

  /** Overwrites the values from the host (same length; converted to this dtype). */
  write(values: ArrayLike<number>): void {
    if (values.length !== this.size) {
      throw new ShapeError(`write: ${values.length} values for a tensor of ${this.size} elements ${shapeStr(this.shape)}`);
    }
    const host = hostArray(this.dtype, values);
    this.dev.write(this.storage, host);
  }

  /**
   * Back-propagates from this tensor: accumulates d(this)/d(leaf) into every leaf's `.grad`.
   * Without `grad`, this must be a single-element tensor (a loss).
   */
  backward(grad?: Tensor): void {
    runBackward(this, grad);
  }

  /** The same values, cut from the graph (shares storage). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, {}, this.dev);
  }

  /** A copy with its own storage on the same device, cut from the graph. */
  clone(): Tensor {
    return ops.copy(this);
  }

  /**
   * Converts to another dtype (differentiable between float dtypes), or moves to another device
   * (a copy; the same tensor if it is there already).
   * @example x.to('float64'); x.to('webgpu')
   */
  to(target: DType | string): Tensor {
    if (DTYPES.has(target)) return ops.cast(this, target as DType);
    return ops.toDevice(this, getDevice(target));
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${shapeStr(this.shape)}${this.dev === cpu ? '' : `, ${this.device}`})`;
  }

  // Element-wise arithmetic (NumPy broadcasting). Numbers are promoted to scalars of this dtype.
  add(other: Tensor | number): Tensor { return ops.add(this, other); }
  sub(other: Tensor | number): Tensor { return ops.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ops.mul(this, other); }
  div(other: Tensor | number): Tensor { return ops.div(this, other); }
  pow(exponent: Tensor | number): Tensor { return ops.pow(this, exponent); }
  maximum(other: Tensor | number): Tensor { return ops.maximum(this, other); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  tanh(): Tensor { return ops.tanh(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  relu(): Tensor { return ops.relu(this); }
  gelu(): Tensor { return ops.gelu(this); }

  // Reductions over axes (all axes when omitted).
  sum(axis?: number | number[], keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: number, keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  argmax(axis?: number, keepDims = false): Tensor { return ops.argmax(this, axis, keepDims); }

  // Linear algebra and layout.
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  reshape(...shape: number[] | [number[]]): Tensor {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as number[];
    return ops.reshape(this, s);
  }
  permute(...axes: number[]): Tensor { return ops.permute(this, axes); }
  /** Swaps two axes (the last two by default). */
  transpose(a = -2, b = -1): Tensor { return ops.transpose(this, a, b); }
  slice(axis: number, start: number, end?: number): Tensor { return ops.slice(this, axis, start, end); }
  broadcastTo(shape: Shape): Tensor { return ops.broadcastTo(this, shape); }

  // Neural-network functions over the last axis (or `axis`).
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  maskedFill(mask: Tensor, value: number): Tensor { return ops.maskedFill(this, mask, value); }
  dropout(p: number, training: boolean, rng?: Rng): Tensor { return ops.dropout(this, p, training, rng); }
}

function requireOne(t: Tensor): void {
  if (t.size !== 1) throw new ShapeError(`item: tensor of shape ${shapeStr(t.shape)} has ${t.size} elements, not 1`);
}

function nest(values: TypedArray, shape: readonly number[]): NestedArray {
  const build = (dim: number, offset: number): NestedArray => {
    if (dim === shape.length) return values[offset]!;
    const stride = sizeOf(shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[dim]!; i++) out.push(build(dim + 1, offset + i * stride));
    return out;
  };
  return build(0, 0);
}

/** Host values as a typed array of a dtype (no copy when they already are one). */
export function hostArray(dtype: DType, values: ArrayLike<number>): TypedArray {
  if (dtype === 'float32') return values instanceof Float32Array ? values : Float32Array.from(values);
  if (dtype === 'float64') return values instanceof Float64Array ? values : Float64Array.from(values);
  return values instanceof Int32Array ? values : Int32Array.from(values);
}
