// Layout ops: reshape (a view), permute/transpose, slice, concat, broadcastTo, cast.

import { Tensor } from '../tensor/tensor.js';
import { type Shape, ShapeError, broadcastShapes, normAxis, sameShape, shapeStr, sizeOf, stridesOf } from '../tensor/shape.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Device, Storage } from '../tensor/device.js';
import type { StridedCopyParams } from '../backends/backend.js';
import { alloc, allocOutput, broadcastStorage, kernels, make, result, sumToShape } from './util.js';
import { retainingSubarray } from '../backends/registry.js';

/** A strided copy of x's storage into `out` (see StridedCopyParams). */
function copyInto(x: Tensor, xs: Storage, out: Storage, p: Partial<StridedCopyParams> & Pick<StridedCopyParams, 'shape'>): void {
  kernels(x).copyStrided(xs, out, {
    xOffset: 0, outOffset: 0, accumulate: false, xStrides: stridesOf(p.shape), outStrides: stridesOf(p.shape), ...p,
  });
}

/** x's storage permuted: out.shape[i] = shape[axes[i]]. */
function permuted(x: Tensor, xs: Storage, shape: Shape, axes: readonly number[]): Storage {
  const out = allocOutput(x.dev, x.dtype, sizeOf(shape));
  const own = stridesOf(shape);
  copyInto(x, xs, out, { shape: axes.map((a) => shape[a]!), xStrides: axes.map((a) => own[a]!) });
  return out;
}

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
  return result(x.storage, s, 'reshape', [x], (g) => [make(g.dev, g.storage, x.shape)]);
}

/** Reorders axes: out.shape[i] = x.shape[axes[i]] (copies into contiguous storage). */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.ndim) throw new ShapeError(`permute: ${axes.length} axes given for a tensor of rank ${x.ndim}`);
  const norm = axes.map((a) => normAxis(a, x.ndim, 'permute'));
  if (new Set(norm).size !== norm.length) throw new ShapeError(`permute: axes [${axes.join(',')}] are not a permutation`);
  const outShape = norm.map((a) => x.shape[a]);
  const out = permuted(x, x.storage, x.shape, norm);
  const inverse = new Array<number>(norm.length);
  norm.forEach((a, i) => { inverse[a] = i; });
  return result(out, outShape, 'permute', [x], (g) => [make(g.dev, permuted(g, g.storage, g.shape, inverse), x.shape)]);
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
  // (outer, width) blocks of x starting at s * inner in rows of len * inner.
  const blocks = { shape: [outer, width], xStrides: [len * inner, 1], outStrides: [width, 1] };
  const host = outer === 1 ? x.dev.hostView(x.storage) : null;
  let out: Storage;
  if (host) {
    // Slicing the outermost axis of host memory is a view: no copy.
    out = retainingSubarray(host as TypedArray, s * inner, e * inner);
  } else {
    out = allocOutput(x.dev, x.dtype, outer * width);
    copyInto(x, x.storage, out, { ...blocks, xOffset: s * inner });
  }
  return result(out, outShape, 'slice', [x], (g) => {
    const dx = alloc(g.dev, g.dtype, x.size);
    copyInto(g, g.storage, dx, { shape: blocks.shape, xStrides: blocks.outStrides, outStrides: blocks.xStrides, outOffset: s * inner });
    return [make(g.dev, dx, x.shape)];
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
  const device: Device = first.dev;
  for (const t of tensors) {
    if (t.dev !== device) throw new Error(`concat: tensors on different devices ('${device.name}' and '${t.device}')`);
  }
  const out = allocOutput(device, first.dtype, sizeOf(outShape));
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const w = t.shape[ax]! * inner;
    offsets.push(offset);
    copyInto(t, t.storage, out, { shape: [outer, w], xStrides: [w, 1], outStrides: [total * inner, 1], outOffset: offset });
    offset += w;
  }
  return result(out, outShape, 'concat', tensors, (g) =>
    tensors.map((t, i) => {
      if (!t.requiresGrad) return null;
      const w = t.shape[ax]! * inner;
      const dx = allocOutput(g.dev, g.dtype, t.size);
      copyInto(g, g.storage, dx, { shape: [outer, w], xStrides: [total * inner, 1], outStrides: [w, 1], xOffset: offsets[i]! });
      return make(g.dev, dx, t.shape);
    }),
  );
}

