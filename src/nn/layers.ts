// Layers: Linear, Embedding, LayerNorm, Dropout, activations, Sequential and MLP.

import { Module, Parameter } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';
import { getDefaultDevice } from '../tensor/device.js';
import { defaultRng, type Rng } from '../tensor/random.js';
import * as ops from '../ops/index.js';
import { constant, kaimingUniform, normal, uniform } from './init.js';
import { linearInt8, quantizeInt8, type QuantizedWeight } from './quantize.js';

/** A zeroed parameter on the default device (where new tensors are made; see setBackend). */
function param(shape: number[], dtype: DType = 'float32'): Parameter {
  // A layer of size 0 (or -1, or 2.5) would make NaN initial weights, or fail deep inside an allocator.
  shape.forEach((d) => { if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`layer sizes must be whole numbers >= 1, got [${shape.join(', ')}]`); });
  const device = getDefaultDevice();
  return new Parameter(device.alloc(dtype, shape.reduce((a, b) => a * b, 1)), shape, device);
}

export interface LayerOptions {
  rng?: Rng;
  dtype?: DType;
}

/** A module that maps one tensor to one tensor (what Sequential chains). */
export abstract class Layer extends Module {
  abstract forward(x: Tensor): Tensor;
}

/**
 * y = x W^T + b with W (out, in), initialized as PyTorch's nn.Linear (U(+-1/sqrt(in))).
 * @example new Linear(784, 128).forward(x) // (N, 784) -> (N, 128)
 */
export class Linear extends Layer {
  weight: Parameter;
  bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LayerOptions & { bias?: boolean } = {}) {
    super();
    const rng = options.rng ?? defaultRng();
    this.weight = param([outFeatures, inFeatures], options.dtype);
    kaimingUniform(this.weight, rng);
    // kaimingUniform gives sqrt(6/fan_in); PyTorch's Linear default is 1/sqrt(fan_in) (a = sqrt(5)).
    const bound = 1 / Math.sqrt(inFeatures);
    uniform(this.weight, -bound, bound, rng);
    this.bias = options.bias === false ? null : uniform(param([outFeatures], options.dtype), -bound, bound, rng) as Parameter;
  }
  /** Int8 copy of the weight for fast decoding (see quantize()); null when not quantized. */
  int8: QuantizedWeight | null = null;
  forward(x: Tensor): Tensor {
    if (this.int8) return linearInt8(x, this.int8, this.bias);
    return ops.linear(x, this.weight, this.bias);
  }
  /** Switches the forward pass to an int8 per-channel copy of the weight (inference only: no gradients). */
  quantize(): void {
    this.int8 = quantizeInt8(this.weight);
  }
}

/** A lookup table of `num` vectors of size `dim`, initialized N(0, 1) (GPT-2 re-initializes with 0.02). */
export class Embedding extends Layer {
  weight: Parameter;
  constructor(readonly num: number, readonly dim: number, options: LayerOptions = {}) {
    super();
    this.weight = normal(param([num, dim], options.dtype), 0, 1, options.rng ?? defaultRng()) as Parameter;
  }
  /** ids: int32 (...) -> (..., dim) */
  forward(ids: Tensor): Tensor {
    return ops.embedding(this.weight, ids);
  }
}

/** Layer normalization over the last axis with learned scale and (optional) shift. */
export class LayerNorm extends Layer {
  weight: Parameter;
  bias: Parameter | null;
  constructor(readonly dim: number, options: { eps?: number; bias?: boolean; dtype?: DType } = {}) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.weight = constant(param([dim], options.dtype), 1) as Parameter;
    this.bias = options.bias === false ? null : param([dim], options.dtype);
  }
  private readonly eps: number;
  forward(x: Tensor): Tensor {
    return ops.layerNorm(x, this.weight, this.bias, this.eps);
  }
}

/** Inverted dropout, active only in training mode. */
export class Dropout extends Layer {
  constructor(readonly p: number, private readonly rng: Rng = defaultRng()) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return ops.dropout(x, this.p, this.training, this.rng);
  }
}

export class ReLU extends Layer { forward(x: Tensor): Tensor { return ops.relu(x); } }
export class Tanh extends Layer { forward(x: Tensor): Tensor { return ops.tanh(x); } }
export class Sigmoid extends Layer { forward(x: Tensor): Tensor { return ops.sigmoid(x); } }
export class GELU extends Layer { forward(x: Tensor): Tensor { return ops.gelu(x); } }

/** Layers applied in order; parameters are named by position (`0.weight`, `2.bias`). */
export class Sequential extends Layer {
  layers: Layer[];
  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
  }
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }
  /** Children are named by position only ("0.weight"), as in torch.nn.Sequential. */
  protected override fields(): Array<[string, unknown]> {
    return this.layers.map((layer, i) => [String(i), layer]);
  }
}

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'gelu';

function activationLayer(name: Activation): Layer {
  switch (name) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'gelu': return new GELU();
  }
}

export interface MLPOptions extends LayerOptions {
  activation?: Activation;
  dropout?: number;
}

/**
 * A multi-layer perceptron: Linear layers of the given sizes with an activation between them.
 * @example new MLP([64, 128, 10], { activation: 'relu', rng: new Rng(0) }) // digits classifier
 */
export class MLP extends Sequential {
  constructor(readonly sizes: readonly number[], options: MLPOptions = {}) {
    const layers: Layer[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Linear(sizes[i], sizes[i + 1], options));
      if (i + 2 < sizes.length) {
        layers.push(activationLayer(options.activation ?? 'relu'));
        if (options.dropout) layers.push(new Dropout(options.dropout, options.rng));
      }
    }
    super(...layers);
  }
}
