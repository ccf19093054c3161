// Reference reductions and index kernels over (outer, len, inner) views: sum, max, argmax, gather, scatter-add.

import type { ReduceKernel } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';

export function reduce(op: ReduceKernel, x: FloatArray, out: FloatArray, outer: number, len: number, inner: number): boolean {
  if (op === 'sum') {
    out.fill(0);
    for (let o = 0; o < outer; o++) {
      const xBase = o * len * inner;
      const oBase = o * inner;
      for (let r = 0; r < len; r++) {
        const row = xBase + r * inner;
        for (let i = 0; i < inner; i++) out[oBase + i] += x[row + i]!;
      }
    }
    return true;
  }
  const arg = new Int32Array(outer * inner);
  return argmaxInto(x, out, arg, outer, len, inner);
}

/** Max and first argmax together; NaN wins over numbers (as NumPy's max). */
function argmaxInto(x: FloatArray, out: FloatArray | null, arg: Int32Array, outer: number, len: number, inner: number): boolean {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = -Infinity;
      let bestIdx = 0;
      for (let r = 0; r < len; r++) {
        const v = x[o * len * inner + r * inner + i]!;
        if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
          best = v;
          bestIdx = r;
        }
      }
      if (out) out[o * inner + i] = len === 0 ? -Infinity : best;
      arg[o * inner + i] = bestIdx;
    }
  }
  return true;
}

export function argmax(x: FloatArray, out: Int32Array, outer: number, len: number, inner: number): boolean {
  return argmaxInto(x, null, out, outer, len, inner);
}

export function gather(x: FloatArray, idx: Int32Array, out: FloatArray, outer: number, len: number, count: number, inner: number): boolean {
  for (let o = 0; o < outer; o++)
    for (let r = 0; r < count; r++)
      for (let i = 0; i < inner; i++) {
        const at = o * count * inner + r * inner + i;
        out[at] = x[o * len * inner + idx[at]! * inner + i]!;
      }
  return true;
}

export function scatterAdd(g: FloatArray, idx: Int32Array, dx: FloatArray, outer: number, len: number, count: number, inner: number): boolean {
  for (let o = 0; o < outer; o++)
    for (let r = 0; r < count; r++)
      for (let i = 0; i < inner; i++) {
        const at = o * count * inner + r * inner + i;
        dx[o * len * inner + idx[at]! * inner + i] += g[at]!;
      }
  return true;
}

export function scatterAddFlat(g: FloatArray, idx: Int32Array, dx: FloatArray): boolean {
  for (let i = 0; i < idx.length; i++) dx[idx[i]!] += g[i]!;
  return true;
}
