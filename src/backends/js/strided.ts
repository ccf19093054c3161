// Reference strided kernels: fill, cast, the general strided copy, broadcasting binary ops, where.
// One odometer loop serves them all: the innermost dimension runs directly, the outer ones by counter.

import type { BroadcastParams, BinaryKernel, StridedCopyParams } from '../backend.js';
import type { FloatArray, TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { binaryFn } from './elementwise.js';

export function fill(out: TypedArray, value: number): boolean {
  out.fill(value);
  return true;
}

export function cast(x: TypedArray, out: TypedArray): boolean {
  if (out instanceof Int32Array && !(x instanceof Int32Array)) {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  } else {
    out.set(x);
  }
  return true;
}

/**
 * Visits every index of `shape` with offsets into up to two strided operands; `body(o, a, b, n, ai, bi)`
 * handles one run of the innermost dimension of length n starting at offsets a, b with steps ai, bi.
 */
function odometer(
  shape: readonly number[], aStart: number, as: readonly number[], bStart: number, bs: readonly number[],
  body: (a: number, b: number, n: number, ai: number, bi: number) => void,
): void {
  const rank = shape.length;
  if (sizeOf(shape) === 0) return;
  if (rank === 0) { body(aStart, bStart, 1, 0, 0); return; }
  const inner = shape[rank - 1]!;
  const ai = as[rank - 1]!;
  const bi = bs[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let a = aStart;
  let b = bStart;
  const runs = sizeOf(shape) / inner;
  for (let r = 0; r < runs; r++) {
    body(a, b, inner, ai, bi);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      a += as[d]!;
      b += bs[d]!;
      if (idx[d]! < shape[d]!) break;
      a -= as[d]! * shape[d]!;
      b -= bs[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function copyStrided(x: TypedArray, out: TypedArray, p: StridedCopyParams): boolean {
  const acc = p.accumulate;
  odometer(p.shape, p.xOffset, p.xStrides, p.outOffset, p.outStrides, (xo, oo, n, xi, oi) => {
    if (acc) for (let j = 0; j < n; j++) out[oo + j * oi] += x[xo + j * xi]!;
    else if (xi === 1 && oi === 1) out.set(x.subarray(xo, xo + n), oo);
    else for (let j = 0; j < n; j++) out[oo + j * oi] = x[xo + j * xi]!;
  });
  return true;
}

export function broadcastBinary(op: BinaryKernel, a: TypedArray, b: TypedArray, out: TypedArray, p: BroadcastParams): boolean {
  const n = out.length;
  // A tensor times a scalar (scaling gradients, learning rates): one tight loop, no odometer.
  if (b.length === 1 && a.length === n && p.aStrides.every((s, i) => s === stride(p.shape, i))) {
    const v = b[0]!;
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i]! + v; return true;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i]! - v; return true;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i]! * v; return true;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i]! / v; return true;
      default: break;
    }
  }
  const f = binaryFn(op);
  let o = 0;
  odometer(p.shape, 0, p.aStrides, 0, p.bStrides, (ao, bo, n, ai, bi) => {
    for (let j = 0; j < n; j++) out[o++] = f(a[ao + j * ai]!, b[bo + j * bi]!);
  });
  return true;
}

export function where(cond: TypedArray, a: TypedArray, b: TypedArray, out: TypedArray): boolean {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i]! : b[i]!;
  return true;
}

export function notEqual(x: Int32Array, value: number, out: FloatArray): boolean {
  for (let i = 0; i < x.length; i++) out[i] = x[i] !== value ? 1 : 0;
  return true;
}

/** The contiguous stride of dimension i of shape (0 for size-1 dimensions, as broadcastStrides gives). */
function stride(shape: readonly number[], i: number): number {
  if (shape[i] === 1) return 0;
  let s = 1;
  for (let d = i + 1; d < shape.length; d++) s *= shape[d]!;
  return s;
}
