// Reference AdamW step (Loshchilov & Hutter 2019): decoupled decay, then the bias-corrected Adam update.

import type { AdamWParams } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';

export function adamw(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, p: AdamWParams): boolean {
  const { lr, beta1, beta2, eps, weightDecay, step } = p;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  const decay = 1 - lr * weightDecay;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i] * decay - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
  return true;
}

/** The multi-tensor form: the same update, tensor by tensor. */
export function adamwMulti(
  params: readonly FloatArray[], grads: readonly FloatArray[], ms: readonly FloatArray[], vs: readonly FloatArray[], hyper: readonly AdamWParams[],
): boolean {
  for (let i = 0; i < params.length; i++) adamw(params[i]!, grads[i]!, ms[i]!, vs[i]!, hyper[i]!);
  return true;
}
