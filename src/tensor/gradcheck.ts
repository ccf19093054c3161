// Finite-difference gradient checking: compares backward() with central differences in float64.

import type { Tensor } from './tensor.js';
import { noGrad } from './grad-mode.js';

export interface GradCheckResult {
  /** Largest relative error |analytic - numeric| / max(1, |analytic|, |numeric|) over all inputs. */
  maxRelError: number;
  /** Where it occurred: input index and flat element index. */
  worst: { input: number; index: number; analytic: number; numeric: number };
}

/**
 * Checks d sum(f(inputs) * w)/d inputs against central differences, with a fixed random weighting w
 * so every output element matters. Inputs must be float64 leaves with requiresGrad.
 * @example gradCheck((x) => x.tanh(), [randn([3, 4], { dtype: 'float64', requiresGrad: true })]).maxRelError < 1e-5
 */
export function gradCheck(f: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], eps = 1e-6): GradCheckResult {
  for (const x of inputs) {
    if (x.dtype !== 'float64') throw new TypeError(`gradCheck: inputs must be float64, got ${x.dtype}`);
    x.grad = null;
  }
  const probe = noGrad(() => f(...inputs));
  // Deterministic weights in [0.5, 1.5): a plain sum would hide errors that cancel across outputs.
  const w = new Float64Array(probe.size);
  for (let i = 0; i < w.length; i++) w[i] = 0.5 + ((i * 7919) % 101) / 101;
  const weighted = (out: Tensor): number => {
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.dataSync()[i] * w[i];
    return s;
  };
  const out = f(...inputs);
  const W = new (out.constructor as new (d: Float64Array, s: readonly number[]) => Tensor)(w, out.shape);
  out.backward(W);
  const worst = { input: -1, index: -1, analytic: 0, numeric: 0 };
  let maxRelError = 0;
  inputs.forEach((x, xi) => {
    if (!x.requiresGrad) return;
    const analytic = x.grad ? x.grad.dataSync() : new Float64Array(x.size);
    const xs = x.dataSync(); // perturbed in place: a cpu tool
    for (let i = 0; i < x.size; i++) {
      const orig = xs[i];
      xs[i] = orig + eps;
      const plus = noGrad(() => weighted(f(...inputs)));
      xs[i] = orig - eps;
      const minus = noGrad(() => weighted(f(...inputs)));
      xs[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i];
      const rel = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      if (rel > maxRelError || worst.input < 0) {
        if (rel >= maxRelError) maxRelError = rel;
        Object.assign(worst, { input: xi, index: i, analytic: a, numeric });
      }
    }
  });
  return { maxRelError, worst };
}
