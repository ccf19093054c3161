// Selection: where(cond, a, b) with broadcasting, and maskedFill built on it.

import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, sizeOf } from '../tensor/shape.js';
import { broadcastCopy } from '../backends/js/strided.js';
import { alloc, asTensor, commonDtype, result, sumToShape } from './util.js';

/**
 * Element-wise cond ? a : b (cond is nonzero = true; all three broadcast).
 * @example where(mask, x, zeros)
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const at = a instanceof Tensor ? a : asTensor(a, b instanceof Tensor ? b : new Tensor(new Float32Array(1), []));
  const bt = asTensor(b, at);
  const dtype = commonDtype('where', at, bt);
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape, 'where'), bt.shape, 'where');
  const n = sizeOf(shape);
  const c = alloc(cond.dtype, n);
  const av = alloc(dtype, n);
  const bv = alloc(dtype, n);
  broadcastCopy(cond.data, cond.shape, shape, c);
  broadcastCopy(at.data, at.shape, shape, av);
  broadcastCopy(bt.data, bt.shape, shape, bv);
  const out = alloc(dtype, n);
  for (let i = 0; i < n; i++) out[i] = c[i] !== 0 ? av[i] : bv[i];
  return result(out, shape, 'where', [at, bt], (g) => {
    const ga = alloc(dtype, n);
    const gb = alloc(dtype, n);
    for (let i = 0; i < n; i++) {
      if (c[i] !== 0) ga[i] = g.data[i];
      else gb[i] = g.data[i];
    }
    return [
      at.requiresGrad ? sumToShape(new Tensor(ga, shape), at.shape) : null,
      bt.requiresGrad ? sumToShape(new Tensor(gb, shape), bt.shape) : null,
    ];
  });
}

/** x with `value` where mask is nonzero. @example maskedFill(scores, causalMask, -Infinity) */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}
