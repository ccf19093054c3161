// Gradient clipping by global L2 norm (Pascanu et al. 2013), on the gradients' device: two kernels
// over all gradients at once (l2NormMulti, clipScaleMulti), so a device runs a constant number of
// dispatches whatever the number of tensors, and the cpu one pass to measure and one to scale.

import type { Parameter } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { kernelsFor } from '../backends/registry.js';

const EPS = 1e-6;

/**
 * Scales all gradients so their joint L2 norm is at most maxNorm (by maxNorm / (norm + 1e-6) when
 * above it); returns the norm before clipping as a scalar tensor on the device (read it only when
 * you log it), or null when no parameter has a gradient. maxNorm Infinity only measures. The
 * gradients become new tensors (a gradient shared with another tensor is never scaled in place).
 * @example const norm = clipGradNorm(model.parameters(), 1.0); if (logging) console.log(await norm?.item());
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): Tensor | null {
  if (!(maxNorm > 0)) throw new RangeError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  return noGrad(() => {
    const withGrad = params.filter((p) => p.grad !== null);
    if (withGrad.length === 0) return null;
    const grads = withGrad.map((p) => p.grad!);
    const dev = grads[0]!.dev;
    const other = grads.find((g) => g.dev !== dev);
    if (other) throw new Error(`clipGradNorm: gradients on ${dev.name} and ${other.dev.name}; clip the parameters of one device at a time`);
    const kernels = kernelsFor(dev);
    const storages = grads.map((g) => g.storage);
    const norm = new Tensor(dev.alloc(grads[0]!.dtype, 1, true), [], {}, dev);
    kernels.l2NormMulti(storages, norm.storage);
    if (maxNorm === Infinity) return norm;
    const outs = grads.map((g) => new Tensor(dev.alloc(g.dtype, g.size, true), g.shape, {}, dev));
    kernels.clipScaleMulti(storages, norm.storage, maxNorm, EPS, outs.map((o) => o.storage));
    withGrad.forEach((p, i) => { p.grad = outs[i]!; });
    return norm;
  });
}
