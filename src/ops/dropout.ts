// Inverted dropout (Srivastava et al. 2014): zero with probability p, scale the rest by 1/(1-p).
// The mask comes from a counter-based generator (Philox) keyed by one draw of `rng`, so every device
// draws the same mask for the same seed.

import { Tensor } from '../tensor/tensor.js';
import { defaultRng, type Rng } from '../tensor/random.js';
import { allocOutput, kernels, make, requireFloat, result } from './util.js';

/**
 * Identity when not training or p = 0; the mask comes from `rng` (seeded).
 * @example dropout(x, 0.1, model.training, rng)
 */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = defaultRng()): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const xd = requireFloat('dropout', x);
  const mask = allocOutput(x.dev, x.dtype, x.size);
  const out = allocOutput(x.dev, x.dtype, x.size);
  kernels(x).dropout(xd, out, mask, p, rng.nextUint32(), 0);
  return result(out, x.shape, 'dropout', [x], (g) => {
    const dx = allocOutput(g.dev, g.dtype, g.size);
    kernels(g).binary('mul', g.storage, mask, dx);
    return [make(g.dev, dx, x.shape)];
  });
}
