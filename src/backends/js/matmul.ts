// Reference batched matmul: plain loops in i-k-j order (rows of B and out read contiguously).

import type { MatmulParams } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';

export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): boolean {
  const { batch, m, n, k, transA, transB } = p;
  for (let bi = 0; bi < batch; bi++) {
    const aOff = p.aOffset + bi * p.aBatchStride;
    const bOff = p.bOffset + bi * p.bBatchStride;
    const oOff = bi * m * n;
    if (!p.accumulate) out.fill(0, oOff, oOff + m * n);
    if (!transB) {
      for (let i = 0; i < m; i++) {
        const oRow = oOff + i * n;
        for (let q = 0; q < k; q++) {
          const aiq = transA ? a[aOff + q * m + i] : a[aOff + i * k + q];
          if (aiq === 0) continue;
          const bRow = bOff + q * n;
          for (let j = 0; j < n; j++) out[oRow + j] += aiq * b[bRow + j];
        }
      }
    } else {
      for (let i = 0; i < m; i++) {
        const oRow = oOff + i * n;
        for (let j = 0; j < n; j++) {
          const bRow = bOff + j * k;
          let s = 0;
          if (transA) {
            for (let q = 0; q < k; q++) s += a[aOff + q * m + i] * b[bRow + q];
          } else {
            const aRow = aOff + i * k;
            for (let q = 0; q < k; q++) s += a[aRow + q] * b[bRow + q];
          }
          out[oRow + j] += s;
        }
      }
    }
  }
  return true;
}
