// Reference layer norm over the last axis (Ba, Kiros & Hinton 2016), forward and backward.

import type { FloatArray } from '../../tensor/dtype.js';

export function layerNorm(
  x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, out: FloatArray,
  mean: FloatArray, rstd: FloatArray, rows: number, cols: number, eps: number,
): boolean {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = 0;
    for (let j = 0; j < cols; j++) m += x[o + j];
    m /= cols;
    let v = 0;
    for (let j = 0; j < cols; j++) { const d = x[o + j] - m; v += d * d; }
    v /= cols; // biased variance, as PyTorch's LayerNorm
    const rs = 1 / Math.sqrt(v + eps);
    mean[r] = m;
    rstd[r] = rs;
    for (let j = 0; j < cols; j++) {
      let y = (x[o + j] - m) * rs;
      if (weight) y *= weight[j];
      if (bias) y += bias[j];
      out[o + j] = y;
    }
  }
  return true;
}

export function layerNormBackward(
  x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, dy: FloatArray,
  dx: FloatArray, dWeight: FloatArray | null, dBias: FloatArray | null, rows: number, cols: number,
): boolean {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const m = mean[r];
    const rs = rstd[r];
    // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * weight
    let sumD = 0;
    let sumDX = 0;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[o + j] - m) * rs;
      const d = weight ? dy[o + j] * weight[j] : dy[o + j];
      sumD += d;
      sumDX += d * xhat;
      if (dWeight) dWeight[j] += dy[o + j] * xhat;
      if (dBias) dBias[j] += dy[o + j];
    }
    sumD /= cols;
    sumDX /= cols;
    for (let j = 0; j < cols; j++) {
      const xhat = (x[o + j] - m) * rs;
      const d = weight ? dy[o + j] * weight[j] : dy[o + j];
      dx[o + j] = rs * (d - sumD - xhat * sumDX);
    }
  }
  return true;
}
