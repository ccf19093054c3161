// Element-wise binary arithmetic with NumPy broadcasting: add, sub, mul, div, pow, maximum.

import { Tensor } from '../tensor/tensor.js';
import type { BinaryKernel } from '../backends/backend.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from '../tensor/shape.js';
import { allocOutput, asTensor, broadcastStorage, commonDtype, kernels, make, result, sumToShape } from './util.js';
import { log, neg } from './unary.js';

/** Forward of a broadcasting binary op (no graph). */
export function binaryForward(op: BinaryKernel, a: Tensor, b: Tensor): Tensor {
  const dtype = commonDtype(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = allocOutput(a.dev, dtype, sizeOf(shape));
  if (dtype !== 'int32' && sameShape(a.shape, b.shape)) {
    kernels(a).binary(op, a.storage, b.storage, out);
  } else {
    kernels(a).broadcastBinary(op, a.storage, b.storage, out, {
      shape, aStrides: broadcastStrides(a.shape, shape), bStrides: broadcastStrides(b.shape, shape),
    });
  }
  return make(a.dev, out, shape);
}

function bin(op: BinaryKernel, a: Tensor, b: Tensor, backward: (g: Tensor, out: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  const out = binaryForward(op, a, b);
  const res = result(out.storage, out.shape, op, [a, b], (g) => {
    const [ga, gb] = backward(g, res);
    return [
      ga && a.requiresGrad ? sumToShape(ga, a.shape) : null,
      gb && b.requiresGrad ? sumToShape(gb, b.shape) : null,
    ];
  });
  return res;
}

/** a + b. @example add(x, 1) */
export function add(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  return bin('add', a, bt, (g) => [g, g]);
}

/** a - b. */
export function sub(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  return bin('sub', a, bt, (g) => [g, bt.requiresGrad ? neg(g) : null]);
}

/** a * b. */
export function mul(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  return bin('mul', a, bt, (g) => [
    a.requiresGrad ? binaryForward('mul', g, bt) : null,
    bt.requiresGrad ? binaryForward('mul', g, a) : null,
  ]);
}

/** a / b. */
export function div(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  return bin('div', a, bt, (g, out) => [
    a.requiresGrad ? binaryForward('div', g, bt) : null,
    // d(a/b)/db = -a/b^2 = -out/b
    bt.requiresGrad ? neg(binaryForward('div', binaryForward('mul', g, out), bt)) : null,
  ]);
}

/** a ** b (element-wise power). */
export function pow(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  return bin('pow', a, bt, (g, out) => [
    // d/da = b * a^(b-1)
    a.requiresGrad
      ? binaryForward('mul', g, binaryForward('mul', bt, binaryForward('pow', a, binaryForward('sub', bt, asTensor(1, a)))))
      : null,
    // d/db = a^b * ln a
    bt.requiresGrad ? binaryForward('mul', g, binaryForward('mul', out, log(a.detach()))) : null,
  ]);
}

/** Element-wise maximum; the gradient goes to a where a >= b, else to b. */
export function maximum(a: Tensor, b: Tensor | number): Tensor {
  const bt = asTensor(b, a);
  return bin('maximum', a, bt, (g) => {
    const ga = allocOutput(g.dev, g.dtype, g.size);
    const gb = allocOutput(g.dev, g.dtype, g.size);
    kernels(g).maximumBackward(broadcastStorage(a, g.shape), broadcastStorage(bt, g.shape), g.storage, ga, gb);
    return [make(g.dev, ga, g.shape), make(g.dev, gb, g.shape)];
  });
}
