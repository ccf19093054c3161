// Gradient clipping by global L2 norm (Pascanu et al. 2013), on the gradients' device.

import type { Parameter } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { maximum } from '../ops/index.js';

/**
 * Scales all gradients so their joint L2 norm is at most maxNorm (by maxNorm / (norm + 1e-6) when
 * above it); returns the norm before clipping as a scalar tensor on the device (read it only when
 * you log it), or null when no parameter has a gradient.
 * @example const norm = clipGradNorm(model.parameters(), 1.0); if (logging) console.log(await norm?.item());
 */
export function clipGradNorm(params: readonly Parameter[], maxNorm: number): Tensor | null {
  return noGrad(() => {
    const withGrad = params.filter((p) => p.grad !== null);
    if (withGrad.length === 0) return null;
    let sq: Tensor | null = null;
    for (const p of withGrad) {
      const s = p.grad!.mul(p.grad!).sum();
      sq = sq ? sq.add(s) : s;
    }
    const norm = sq!.sqrt();
    // min(1, maxNorm / (norm + eps)) = -max(-1, -ratio): no host read, no branch.
    const factor = maximum(norm.add(1e-6).div(maxNorm).pow(-1).neg(), -1).neg();
    for (const p of withGrad) p.grad = p.grad!.mul(factor);
    return norm;
  });
}
