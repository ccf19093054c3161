// Reductions over axes: sum, mean, max (gradient to the first maximum), argmax.

import { Tensor } from '../tensor/tensor.js';
import { type Shape, normAxis, sizeOf } from '../tensor/shape.js';
import { broadcastCopy, maxAxis, sumAxis } from '../backends/js/strided.js';
import { alloc, result } from './util.js';

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
  let data = x.data;
  let shape = [...x.shape];
  // Reduce from the last axis down so earlier axis numbers stay valid (dims kept as 1).
  for (let i = axes.length - 1; i >= 0; i--) {
    const next = [...shape];
    next[axes[i]] = 1;
    const out = alloc(x.dtype, sizeOf(next));
    sumAxis(data, shape, axes[i], out);
    data = out;
    shape = next;
  }
  if (axes.length === 0) data = data.slice();
  const kept = shape;
  const outShape = reducedShape(x.shape, axes, keepDims);
  return result(data, outShape, 'sum', [x], (g) => {
    const dx = alloc(x.dtype, x.size);
    broadcastCopy(g.data, kept, x.shape, dx);
    return [new Tensor(dx, x.shape)];
  });
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
  const out = alloc(x.dtype, sizeOf(kept));
  const arg = new Int32Array(sizeOf(kept));
  maxAxis(x.data, shape, ax, out, arg);
  const outShape = flat ? (keepDims ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [ax], keepDims);
  return { out, arg, outShape, shape, ax };
}

/** Maximum over one axis (or all); the gradient flows to the first maximal element. */
export function max(x: Tensor, axis?: number, keepDims = false): Tensor {
  const { out, arg, outShape, shape, ax } = maxAndArg(x, axis, keepDims, 'max');
  return result(out, outShape, 'max', [x], (g) => {
    const dx = alloc(x.dtype, x.size);
    const inner = sizeOf(shape.slice(ax + 1));
    const len = shape[ax];
    for (let i = 0; i < arg.length; i++) {
      const o = Math.floor(i / inner);
      const r = i % inner;
      dx[o * len * inner + arg[i] * inner + r] += g.data[i];
    }
    return [new Tensor(dx, x.shape)];
  });
}

/** Index of the first maximum over one axis (or of the flattened tensor), as int32. */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  const { arg, outShape } = maxAndArg(x, axis, keepDims, 'argmax');
  return new Tensor(arg, outShape);
}
