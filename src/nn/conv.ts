// Convolutional layers over NCHW tensors: Conv2d, MaxPool2d, AvgPool2d and Flatten (PyTorch's names and init).

import { Layer, type LayerOptions } from './layers.js';
import { Parameter } from './module.js';
import type { Tensor } from '../tensor/tensor.js';
import { getDefaultDevice } from '../tensor/device.js';
import { defaultRng } from '../tensor/random.js';
import { uniform } from './init.js';
import * as ops from '../ops/index.js';
import type { Conv2dOptions } from '../ops/conv2d.js';
import type { Pool2dOptions } from '../ops/pool2d.js';

/** Options of {@link Conv2d}: stride, padding, dilation, bias. */
export interface Conv2dLayerOptions extends LayerOptions, Conv2dOptions {
  bias?: boolean;
}

/**
 * A 2-D convolution with weight (out, in, kh, kw) and bias (out), initialized as PyTorch's nn.Conv2d:
 * U(±1/sqrt(in·kh·kw)) for both.
 * @example new Conv2d(1, 16, 3, { padding: 1 }).forward(x) // (N, 1, 28, 28) -> (N, 16, 28, 28)
 */
export class Conv2d extends Layer {
  weight: Parameter;
  bias: Parameter | null;
  private readonly conv: Conv2dOptions;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number | readonly [number, number], options: Conv2dLayerOptions = {}) {
    super();
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const rng = options.rng ?? defaultRng();
    const shape = [outChannels, inChannels, kh, kw];
    const device = getDefaultDevice();
    this.weight = new Parameter(device.alloc(options.dtype ?? 'float32', outChannels * inChannels * kh * kw), shape, device);
    const bound = 1 / Math.sqrt(inChannels * kh * kw);
    uniform(this.weight, -bound, bound, rng);
    this.bias = options.bias === false ? null : uniform(new Parameter(device.alloc(options.dtype ?? 'float32', outChannels), [outChannels], device), -bound, bound, rng) as Parameter;
    this.conv = { stride: options.stride, padding: options.padding, dilation: options.dilation };
  }
  forward(x: Tensor): Tensor {
    return ops.conv2d(x, this.weight, this.bias, this.conv);
  }
}

/**
 * Max pooling (stride defaults to the window).
 * @example new MaxPool2d(2).forward(x) // (N, C, 28, 28) -> (N, C, 14, 14)
 */
export class MaxPool2d extends Layer {
  constructor(readonly kernelSize: number | readonly [number, number], readonly options: Pool2dOptions = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.maxPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Average pooling (stride defaults to the window; padded zeros count in the mean).
 * @example new AvgPool2d(2).forward(x) // (N, C, 28, 28) -> (N, C, 14, 14)
 */
export class AvgPool2d extends Layer {
  constructor(readonly kernelSize: number | readonly [number, number], readonly options: Pool2dOptions = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return ops.avgPool2d(x, this.kernelSize, this.options);
  }
}

/**
 * Flattens every axis after the first: (N, C, H, W) -> (N, C·H·W), so a Linear layer can follow.
 * @example new Flatten().forward(x) // (N, 16, 7, 7) -> (N, 784)
 */
export class Flatten extends Layer {
  forward(x: Tensor): Tensor {
    return ops.reshape(x, [x.shape[0]!, x.size / Math.max(1, x.shape[0]!)]);
  }
}
