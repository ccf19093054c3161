// Stochastic gradient descent with momentum and Nesterov momentum (Sutskever et al. 2013).

import type { Parameter } from '../nn/module.js';
import type { FloatArray } from '../tensor/dtype.js';
import { Optimizer, type ParamGroup } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** L2 penalty added to the gradient (coupled, as torch.optim.SGD). */
  weightDecay: number;
}

/**
 * p -= lr * (g + momentum buffer), PyTorch's formulation.
 * @example const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Parameter[] | ParamGroup<SGDOptions>[], options: Partial<SGDOptions> = {}) {
    super(params, { lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0, ...options });
  }

  protected update(p: Parameter, grad: FloatArray, o: SGDOptions): void {
    const w = p.data as FloatArray;
    const n = w.length;
    const buf = o.momentum !== 0 ? this.buffer(p, 'momentum_buffer') : null;
    for (let i = 0; i < n; i++) {
      let g = grad[i] + o.weightDecay * w[i];
      if (buf) {
        buf[i] = o.momentum * buf[i] + g; // a fresh buffer is zero, so the first step gives g
        g = o.nesterov ? g + o.momentum * buf[i] : buf[i];
      }
      w[i] -= o.lr * g;
    }
  }
}
