// Weight initializers (in place, seeded): normal, uniform, Xavier/Glorot, Kaiming/He, constants.
// Values are drawn on the host (the seeded Rng) and written to the tensor's device in one copy.

import type { Tensor } from '../tensor/tensor.js';
import { defaultRng, type Rng } from '../tensor/random.js';

/** Fills with N(mean, std^2). GPT-2 uses std 0.02. */
export function normal(t: Tensor, mean = 0, std = 1, rng: Rng = defaultRng()): Tensor {
  const v = new Float64Array(t.size);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal(mean, std);
  t.write(v);
  return t;
}

/** Fills with U(low, high). */
export function uniform(t: Tensor, low: number, high: number, rng: Rng = defaultRng()): Tensor {
  const v = new Float64Array(t.size);
  for (let i = 0; i < v.length; i++) v[i] = low + (high - low) * rng.next();
  t.write(v);
  return t;
}

/** Fills with a constant. */
export function constant(t: Tensor, value: number): Tensor {
  t.write(new Float64Array(t.size).fill(value));
  return t;
}

/** fan_in and fan_out of a (out, in, ...) weight, as PyTorch computes them. */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) return [t.size, t.size];
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Glorot & Bengio (2010): U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform(t: Tensor, gain = 1, rng: Rng = defaultRng()): Tensor {
  const [fanIn, fanOut] = fans(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, rng);
}

/** Glorot normal: N(0, gain^2 * 2 / (fan_in + fan_out)). */
export function xavierNormal(t: Tensor, gain = 1, rng: Rng = defaultRng()): Tensor {
  const [fanIn, fanOut] = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

/** He et al. (2015) for ReLU nets: U(-b, b), b = sqrt(6 / fan_in). */
export function kaimingUniform(t: Tensor, rng: Rng = defaultRng()): Tensor {
  const [fanIn] = fans(t);
  const b = Math.sqrt(6 / fanIn);
  return uniform(t, -b, b, rng);
}

/** He normal: N(0, 2 / fan_in). */
export function kaimingNormal(t: Tensor, rng: Rng = defaultRng()): Tensor {
  const [fanIn] = fans(t);
  return normal(t, 0, Math.sqrt(2 / fanIn), rng);
}
