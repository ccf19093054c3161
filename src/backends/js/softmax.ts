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

export function softmaxBackward(y: FloatArray, g: FloatArray, dx: FloatArray, rows: number, cols: number, log: boolean): boolean {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let s = 0;
    if (log) {
      // y = x - lse: dx = g - softmax * sum(g)
      for (let j = 0; j < cols; j++) s += g[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = g[o + j] - Math.exp(y[o + j]) * s;
    } else {
      // dx = y * (g - sum(g * y))
      for (let j = 0; j < cols; j++) s += g[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (g[o + j] - s);
    }
  }
  return true;
}
