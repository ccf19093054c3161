// Optimizer base: parameter groups with their own hyper-parameters, per-parameter state buffers.

import type { Parameter } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { assign } from '../ops/index.js';

/** A set of parameters sharing hyper-parameters (e.g. no weight decay on biases and norms). */
export interface ParamGroup<H> {
  params: Parameter[];
  options?: Partial<H>;
}

/** Saved optimizer state: the step count and every buffer keyed `<paramIndex>.<buffer>`. */
export interface OptimizerState {
  step: number;
  buffers: Record<string, Tensor>;
}

/**
 * Common machinery: groups resolve their options against the defaults; `lr` can be changed per step
 * (schedules set it before `step()`).
 */
export abstract class Optimizer<H extends { lr: number }> {
  readonly groups: Array<{ params: Parameter[]; options: H }>;
  /** Number of step() calls so far. */
  stepCount = 0;
  protected readonly buffers = new Map<Parameter, Map<string, Tensor>>();

  constructor(params: Parameter[] | ParamGroup<H>[], defaults: H) {
    const groups: ParamGroup<H>[] = params.length > 0 && !('params' in params[0])
      ? [{ params: params as Parameter[] }]
      : (params as ParamGroup<H>[]);
    this.groups = groups.map((g) => ({ params: g.params, options: { ...defaults, ...g.options } }));
    for (const g of this.groups) checkHyperparameters(g.options as unknown as Record<string, unknown>);
  }

  /** Every parameter across groups, in order (the index used in saved state). */
  allParams(): Parameter[] {
    return this.groups.flatMap((g) => g.params);
  }

  /** Sets the learning rate of every group (what a schedule does each step). */
  setLr(lr: number): void {
    if (!(Number.isFinite(lr) && lr >= 0)) throw new RangeError(`optimizer: the learning rate must be a finite number >= 0, got ${lr}`);
    for (const g of this.groups) g.options.lr = lr;
  }

  /** Clears every gradient (call after step, or before accumulating the next batch). */
  zeroGrad(): void {
    for (const p of this.allParams()) p.grad = null;
  }

  /**
   * Applies one update from the accumulated gradients; parameters without a gradient are skipped.
   * Updates run on the parameters' device and change their storage in place (no host reads).
   */
  step(): void {
    this.stepCount++;
    noGrad(() => {
      for (const g of this.groups) {
        for (const p of g.params) {
          if (p.grad) this.update(p, p.grad, g.options);
        }
      }
    });
  }

  protected abstract update(p: Parameter, grad: Tensor, options: H): void;

  /** A zero-initialized buffer shaped like the parameter on its device, created on first use. */
  protected buffer(p: Parameter, name: string): Tensor {
    let m = this.buffers.get(p);
    if (!m) this.buffers.set(p, (m = new Map()));
    let b = m.get(name);
    if (!b) m.set(name, (b = new Tensor(p.dev.alloc(p.dtype, p.size), p.shape, {}, p.dev)));
    return b;
  }

  /** The step count and buffers, for checkpoints. */
  getState(): OptimizerState {
    const buffers: Record<string, Tensor> = {};
    this.allParams().forEach((p, i) => {
      for (const [name, t] of this.buffers.get(p) ?? []) buffers[`${i}.${name}`] = t;
    });
    return { step: this.stepCount, buffers };
  }

  /** Restores getState() output (parameters must be in the same order and shapes). */
  setState(state: OptimizerState): void {
    const params = this.allParams();
    this.stepCount = state.step;
    this.buffers.clear();
    for (const [key, t] of Object.entries(state.buffers)) {
      const dot = key.indexOf('.');
      const i = Number(key.slice(0, dot));
      const name = key.slice(dot + 1);
      const p = params[i];
      if (!p || p.size !== t.size) throw new Error(`optimizer state: buffer ${key} does not match parameter ${i}`);
      assign(this.buffer(p, name), t.reshape([...p.shape]));
    }
  }
}

/** The ranges of the hyper-parameters every optimizer here shares the names of (one NaN ruins every weight). */
const RANGES: Record<string, { ok: (v: number) => boolean; want: string }> = {
  lr: { ok: (v) => v >= 0, want: '>= 0' },
  weightDecay: { ok: (v) => v >= 0, want: '>= 0' },
  momentum: { ok: (v) => v >= 0 && v <= 1, want: 'in [0, 1]' },
  beta1: { ok: (v) => v >= 0 && v < 1, want: 'in [0, 1)' },
  beta2: { ok: (v) => v >= 0 && v < 1, want: 'in [0, 1)' },
  eps: { ok: (v) => v > 0, want: '> 0' },
};

function checkHyperparameters(o: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(o)) {
    if (typeof v !== 'number') continue;
    const range = RANGES[name];
    if (!Number.isFinite(v) || (range && !range.ok(v))) throw new RangeError(`optimizer: ${name} must be a finite number${range ? ` ${range.want}` : ''}, got ${v}`);
  }
}
