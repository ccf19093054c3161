// Helpers every op uses: output construction with its autograd node, scalar promotion, un-broadcasting.

import { Tensor, type GradNode } from '../tensor/tensor.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import type { DType, FloatArray, TypedArray } from '../tensor/dtype.js';
import { allocStorage } from '../backends/registry.js';
import { type Shape, ShapeError, sameShape, shapeStr, sizeOf } from '../tensor/shape.js';
import { sumAxis } from '../backends/js/strided.js';

/** Allocates zeroed storage for an op's output from the active backend. */
export function alloc(dtype: DType, size: number): TypedArray {
  return allocStorage(dtype, size);
}

/** Allocates float storage (the result of float ops). */
export function allocFloat(dtype: DType, size: number): FloatArray {
  if (dtype === 'int32') throw new TypeError('expected a float dtype');
  return allocStorage(dtype, size) as FloatArray;
}

/**
 * Float storage with unspecified contents, for an output every backend's kernel writes in full
 * (a GEMM without accumulate, an element-wise map, attention): skips zeroing a reused block.
 */
export function allocOutput(dtype: DType, size: number): FloatArray {
  if (dtype === 'int32') throw new TypeError('expected a float dtype');
  return allocStorage(dtype, size, true) as FloatArray;
}

/**
 * Wraps an op's result; records the graph node when grad is on and an input requires grad.
 * `backward` runs under noGrad and returns one gradient (or null) per input.
 */
export function result(
  data: TypedArray, shape: Shape, op: string, inputs: readonly Tensor[], backward: GradNode['backward'],
): Tensor {
  const out = new Tensor(data, shape);
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

/** A number becomes a scalar tensor of `like`'s dtype. */
export function asTensor(x: Tensor | number, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  const data = alloc(like.dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** The common dtype of two operands; mixing dtypes is an error that names the op. */
export function commonDtype(op: string, a: Tensor, b: Tensor): DType {
  if (a.dtype !== b.dtype) {
    throw new TypeError(`${op}: dtype mismatch ${a.dtype} vs ${b.dtype} (convert one with .to())`);
  }
  return a.dtype;
}

/** Requires a float tensor, naming the op. */
export function requireFloat(op: string, x: Tensor): FloatArray {
  if (x.dtype === 'int32') throw new TypeError(`${op}: expected a float tensor, got int32`);
  return x.data as FloatArray;
}

/** A tensor with the same storage viewed as `shape` (sizes must agree). */
export function view(x: Tensor, shape: Shape): Tensor {
  if (sizeOf(shape) !== x.size) throw new ShapeError(`reshape: cannot view ${shapeStr(x.shape)} as ${shapeStr(shape)}`);
  return new Tensor(x.data, shape);
}

/**
 * Sums a broadcast gradient back to an input's shape: over leading extra dimensions and over
 * dimensions where the input had size 1.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  let data = g.data;
  let cur = [...g.shape];
  const lead = cur.length - shape.length;
  // Leading dims: collapse them into one and sum it away.
  if (lead > 0) {
    const leadSize = sizeOf(cur.slice(0, lead));
    const rest = cur.slice(lead);
    const out = alloc(g.dtype, sizeOf(rest));
    sumAxis(data, [leadSize, ...rest], 0, out);
    data = out;
    cur = rest;
  }
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1 && cur[d] !== 1) {
      const next = [...cur];
      next[d] = 1;
      const out = alloc(g.dtype, sizeOf(next));
      sumAxis(data, cur, d, out);
      data = out;
      cur = next;
    }
  }
  return new Tensor(data, shape);
}

/**
 * An index array in the active backend's storage (a copy), so fast kernels read it in place: ids
 * built in plain JS arrays (data loaders, positions) would otherwise send the call back to js.
 */
export function kernelInts(data: Int32Array): Int32Array {
  const out = allocStorage('int32', data.length) as Int32Array;
  out.set(data);
  return out;
}