/** Stacks same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: no tensors given');
  const first = tensors[0];
  const ax = normAxis(axis, first.ndim + 1, 'stack');
  // Checked here, on the inputs as given: concat would check them too, but its message would name
  // concat and the reshaped shapes (a stray size-1 axis) rather than stack and its inputs.
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) throw new ShapeError(`stack: input ${i} has shape ${shapeStr(t.shape)}, input 0 has ${shapeStr(first.shape)} (stack needs equal shapes)`);
    if (t.dtype !== first.dtype) throw new TypeError(`stack: input ${i} is ${t.dtype}, input 0 is ${first.dtype} (stack needs one dtype)`);
    if (t.dev !== first.dev) throw new Error(`stack: input ${i} is on device '${t.device}', input 0 on '${first.device}'`);
  });
  return concat(tensors.map((t) => reshape(t, [...t.shape.slice(0, ax), 1, ...t.shape.slice(ax)])), ax);
}

/** Repeats size-1 (or missing leading) dimensions to reach `shape`. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const target = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(target, shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  const out = sameShape(x.shape, shape) ? x.storage : broadcastStorage(x, shape);
  return result(out, shape, 'broadcastTo', [x], (g) => [sumToShape(g, x.shape)]);
}

/** Converts the dtype; gradients flow between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  const out = allocOutput(x.dev, dtype, x.size);
  kernels(x).cast(x.storage, out);
  if (dtype === 'int32') return make(x.dev, out, x.shape);
  return result(out, x.shape, 'cast', [x], (g) => [cast(g, x.dtype)]);
}

/** A copy with its own storage on the same device, cut from the graph. @example copy(x) */
export function copy(x: Tensor): Tensor {
  const out = allocOutput(x.dev, x.dtype, x.size);
  copyInto(x, x.storage, out, { shape: [x.size] });
  return make(x.dev, out, x.shape);
}

/**
 * x on another device: a copy through the host (read, then upload), differentiable (the gradient
 * moves back). Synchronous on the way to a device; from a device the host read must wait, so use
 * `await toDeviceAsync` there, or read on the cpu side.
 */
export function toDevice(x: Tensor, device: Device): Tensor {
  if (x.dev === device) return x;
  const host = x.dev.hostView(x.storage);
  if (!host) {
    throw new Error(`to('${device.name}'): tensor is on '${x.device}', which cannot be read synchronously; use await toDeviceAsync(x, '${device.name}')`);
  }
  return result(device.upload(host), x.shape, 'to', [x], (g) => [toDevice(g, x.dev)], device);
}

/** x on another device, from any device (waits for the read). @example await toDeviceAsync(x, cpu) */
export async function toDeviceAsync(x: Tensor, device: Device): Promise<Tensor> {
  if (x.dev === device) return x;
  const host = await x.dev.read(x.storage);
  return make(device, device.upload(host), x.shape);
}

/**
 * Copies src's values into dst's storage in place (same shape and dtype; across devices through the
 * host, which must be able to read src synchronously). For loading weights into a model.
 * @example assign(model.wte.weight, loaded)
 */
export function assign(dst: Tensor, src: Tensor): void {
  if (!sameShape(dst.shape, src.shape)) throw new ShapeError(`assign: shape ${shapeStr(src.shape)} into ${shapeStr(dst.shape)}`);
  const from = src.dtype === dst.dtype ? src : cast(src, dst.dtype);
  if (from.dev === dst.dev) {
    copyInto(from, from.storage, dst.storage, { shape: [dst.size] });
    return;
  }
  const host = from.dev.hostView(from.storage);
  if (!host) throw new Error(`assign: source on '${from.device}' cannot be read synchronously; move it with await toDeviceAsync first`);
  dst.dev.write(dst.storage, host);
}
