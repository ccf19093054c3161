// Element-wise functions and their derivatives: neg, exp, log, sqrt, abs, tanh, sigmoid, relu, gelu.

import { Tensor } from '../tensor/tensor.js';
import type { UnaryKernel } from '../backends/backend.js';
import { allocOutput, kernels, make, requireFloat, result } from './util.js';

function unaryOp(op: UnaryKernel, x: Tensor): Tensor {
  const xd = requireFloat(op, x);
  const out = allocOutput(x.dev, x.dtype, x.size);
  kernels(x).unary(op, xd, out);
  return result(out, x.shape, op, [x], (g) => {
    const dx = allocOutput(x.dev, x.dtype, x.size);
    kernels(x).unaryBackward(op, xd, requireFloat(op, g), dx);
    return [make(x.dev, dx, x.shape)];
  });
}

/** -x */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** e^x; d/dx = e^x */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** natural log; d/dx = 1/x */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
/** square root; d/dx = 1/(2 sqrt x) */
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** |x|; d/dx = sign(x) (0 at 0) */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** tanh; d/dx = 1 - tanh^2 */
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** logistic sigmoid; d/dx = s (1 - s) */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** max(x, 0); d/dx = [x > 0] */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** GELU, tanh form as in GPT-2: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
export const gelu = (x: Tensor): Tensor => unaryOp('gelu', x);
