// Reference embedding gather and its scatter-add backward.

import type { FloatArray } from '../../tensor/dtype.js';

export function embedding(table: FloatArray, ids: Int32Array, out: FloatArray, dim: number): boolean {
  for (let i = 0; i < ids.length; i++) {
    const src = ids[i] * dim;
    out.set(table.subarray(src, src + dim), i * dim);
  }
  return true;
}

export function embeddingBackward(g: FloatArray, ids: Int32Array, dTable: FloatArray, dim: number): boolean {
  for (let i = 0; i < ids.length; i++) {
    const dst = ids[i] * dim;
    const src = i * dim;
    for (let c = 0; c < dim; c++) dTable[dst + c] += g[src + c];
  }
  return true;
}
