// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019, decoupled weight decay).

import type { Parameter } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { kernelsFor } from '../backends/registry.js';
import type { AdamWParams } from '../backends/backend.js';
import { type Device, type Storage, cpu } from '../tensor/device.js';
import { noGrad } from '../tensor/grad-mode.js';
import { assign } from '../ops/index.js';
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

  protected update(p: Parameter, grad: Tensor, o: AdamOptions): void {
    const m = this.buffer(p, 'exp_avg');
    const v = this.buffer(p, 'exp_avg_sq');
    const bc1 = 1 - Math.pow(o.beta1, this.stepCount);
    const bc2 = 1 - Math.pow(o.beta2, this.stepCount);
    // Composed from ops on the parameter's device (AdamW below is one fused kernel).
    const g = o.weightDecay !== 0 ? grad.add(p.mul(o.weightDecay)) : grad;
    assign(m, m.mul(o.beta1).add(g.mul(1 - o.beta1)));
    assign(v, v.mul(o.beta2).add(g.mul(g).mul(1 - o.beta2)));
    const step = m.div(bc1).mul(o.lr).div(v.div(bc2).sqrt().add(o.eps));
    assign(p, p.sub(step));
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

  /**
   * One update of every parameter with a gradient. On a device (a GPU) all of them go to the kernel
   * table's multi-tensor AdamW at once (one dispatch on webgpu); on the cpu, tensor by tensor through
   * the fastest cpu kernel.
   */
  override step(): void {
    this.stepCount++;
    noGrad(() => {
      const byDevice = new Map<Device, { params: Storage[]; grads: Storage[]; ms: Storage[]; vs: Storage[]; hyper: AdamWParams[] }>();
      for (const g of this.groups) {
        const o = g.options;
        const hyper: AdamWParams = { lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, step: this.stepCount };
        for (const p of g.params) {
          if (!p.grad) continue;
          if (p.dev === cpu) {
            this.update(p, p.grad, o);
            continue;
          }
          let batch = byDevice.get(p.dev);
          if (!batch) byDevice.set(p.dev, (batch = { params: [], grads: [], ms: [], vs: [], hyper: [] }));
          batch.params.push(p.storage);
          batch.grads.push(p.grad.storage);
          batch.ms.push(this.buffer(p, 'exp_avg').storage);
          batch.vs.push(this.buffer(p, 'exp_avg_sq').storage);
          batch.hyper.push(hyper);
        }
      }
      for (const [dev, b] of byDevice) kernelsFor(dev).adamwMulti(b.params, b.grads, b.ms, b.vs, b.hyper);
    });
  }

  protected update(p: Parameter, grad: Tensor, o: AdamOptions): void {
    kernelsFor(p.dev).adamw(p.storage, grad.storage, this.buffer(p, 'exp_avg').storage, this.buffer(p, 'exp_avg_sq').storage, {
      lr: o.lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, step: this.stepCount,
    });
  }
}
