// Index ops: embedding lookup (rows of a table) and gather along an axis, with scatter-add backward.

import { Tensor } from '../tensor/tensor.js';
import { runKernel } from '../backends/registry.js';
import { ShapeError, normAxis, shapeStr, sizeOf } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { allocFloat, kernelInts, requireFloat, result } from './util.js';

function requireIndex(op: string, ids: Tensor, limit: number): Int32Array {
  if (ids.dtype !== 'int32') throw new TypeError(`${op}: indices must be int32, got ${ids.dtype}`);
  const data = ids.data as Int32Array;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= limit) {
      throw new RangeError(`${op}: index ${data[i]} at position ${i} is out of range [0, ${limit})`);
    }
  }
  return data;
}

/**
 * Rows of `table` (V, D) picked by int32 `ids` of any shape -> (...ids.shape, D).
 * @example embedding(wte, tokens) // (B, T) -> (B, T, C)
 */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  if (table.ndim !== 2) throw new ShapeError(`embedding: table must be 2-D (rows, dim), got ${shapeStr(table.shape)}`);
  const [rows, dim] = table.shape;
  const idx = kernelInts(requireIndex('embedding', ids, rows));
  const td = requireFloat('embedding', table);
  const out = allocFloat(table.dtype, idx.length * dim);
  runKernel('embedding', td, idx, out, dim);
  return result(out, [...ids.shape, dim], 'embedding', [table], (g) => {
    const dTable = allocFloat(table.dtype, table.size);
    runKernel('embeddingBackward', g.data as FloatArray, idx, dTable, dim);
    return [new Tensor(dTable, table.shape)];
  });
}

/**
 * out[..., j, ...] = x[..., index[..., j, ...], ...] along `axis` (index has x's rank; other dims equal).
 * @example gather(logProbs, 1, targets.reshape(N, 1)) // picks one column per row
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const ax = normAxis(axis, x.ndim, 'gather');
  const ok = index.ndim === x.ndim && index.shape.every((d, i) => i === ax || d === x.shape[i]);
  if (!ok) throw new ShapeError(`gather: index ${shapeStr(index.shape)} does not fit ${shapeStr(x.shape)} along axis ${axis}`);
  const len = x.shape[ax];
  const idx = requireIndex('gather', index, len);
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const count = index.shape[ax];
  const xd = requireFloat('gather', x);
  const out = allocFloat(x.dtype, index.size);
  const at = (o: number, r: number, i: number): number => o * len * inner + idx[o * count * inner + r * inner + i] * inner + i;
  for (let o = 0; o < outer; o++)
    for (let r = 0; r < count; r++)
      for (let i = 0; i < inner; i++) out[o * count * inner + r * inner + i] = xd[at(o, r, i)];
  return result(out, index.shape, 'gather', [x], (g) => {
    const dx = allocFloat(x.dtype, x.size);
    for (let o = 0; o < outer; o++)
      for (let r = 0; r < count; r++)
        for (let i = 0; i < inner; i++) dx[at(o, r, i)] += g.data[o * count * inner + r * inner + i];
    return [new Tensor(dx, x.shape)];
  });
}
