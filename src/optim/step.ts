// One optimizer step from a loss, the same on every device and precision: backward (scaled under
// mixed precision), unscale, clip, step unless the gradients overflowed, clear; one host read.

import type { Parameter } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from './optimizer.js';
import type { GradScaler } from './grad-scaler.js';
import { clipGradNorm } from './clip.js';

/**
 * Runs backward from `loss` and applies one update of `opt` to `params`, clipping the global norm
 * at `clip` (0: no clipping; the norm is still measured under a scaler to catch overflow).
 * @example const { loss } = await optimizerStep(model.forward(x, y).loss!, opt, model.parameters(), 1, null);
 */
export async function optimizerStep<H extends { lr: number }>(
  loss: Tensor, opt: Optimizer<H>, params: readonly Parameter[], clip: number, scaler: GradScaler | null,
): Promise<{ loss: number; gradNorm: number; stepped: boolean }> {
  (scaler ? scaler.scale(loss) : loss).backward();
  if (scaler) scaler.unscale(params);
  const limit = clip > 0 ? clip : scaler ? Infinity : 0;
  const norm = limit > 0 ? clipGradNorm(params, limit) : null;
  const lossValue = await loss.item();
  const gradNorm = norm ? await norm.item() : NaN;
  const stepped = !scaler || scaler.update(Number.isFinite(gradNorm));
  if (stepped) opt.step();
  opt.zeroGrad();
  return { loss: lossValue, gradNorm, stepped };
}
