// 2-D max and average pooling over NCHW planes, with stride and padding (forward and backward side by side).

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import { alloc, allocOutput, kernels, make, requireFloat, result } from './util.js';
import { pair, windowOf, type Window2d } from './conv2d.js';

/** Window size, stride (the window size by default, as PyTorch) and zero padding. */
export interface Pool2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

function geometry(op: string, x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions): Window2d {
  if (x.ndim !== 4) throw new ShapeError(`${op}: input must be (N, C, H, W), got ${shapeStr(x.shape)}`);
  const k = pair(op, 'kernel size', kernel, 1, 1);
  const p = pair(op, 'padding', options.padding, 0, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) throw new RangeError(`${op}: padding ${p.join('x')} must be at most half the kernel ${k.join('x')}`);
  return windowOf(op, x.shape[2]!, x.shape[3]!, k, pair(op, 'stride', options.stride, k[0], 1), p, [1, 1]);
}

/**
 * Maximum over each window of x (N, C, H, W) -> (N, C, Ho, Wo); padding never wins (it is -inf).
 * The gradient goes to the first maximal element of each window.
 * @example maxPool2d(x, 2) // (8, 16, 28, 28) -> (8, 16, 14, 14)
 */
export function maxPool2d(x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Tensor {
  const xd = requireFloat('maxPool2d', x);
  const g = geometry('maxPool2d', x, kernel, options);
  const planes = x.shape[0]! * x.shape[1]!;
  const L = g.Ho * g.Wo;
  const out = allocOutput(x.dev, x.dtype, planes * L);
  const arg = allocOutput(x.dev, 'int32', planes * L); // flat input index of each output's maximum
  kernels(x).maxPool2d(xd, out, arg, planes, g);
  return result(out, [x.shape[0]!, x.shape[1]!, g.Ho, g.Wo], 'maxPool2d', [x], (grad) => {
    const dx = alloc(x.dev, x.dtype, x.size);
    kernels(grad).scatterAddFlat(grad.storage, arg, dx);
    return [make(x.dev, dx, x.shape)];
  });
}

/**
 * Mean over each window of x (N, C, H, W) -> (N, C, Ho, Wo); padded zeros count in the mean
 * (PyTorch's count_include_pad=True), so every window divides by kh·kw.
 * @example avgPool2d(x, 2) // (8, 16, 28, 28) -> (8, 16, 14, 14)
 */
export function avgPool2d(x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Tensor {
  const xd = requireFloat('avgPool2d', x);
  const g = geometry('avgPool2d', x, kernel, options);
  const planes = x.shape[0]! * x.shape[1]!;
  const out = allocOutput(x.dev, x.dtype, planes * g.Ho * g.Wo);
  kernels(x).avgPool2d(xd, out, planes, g);
  return result(out, [x.shape[0]!, x.shape[1]!, g.Ho, g.Wo], 'avgPool2d', [x], (grad) => {
    const dx = alloc(x.dev, x.dtype, x.size);
    kernels(grad).avgPool2dBackward(grad.storage, dx, planes, g);
    return [make(x.dev, dx, x.shape)];
  });
}
