// Element-wise binary arithmetic with NumPy broadcasting: add, sub, mul, div, pow, maximum.

import { Tensor } from '../tensor/tensor.js';
import type { BinaryKernel } from '../backends/backend.js';
import { runKernel } from '../backends/registry.js';
import { broadcastBinary, broadcastCopy } from '../backends/js/strided.js';
import { broadcastShapes, sameShape, sizeOf } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { alloc, asTensor, commonDtype, result, sumToShape } from './util.js';
import { log } from './unary.js';

/** Forward of a broadcasting binary op (no graph). */
export function binaryForward(op: BinaryKernel, a: Tensor, b: Tensor): Tensor {
  const dtype = commonDtype(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = alloc(dtype, sizeOf(shape));
  if (dtype !== 'int32' && sameShape(a.shape, b.shape)) {
    runKernel('binary', op, a.data as FloatArray, b.data as FloatArray, out as FloatArray);
  } else {
    broadcastBinary(op, a.data, a.shape, b.data, b.shape, shape, out);
  }
  return new Tensor(out, shape);
}

function bin(op: BinaryKernel, a: Tensor, b: Tensor, backward: (g: Tensor, out: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  const out = binaryForward(op, a, b);
  const res = result(out.data, out.shape, op, [a, b], (g) => {
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
  return bin('sub', a, bt, (g) => [g, bt.requiresGrad ? neg0(g) : null]);
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
    bt.requiresGrad ? neg0(binaryForward('div', binaryForward('mul', g, out), bt)) : null,
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
    const av = alloc(g.dtype, g.size);
    const bv = alloc(g.dtype, g.size);
    broadcastCopy(a.data, a.shape, g.shape, av);
    broadcastCopy(bt.data, bt.shape, g.shape, bv);
    const ga = alloc(g.dtype, g.size);
    const gb = alloc(g.dtype, g.size);
    for (let i = 0; i < g.size; i++) {
      if (av[i] >= bv[i]) ga[i] = g.data[i];
      else gb[i] = g.data[i];
    }
    return [new Tensor(ga, g.shape), new Tensor(gb, g.shape)];
  });
}

function neg0(g: Tensor): Tensor {
  const out = alloc(g.dtype, g.size);
  for (let i = 0; i < out.length; i++) out[i] = -g.data[i];
  return new Tensor(out, g.shape);
}
