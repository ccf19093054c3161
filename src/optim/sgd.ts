// Stochastic gradient descent with momentum and Nesterov momentum (Sutskever et al. 2013).

import type { Parameter } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { assign } from '../ops/index.js';
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

  protected update(p: Parameter, grad: Tensor, o: SGDOptions): void {
    let g = o.weightDecay !== 0 ? grad.add(p.mul(o.weightDecay)) : grad;
    if (o.momentum !== 0) {
      const buf = this.buffer(p, 'momentum_buffer');
      assign(buf, buf.mul(o.momentum).add(g)); // a fresh buffer is zero, so the first step gives g
      g = o.nesterov ? g.add(buf.mul(o.momentum)) : buf;
    }
    assign(p, p.sub(g.mul(o.lr)));
  }
}
