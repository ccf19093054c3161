// Inverted dropout (Srivastava et al. 2014): zero with probability p, scale the rest by 1/(1-p).

import { Tensor } from '../tensor/tensor.js';
import { defaultRng, type Rng } from '../tensor/random.js';
import { allocFloat, requireFloat, result } from './util.js';

/**
 * Identity when not training or p = 0; the mask comes from `rng` (seeded).
 * @example dropout(x, 0.1, model.training, rng)
 */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = defaultRng()): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const xd = requireFloat('dropout', x);
  const mask = allocFloat(x.dtype, x.size);
  const scale = 1 / (1 - p);
  const out = allocFloat(x.dtype, x.size);
  for (let i = 0; i < x.size; i++) {
    const keep = rng.next() >= p ? scale : 0;
    mask[i] = keep;
    out[i] = xd[i] * keep;
  }
  return result(out, x.shape, 'dropout', [x], (g) => {
    const dx = allocFloat(x.dtype, x.size);
    for (let i = 0; i < x.size; i++) dx[i] = g.data[i] * mask[i];
    return [new Tensor(dx, x.shape)];
  });
}
