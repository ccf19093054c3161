// Reference cross-entropy from logits: per-row loss and the softmax kept for backward.

import type { FloatArray } from '../../tensor/dtype.js';

export function crossEntropy(
  logits: FloatArray, targets: Int32Array, losses: FloatArray, probs: FloatArray,
  rows: number, cols: number, ignoreIndex: number,
): boolean {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const t = targets[r];
    if (t === ignoreIndex) {
      losses[r] = 0;
      probs.fill(0, o, o + cols);
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(logits[o + j] - max);
      probs[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) probs[o + j] *= inv;
    losses[r] = max + Math.log(sum) - logits[o + t];
  }
  return true;
}

export function crossEntropyBackward(
  probs: FloatArray, targets: Int32Array, rowScale: FloatArray, dx: FloatArray,
  rows: number, cols: number, ignoreIndex: number,
): boolean {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const t = targets[r];
    if (t === ignoreIndex) {
      dx.fill(0, o, o + cols);
      continue;
    }
    const s = rowScale[r];
    for (let j = 0; j < cols; j++) dx[o + j] = probs[o + j] * s;
    dx[o + t] -= s;
  }
  return true;
}
