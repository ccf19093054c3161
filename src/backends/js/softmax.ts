// Reference row-wise softmax / log-softmax (max-subtracted for stability).

import type { FloatArray } from '../../tensor/dtype.js';

export function softmax(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): boolean {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > max) max = x[o + j];
    if (max === -Infinity) max = 0; // a fully masked row: keep exp finite
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[o + j] - max);
    if (log) {
      const lse = max + Math.log(sum);
      for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - lse;
    } else {
      const inv = 1 / sum;
      for (let j = 0; j < cols; j++) out[o + j] = Math.exp(x[o + j] - max) * inv;
    }
  }
  return true;
}
