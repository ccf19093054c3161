// The Tensor: a typed array, a shape and a dtype, with the autograd node that made it.

import { type DType, type TypedArray, dtypeOf } from './dtype.js';
import { type Shape, ShapeError, shapeStr, sizeOf } from './shape.js';
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

/**
 * An n-dimensional array in contiguous row-major storage. Storage is shared by reshape; memory is
 * reclaimed by the garbage collector (there is no dispose).
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = 2x
 */
export class Tensor {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Whether gradients flow to this tensor; set on leaves you want `.grad` for. */
  requiresGrad: boolean;
  /** Gradient accumulated by backward() on a leaf that requires grad (summed across calls). */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and outside autograd). */
  node: GradNode | null = null;

  constructor(data: TypedArray, shape: Shape, options: TensorOptions = {}) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ShapeError(`Tensor: data has ${data.length} elements but shape ${shapeStr(shape)} needs ${size}`);
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`Tensor: invalid shape ${shapeStr(shape)}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.requiresGrad = options.requiresGrad ?? false;
    if (this.requiresGrad && this.dtype === 'int32') {
      throw new TypeError('Tensor: an int32 tensor cannot require grad');
    }
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, not 1`);
    return this.data[0];
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A plain array of the values in storage order. */
  toList(): number[] {
    return Array.from(this.data);
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
    return new Tensor(this.data, this.shape);
  }

  /** A copy with its own storage, cut from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** Converts to another dtype (differentiable between float dtypes). */
  to(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${shapeStr(this.shape)})`;
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
