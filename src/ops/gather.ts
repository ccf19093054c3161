// Index ops: embedding lookup (rows of a table) and gather along an axis, with scatter-add backward.

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, normAxis, shapeStr, sizeOf } from '../tensor/shape.js';
import { alloc, allocOutput, indexStorage, kernels, make, requireFloat, result, sameDevice } from './util.js';

/**
 * Rows of `table` (V, D) picked by int32 `ids` of any shape -> (...ids.shape, D).
 * @example embedding(wte, tokens) // (B, T) -> (B, T, C)
 */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  if (table.ndim !== 2) throw new ShapeError(`embedding: table must be 2-D (rows, dim), got ${shapeStr(table.shape)}`);
  const [rows, dim] = table.shape as [number, number];
  const device = sameDevice('embedding', table, ids);
  const idx = indexStorage('embedding', ids, rows);
  const td = requireFloat('embedding', table);
  const out = allocOutput(device, table.dtype, ids.size * dim);
  kernels(table).embedding(td, idx, out, dim);
  return result(out, [...ids.shape, dim], 'embedding', [table], (g) => {
    const dTable = alloc(device, table.dtype, table.size);
    kernels(g).embeddingBackward(g.storage, idx, dTable, dim);
    return [make(device, dTable, table.shape)];
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
  const device = sameDevice('gather', x, index);
  const len = x.shape[ax]!;
  const idx = indexStorage('gather', index, len);
  const outer = sizeOf(x.shape.slice(0, ax));
  const inner = sizeOf(x.shape.slice(ax + 1));
  const count = index.shape[ax]!;
  const xd = requireFloat('gather', x);
  const out = allocOutput(device, x.dtype, index.size);
  kernels(x).gather(xd, idx, out, outer, len, count, inner);
  return result(out, index.shape, 'gather', [x], (g) => {
    const dx = alloc(device, x.dtype, x.size);
    kernels(g).scatterAdd(g.storage, idx, dx, outer, len, count, inner);
    return [make(device, dx, x.shape)];
  });
}
