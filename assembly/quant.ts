// Int8 weight-only linear layer for decoding: out[r, j] = scale[j] * (x[r, :] . q[j, :]) + bias[j]
// for output channels j0..j1 (a thread's share). Weights are read as 16 int8 per load (4x less
// memory traffic than float32), widened to float in registers, multiplied by float activations.


export function linearInt8(
  x: usize, q: usize, scale: usize, bias: usize, out: usize,
  rows: i32, nIn: i32, nOut: i32, j0: i32, j1: i32,
): void {
  const n16 = nIn & ~15;
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>nIn) << 2);
    for (let j = j0; j < j1; j++) {
      const qj = q + <usize>j * <usize>nIn;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let i = 0;
      for (; i < n16; i += 16) {
        const w = v128.load(qj + <usize>i);
        const lo = i16x8.extend_low_i8x16_s(w);
        const hi = i16x8.extend_high_i8x16_s(w);
        const xo = xr + (<usize>i << 2);
        a0 = f32x4.add(a0, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(xo)));
        a1 = f32x4.add(a1, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(xo + 16)));
        a2 = f32x4.add(a2, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(xo + 32)));
        a3 = f32x4.add(a3, f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(xo + 48)));
      }
      const acc = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
      let s: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
      for (; i < nIn; i++) s += <f32>load<i8>(qj + <usize>i) * load<f32>(xr + (<usize>i << 2));
      let y = s * load<f32>(scale + (<usize>j << 2));
      if (bias != 0) y += load<f32>(bias + (<usize>j << 2));
      store<f32>(out + ((<usize>r * <usize>nOut + <usize>j) << 2), y);
    }
  }
}
