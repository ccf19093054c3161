// Reference loops over strided layouts: broadcasting binary ops, axis reductions, permutations.
// These are the js-only building blocks that ops use for cases the flat kernels do not cover.

import type { BinaryKernel } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { broadcastStrides, type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';
import { binaryFn } from './elementwise.js';

/**
 * out = op(a, b) where a and b broadcast to outShape. The innermost dimension is looped directly,
 * the outer ones with an index counter.
 */
export function broadcastBinary(
  op: BinaryKernel, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, out: TypedArray,
): void {
  const f = binaryFn(op);
  const rank = outShape.length;
  const n = out.length;
  if (n === 0) return;
  if (rank === 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  const inner = outShape[rank - 1];
  const ai = as[rank - 1];
  const bi = bs[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let aOff = 0;
  let bOff = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = f(a[aOff + j * ai], b[bOff + j * bi]);
    // advance the outer index (dims rank-2 .. 0)
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      aOff += as[d];
      bOff += bs[d];
      if (idx[d] < outShape[d]) break;
      aOff -= as[d] * outShape[d];
      bOff -= bs[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/** Copies x (of `shape`) broadcast to `target` into out. */
export function broadcastCopy(x: TypedArray, shape: Shape, target: Shape, out: TypedArray): void {
  const rank = target.length;
  const n = out.length;
  if (n === 0) return;
  if (rank === 0) { out[0] = x[0]; return; }
  const xs = broadcastStrides(shape, target);
  const inner = target[rank - 1];
  const xi = xs[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = x[off + j * xi];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      off += xs[d];
      if (idx[d] < target[d]) break;
      off -= xs[d] * target[d];
      idx[d] = 0;
    }
  }
}

/**
 * Views a reduction over a set of axes as (outer, reduced, inner) loops after grouping:
 * valid when the reduced axes are contiguous. Used by sumAxes for one axis at a time.
 */
function splitAt(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/** Sum over one axis: out has the shape with that axis removed. */
export function sumAxis(x: TypedArray, shape: Shape, axis: number, out: TypedArray): void {
  const [outer, len, inner] = splitAt(shape, axis);
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    const xBase = o * len * inner;
    const oBase = o * inner;
    for (let r = 0; r < len; r++) {
      const row = xBase + r * inner;
      for (let i = 0; i < inner; i++) out[oBase + i] += x[row + i];
    }
  }
}

/** Max and first argmax over one axis. */
export function maxAxis(x: TypedArray, shape: Shape, axis: number, out: TypedArray, arg: Int32Array): void {
  const [outer, len, inner] = splitAt(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = -Infinity;
      let bestIdx = 0;
      for (let r = 0; r < len; r++) {
        const v = x[o * len * inner + r * inner + i];
        if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
          best = v;
          bestIdx = r;
        }
      }
      out[o * inner + i] = len === 0 ? -Infinity : best;
      arg[o * inner + i] = bestIdx;
    }
  }
}

/** out = x permuted: out.shape[i] = shape[axes[i]]. */
export function permuteCopy(x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const n = out.length;
  if (n === 0) return;
  if (rank === 0) { out[0] = x[0]; return; }
  const xs = stridesOf(shape);
  const outShape = axes.map((a) => shape[a]);
  const ps = axes.map((a) => xs[a]); // stride in x of each out dim
  const inner = outShape[rank - 1];
  const pi = ps[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = x[off + j * pi];
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      off += ps[d];
      if (idx[d] < outShape[d]) break;
      off -= ps[d] * outShape[d];
      idx[d] = 0;
    }
  }
}
