// Dynamic loss scaling for mixed precision (Micikevicius et al. 2018): the loss is multiplied by a
// large factor so small gradients survive f16 products, gradients are divided back before clipping
// and the update, and a step whose gradients overflowed is skipped and the factor halved.

import type { Parameter } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';

export interface GradScalerOptions {
  /** Starting factor (PyTorch's default 2^16). */
  initScale: number;
  /** Multiply the factor by this after `growthInterval` finite steps in a row. */
  growthFactor: number;
  /** Multiply by this after a step that overflowed. */
  backoffFactor: number;
  growthInterval: number;
}

/**
 * Scales losses up and gradients back down; `update(finite)` after each step adapts the factor.
 * @example
 * scaler.scale(loss).backward(); scaler.unscale(params);
 * const norm = await clipGradNorm(params, 1)!.item();
 * if (scaler.update(Number.isFinite(norm))) opt.step();
 */
export class GradScaler {
  readonly options: GradScalerOptions;
  /** The current factor. */
  factor: number;
  private goodSteps = 0;
  /** Steps skipped because their gradients were not finite. */
  skipped = 0;

  constructor(options: Partial<GradScalerOptions> = {}) {
    this.options = { initScale: 2 ** 16, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000, ...options };
    this.factor = this.options.initScale;
  }

  /** loss * factor (differentiable). */
  scale(loss: Tensor): Tensor {
    return loss.mul(this.factor);
  }

  /** Divides every gradient by the factor, on the gradients' device. */
  unscale(params: readonly Parameter[]): void {
    const inv = 1 / this.factor;
    noGrad(() => {
      for (const p of params) if (p.grad) p.grad = p.grad.mul(inv);
    });
  }

  /**
   * Records whether this step's gradients were finite and adapts the factor; returns whether the
   * optimizer should step (false: skip it, the gradients overflowed).
   */
  update(finite: boolean): boolean {
    if (!finite) {
      this.factor *= this.options.backoffFactor;
      this.goodSteps = 0;
      this.skipped++;
      return false;
    }
    if (++this.goodSteps >= this.options.growthInterval) {
      this.factor *= this.options.growthFactor;
      this.goodSteps = 0;
    }
    return true;
  }
}
