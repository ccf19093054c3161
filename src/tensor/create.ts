// Tensor constructors: from nested arrays or typed arrays, constants, ranges and seeded random values.

import { Tensor, type NestedArray, type TensorOptions } from './tensor.js';
import { type DType, type TypedArray, allocArray } from './dtype.js';
import { type Shape, ShapeError, sizeOf } from './shape.js';
import { type Device, cpu, getDefaultDevice, getDevice } from './device.js';
import { defaultRng, type Rng } from './random.js';

export interface CreateOptions extends TensorOptions {
  dtype?: DType;
  /** Where the tensor lives: 'cpu', 'webgpu', ... (default: the default device, see setBackend). */
  device?: string;
}

function deviceOf(options: CreateOptions): Device {
  return options.device === undefined ? getDefaultDevice() : getDevice(options.device);
}

/**
 * Host memory to fill before `place`: the device's own storage on cpu (no copy later), a JS-heap
 * array to upload elsewhere.
 */
function hostBuffer(device: Device, dtype: DType, size: number): TypedArray {
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32') throw new TypeError(`dtype must be 'float32', 'float64' or 'int32', got ${JSON.stringify(dtype)}`);
  return device === cpu ? cpu.alloc(dtype, size) : allocArray(dtype, size);
}

/** The element count of a shape to allocate, its sizes checked first (a negative one is a RangeError from deep inside an allocator). */
function sizeToAllocate(fn: string, shape: Shape): number {
  if (!Array.isArray(shape)) throw new ShapeError(`${fn}: the shape must be an array of sizes, got ${typeof shape}`);
  shape.forEach((d, i) => {
    if (!(Number.isInteger(d) && d >= 0)) throw new ShapeError(`${fn}: shape [${shape.join(', ')}] has size ${d} at axis ${i}; sizes are whole numbers >= 0`);
  });
  return sizeOf(shape);
}

function place(device: Device, values: TypedArray, shape: Shape, options: TensorOptions): Tensor {
  const storage = device === cpu ? values : device.upload(values);
  return new Tensor(storage, shape, options, device);
}

export interface RandomOptions extends CreateOptions {
  rng?: Rng;
}

function inferShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = value;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = (cur as readonly NestedArray[])[0];
  }
  return shape;
}

/**
 * A tensor from a number or nested arrays (float32 unless `dtype` says otherwise).
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(value: NestedArray, options: CreateOptions = {}): Tensor {
  const shape = inferShape(value);
  const device = deviceOf(options);
  const data = hostBuffer(device, options.dtype ?? 'float32', sizeOf(shape));
  let i = 0;
  const fill = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new ShapeError(`tensor: ragged nested array (expected a number at depth ${dim})`);
      data[i++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(`tensor: ragged nested array (expected ${shape[dim]} items at depth ${dim})`);
    }
    for (const item of v as readonly NestedArray[]) fill(item, dim + 1);
  };
  fill(value, 0);
  return place(device, data, shape, options);
}

/**
 * A tensor of host values with a shape: wraps the array on cpu (no copy), uploads it elsewhere.
 * @example fromArray(new Float32Array([1, 2, 3, 4]), [2, 2])
 */
export function fromArray(data: TypedArray, shape: Shape, options: TensorOptions & { device?: string } = {}): Tensor {
  return place(deviceOf(options), data, shape, options);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  const device = deviceOf(options);
  const data = hostBuffer(device, options.dtype ?? 'float32', sizeToAllocate('full', shape));
  if (value !== 0) data.fill(value);
  return place(device, data, shape, options);
}

/** Zeros of a shape. @example zeros([2, 3]) */
export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** Ones of a shape. */
export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros shaped and typed like another tensor. */
export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape, { dtype: x.dtype, device: x.device });
}

/** start, start+step, ... below end. @example arange(0, 5) // [0,1,2,3,4] */
export function arange(start: number, end: number, step = 1, options: CreateOptions = {}): Tensor {
  if (![start, end, step].every(Number.isFinite) || step === 0) throw new RangeError(`arange: start, end and step must be finite and step non-zero, got (${start}, ${end}, ${step})`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const device = deviceOf(options);
  const data = hostBuffer(device, options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return place(device, data, [n], options);
}

/** Standard normal samples (mean 0, std 1), seeded through `rng`. */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  const rng = options.rng ?? defaultRng();
  const device = deviceOf(options);
  const data = hostBuffer(device, options.dtype ?? 'float32', sizeToAllocate('randn', shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return place(device, data, shape, options);
}

/** Uniform samples in [low, high), seeded through `rng`. */
export function rand(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const rng = options.rng ?? defaultRng();
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  const device = deviceOf(options);
  const data = hostBuffer(device, options.dtype ?? 'float32', sizeToAllocate('rand', shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.next();
  return place(device, data, shape, options);
}
