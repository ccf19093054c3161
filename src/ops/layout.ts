// Layout ops: reshape (a view), permute/transpose, slice, concat, broadcastTo, cast.

import { Tensor } from '../tensor/tensor.js';
import { type Shape, ShapeError, broadcastShapes, normAxis, sameShape, shapeStr, sizeOf } from '../tensor/shape.js';
import type { DType } from '../tensor/dtype.js';
import { broadcastCopy, permuteCopy } from '../backends/js/strided.js';
import { alloc, result, sumToShape } from './util.js';
import { retainingSubarray } from '../backends/registry.js';

/** Resolves one -1 in a requested shape. */
function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (free >= 0) {
    if (out.indexOf(-1, free + 1) >= 0) throw new ShapeError(`reshape: only one -1 allowed in ${shapeStr(shape)}`);
    const known = out.reduce((n, d, i) => (i === free ? n : n * d), 1);
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
    out[free] = x.size / known;
  }
  if (sizeOf(out) !== x.size || out.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
  }
  return out;
}

/** The same storage seen with a new shape (one dimension may be -1). @example reshape(x, [B * T, -1]) */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape(x, shape);
  return result(x.data, s, 'reshape', [x], (g) => [new Tensor(g.data, x.shape)]);
}

/** Reorders axes: out.shape[i] = x.shape[axes[i]] (copies into contiguous storage). */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.ndim) throw new ShapeError(`permute: ${axes.length} axes given for a tensor of rank ${x.ndim}`);
  const norm = axes.map((a) => normAxis(a, x.ndim, 'permute'));
  if (new Set(norm).size !== norm.length) throw new ShapeError(`permute: axes [${axes.join(',')}] are not a permutation`);
  const outShape = norm.map((a) => x.shape[a]);
  const out = alloc(x.dtype, x.size);
  permuteCopy(x.data, x.shape, norm, out);
  const inverse = new Array<number>(norm.length);
  norm.forEach((a, i) => { inverse[a] = i; });
  return result(out, outShape, 'permute', [x], (g) => {
    const dx = alloc(g.dtype, g.size);
    permuteCopy(g.data, g.shape, inverse, dx);
    return [new Tensor(dx, x.shape)];
  });
}

/** Swaps two axes. */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const axes = x.shape.map((_, i) => i);
  const i = normAxis(a, x.ndim, 'transpose');
  const j = normAxis(b, x.ndim, 'transpose');
  axes[i] = j;
  axes[j] = i;
  return permute(x, axes);
}

/** Elements start..end-1 along one axis (negative indices count from the end). */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const ax = normAxis(axis, x.ndim, 'slice');
  const len = x.shape[ax];
  const s = start < 0 ? start + len : start;
  const e = end === undefined ? len : end < 0 ? end + len : end;
  if (s < 0 || e > len || s > e) {
    throw new ShapeError(`slice: range [${start}, ${end ?? len}) is out of bounds for axis ${axis} of size ${len} in ${shapeStr(x.shape)}`);
  }
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const outShape = [...x.shape];
  outShape[ax] = e - s;
  const width = (e - s) * inner;
  // Slicing the outermost axis is a view: no copy.
  const out = outer === 1 ? retainingSubarray(x.data, s * inner, e * inner) : alloc(x.dtype, outer * width);
  if (outer !== 1) {
    for (let o = 0; o < outer; o++) {
      const src = o * len * inner + s * inner;
      out.set(x.data.subarray(src, src + width), o * width);
    }
  }
  return result(out, outShape, 'slice', [x], (g) => {
    const dx = alloc(g.dtype, x.size);
    for (let o = 0; o < outer; o++) dx.set(g.data.subarray(o * width, (o + 1) * width), o * len * inner + s * inner);
    return [new Tensor(dx, x.shape)];
  });
}

/** Joins tensors along an axis; all other dimensions must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: no tensors given');
  const first = tensors[0];
  const ax = normAxis(axis, first.ndim, 'concat');
  for (const t of tensors) {
    if (t.dtype !== first.dtype) throw new TypeError(`concat: dtype mismatch ${first.dtype} vs ${t.dtype}`);
    const ok = t.ndim === first.ndim && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!ok) throw new ShapeError(`concat: shapes ${tensors.map((x) => shapeStr(x.shape)).join(', ')} differ outside axis ${axis}`);
  }
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const total = tensors.reduce((n, t) => n + t.shape[ax], 0);
  const outShape = [...first.shape];
  outShape[ax] = total;
  const out = alloc(first.dtype, sizeOf(outShape));
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const w = t.shape[ax] * inner;
    offsets.push(offset);
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * w, (o + 1) * w), o * total * inner + offset);
    offset += w;
  }
  return result(out, outShape, 'concat', tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const w = t.shape[ax] * inner;
      const dx = alloc(g.dtype, t.size);
      for (let o = 0; o < outer; o++) dx.set(g.data.subarray(o * total * inner + offsets[i], o * total * inner + offsets[i] + w), o * w);
      return new Tensor(dx, t.shape);
    }),
  );
}

/** Stacks same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: no tensors given');
  const rank = tensors[0].ndim + 1;
  const ax = normAxis(axis, rank, 'stack');
  return concat(tensors.map((t) => reshape(t, [...t.shape.slice(0, ax), 1, ...t.shape.slice(ax)])), ax);
}

/** Repeats size-1 (or missing leading) dimensions to reach `shape`. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const target = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(target, shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  const out = alloc(x.dtype, sizeOf(shape));
  broadcastCopy(x.data, x.shape, shape, out);
  return result(out, shape, 'broadcastTo', [x], (g) => [sumToShape(g, x.shape)]);
}

/** Converts the dtype; gradients flow between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  const out = alloc(dtype, x.size);
  if (dtype === 'int32') {
    for (let i = 0; i < x.size; i++) out[i] = Math.trunc(x.data[i]);
    return new Tensor(out, x.shape);
  }
  out.set(x.data);
  return result(out, x.shape, 'cast', [x], (g) => [cast(g, x.dtype)]);
}
