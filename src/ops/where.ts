// Selection: where(cond, a, b) with broadcasting, and maskedFill built on it.

import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, sizeOf } from '../tensor/shape.js';
import { alloc, allocOutput, asTensor, broadcastStorage, commonDtype, kernels, make, result, sameDevice, sumToShape } from './util.js';

/**
 * Element-wise cond ? a : b (cond is nonzero = true; all three broadcast).
 * @example where(mask, x, zeros)
 */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : null;
  const at = a instanceof Tensor ? a : asTensor(a, like ?? make(cond.dev, cond.dev.upload(new Float32Array(1)), []));
  const bt = asTensor(b, at);
  const dtype = commonDtype('where', at, bt);
  const device = sameDevice('where', cond, at, bt);
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape, 'where'), bt.shape, 'where');
  const n = sizeOf(shape);
  const c = broadcastStorage(cond, shape);
  const out = allocOutput(device, dtype, n);
  kernels(at).where(c, broadcastStorage(at, shape), broadcastStorage(bt, shape), out);
  return result(out, shape, 'where', [at, bt], (g) => {
    const zero = alloc(device, dtype, n);
    const grads = [null, null] as Array<Tensor | null>;
    if (at.requiresGrad) {
      const ga = allocOutput(device, dtype, n);
      kernels(g).where(c, g.storage, zero, ga);
      grads[0] = sumToShape(make(device, ga, shape), at.shape);
    }
    if (bt.requiresGrad) {
      const gb = allocOutput(device, dtype, n);
      kernels(g).where(c, zero, g.storage, gb);
      grads[1] = sumToShape(make(device, gb, shape), bt.shape);
    }
    return grads;
  });
}

/** x with `value` where mask is nonzero. @example maskedFill(scores, causalMask, -Infinity) */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}
