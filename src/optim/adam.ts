// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019, decoupled weight decay).

import type { Parameter } from '../nn/module.js';
import type { FloatArray } from '../tensor/dtype.js';
import { runKernel } from '../backends/registry.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * Adam with L2 regularization added to the gradient (coupled), as torch.optim.Adam.
 * @example new Adam(model.parameters(), { lr: 1e-3 })
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Parameter[] | ParamGroup<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, ...options });
  }

  protected update(p: Parameter, grad: FloatArray, o: AdamOptions): void {
    const w = p.data as FloatArray;
    const m = this.buffer(p, 'exp_avg');
    const v = this.buffer(p, 'exp_avg_sq');
    const bc1 = 1 - Math.pow(o.beta1, this.stepCount);
    const bc2 = 1 - Math.pow(o.beta2, this.stepCount);
    for (let i = 0; i < w.length; i++) {
      const g = grad[i] + o.weightDecay * w[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
      w[i] -= (o.lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + o.eps);
    }
  }
}

/**
 * AdamW: the decay shrinks weights directly (p *= 1 - lr * wd) instead of entering the moments.
 * Use parameter groups to exempt biases and norms (GPT-2 decays only 2-D weights).
 * @example new AdamW([{ params: weights, options: { weightDecay: 0.1 } }, { params: others, options: { weightDecay: 0 } }], { lr: 3e-4 })
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Parameter[] | ParamGroup<AdamOptions>[], options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, ...options });
  }

  protected update(p: Parameter, grad: FloatArray, o: AdamOptions): void {
    runKernel('adamw', p.data as FloatArray, grad, this.buffer(p, 'exp_avg'), this.buffer(p, 'exp_avg_sq'), {
      lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, step: this.stepCount,
    });
  }
}
