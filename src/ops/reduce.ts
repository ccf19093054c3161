// Reductions over axes: sum, mean, max (gradient to the first maximum), argmax.

import { Tensor } from '../tensor/tensor.js';
import { type Shape, ShapeError, normAxis, sizeOf } from '../tensor/shape.js';
import { alloc, allocOutput, broadcastStorage, kernels, make, requireFloat, result, splitAt, sumAxis } from './util.js';

function normAxes(op: string, x: Tensor, axis: number | number[] | undefined): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  const axes = list.map((a) => normAxis(a, x.ndim, op));
  if (new Set(axes).size !== axes.length) throw new Error(`${op}: repeated axis in [${list.join(',')}]`);
  return axes.sort((a, b) => a - b);
}

function reducedShape(shape: Shape, axes: number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** Sums over the given axes (all by default). @example sum(x, 1, true) // (N, 1) */
export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const axes = normAxes('sum', x, axis);
  let storage = x.storage;
  let shape = [...x.shape];
  // Reduce from the last axis down so earlier axis numbers stay valid (dims kept as 1).
  for (let i = axes.length - 1; i >= 0; i--) {
    storage = sumAxis(x, storage, shape, axes[i]!);
    shape[axes[i]!] = 1;
  }
  if (axes.length === 0) storage = x.clone().storage;
  const kept = shape;
  const outShape = reducedShape(x.shape, axes, keepDims);
  return result(storage, outShape, 'sum', [x], (g) => [make(g.dev, broadcastStorage(make(g.dev, g.storage, kept), x.shape), x.shape)]);
}

/** Mean over the given axes (all by default). */
export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  const axes = normAxes('mean', x, axis);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return sum(x, axis, keepDims).mul(1 / count);
}

/** Max and first argmax over one axis (or of the flattened tensor), with the shapes both ops need. */
function maxAndArg(x: Tensor, axis: number | undefined, keepDims: boolean, op: string) {
  const flat = axis === undefined;
  const shape = flat ? [x.size] : x.shape;
  const ax = flat ? 0 : normAxis(axis, x.ndim, op);
  const kept = [...shape];
  kept[ax] = 1;
  const [outer, len, inner] = splitAt(shape, ax);
  // A max over nothing has no value (and no position): NumPy raises the same.
  if (len === 0) throw new ShapeError(`${op}: the ${flat ? 'tensor is empty' : `axis ${ax} has size 0`} (shape [${x.shape.join(', ')}]): no maximum`);
  const xd = requireFloat(op, x);
  const arg = allocOutput(x.dev, 'int32', sizeOf(kept));
  kernels(x).argmax(xd, arg, outer, len, inner);
  const outShape = flat ? (keepDims ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [ax], keepDims);
  return { arg, outShape, outer, len, inner };
}

/** Maximum over one axis (or all); the gradient flows to the first maximal element. */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  const { arg, outShape, outer, len, inner } = maxAndArg(x, axis, keepDims, 'max');
  // The values at the argmax: one gather, so max and argmax agree (first maximum, NaN wins).
  const out = allocOutput(x.dev, x.dtype, outer * inner);
  kernels(x).gather(x.storage, arg, out, outer, len, 1, inner);
  return result(out, outShape, 'max', [x], (g) => {
    const dx = alloc(x.dev, x.dtype, x.size);
    kernels(g).scatterAdd(g.storage, arg, dx, outer, len, 1, inner);
    return [make(g.dev, dx, x.shape)];
  });
}

/** Index of the first maximum over one axis (or of the flattened tensor), as int32. */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  const { arg, outShape } = maxAndArg(x, axis, keepDims, 'argmax');
  return make(x.dev, arg, outShape);
}
