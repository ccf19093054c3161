// Reference int8 weight-only linear layer: dequantizes each weight on the fly (per-channel scales).

export function linearInt8(
  x: Float32Array, q: Int8Array, scale: Float32Array, bias: Float32Array | null, out: Float32Array,
  rows: number, nIn: number, nOut: number,
): boolean {
  for (let r = 0; r < rows; r++) {
    const xo = r * nIn;
    for (let j = 0; j < nOut; j++) {
      const wo = j * nIn;
      let s = 0;
      for (let i = 0; i < nIn; i++) s += x[xo + i] * q[wo + i];
      out[r * nOut + j] = s * scale[j] + (bias ? bias[j] : 0);
    }
  }
  return true;
}
