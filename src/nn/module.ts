// Module: named parameters and sub-modules found by walking fields, stateDict keyed by dotted paths.

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import { type Device, type Storage, cpu } from '../tensor/device.js';
import { assign } from '../ops/index.js';

/** A trainable tensor (requiresGrad is on). Fields holding one become named parameters. */
export class Parameter extends Tensor {
  constructor(storage: Storage, shape: readonly number[], device: Device = cpu) {
    super(storage, shape, { requiresGrad: true }, device);
  }

  /** Wraps an existing tensor's storage as a parameter. */
  static from(t: Tensor): Parameter {
    return new Parameter(t.storage, t.shape, t.dev);
  }
}

/** Persistent non-trainable state (e.g. a causal mask or running statistics) that belongs in the state dict. */
export class Buffer {
  constructor(public value: Tensor) {}
}

export interface LoadStateDictOptions {
  /** Throw on missing or unexpected keys (default true). */
  strict?: boolean;
}

/**
 * Base class of layers and models. Parameters, buffers, sub-modules and arrays of sub-modules assigned
 * to fields are discovered in field order, so names follow the code: `h.0.attn.c_attn.weight`.
 * @example
 * class Net extends Module { fc = new Linear(4, 2); forward(x: Tensor) { return this.fc.forward(x); } }
 * new Net().stateDict(); // { 'fc.weight': ..., 'fc.bias': ... }
 */
export abstract class Module {
  /** Training mode switches dropout on; eval() switches it off. */
  training = true;

  /** (name, parameter) pairs, depth first, in field order. */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    this.walk(prefix, (name, value) => {
      if (value instanceof Parameter) out.push([name, value]);
    });
    return out;
  }

  /** The trainable parameters. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** (name, module) pairs of every sub-module (not this one). */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    for (const [key, value] of this.fields()) {
      const name = prefix ? `${prefix}.${key}` : key;
      const items: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [`${name}.${i}`, v]) : [[name, value]];
      for (const [n, v] of items) {
        if (v instanceof Module) {
          out.push([n, v]);
          out.push(...v.namedModules(n));
        }
      }
    }
    return out;
  }

  /** Every parameter and buffer by dotted path; tensors share storage with the module. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.walk('', (name, value) => {
      if (value instanceof Parameter) out[name] = value;
      else if (value instanceof Buffer) out[name] = value.value;
    });
    return out;
  }

  /** Copies values into the module's parameters and buffers (shapes must match; dtype is converted). */
  loadStateDict(state: Record<string, Tensor>, options: LoadStateDictOptions = {}): void {
    if (state === null || typeof state !== 'object') throw new TypeError(`loadStateDict: expected an object of name -> Tensor, got ${state === null ? 'null' : typeof state}`);
    const strict = options.strict ?? true;
    const own = this.stateDict();
    if (strict) {
      const missing = Object.keys(own).filter((k) => !(k in state));
      const unexpected = Object.keys(state).filter((k) => !(k in own));
      if (missing.length || unexpected.length) {
        throw new Error(`loadStateDict: ${missing.length ? `missing keys: ${missing.join(', ')}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : ''}`);
      }
    }
    for (const [name, target] of Object.entries(own)) {
      const src = state[name];
      if (!src) continue;
      if (!sameShape(src.shape, target.shape)) {
        throw new ShapeError(`loadStateDict: ${name} has shape ${shapeStr(src.shape)} but the module expects ${shapeStr(target.shape)}`);
      }
      assign(target, src);
    }
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every sub-module. */
  train(mode = true): this {
    this.training = mode;
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off). */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** The named children to walk; containers override this to name children by position. */
  protected fields(): Array<[string, unknown]> {
    return Object.entries(this).filter(([k]) => k !== 'training');
  }

  private walk(prefix: string, visit: (name: string, value: unknown) => void): void {
    for (const [key, value] of this.fields()) {
      const name = prefix ? `${prefix}.${key}` : key;
      const items: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [`${name}.${i}`, v]) : [[name, value]];
      for (const [n, v] of items) {
        if (v instanceof Module) v.walk(n, visit);
        else visit(n, v);
      }
    }
  }
}

/** Counts the trainable scalars of a module. @example countParameters(model) // 124439808 */
export function countParameters(module: Module): number {
  return module.numParameters();
}
