// Stateless neural-network functions: activations, normalization, attention and losses.

import type { Tensor } from '../tensor/tensor.js';
import { ShapeError, sameShape, shapeStr } from '../tensor/shape.js';
import * as ops from '../ops/index.js';

export { softmax, logSoftmax, gelu, relu, tanh, sigmoid, layerNorm, dropout, linear, embedding } from '../ops/index.js';
export { crossEntropy, type CrossEntropyOptions } from '../ops/index.js';
export { scaledDotProductAttention, type AttentionOptions } from '../ops/index.js';

/** Mean squared error between same-shaped predictions and targets. @example mseLoss(pred, y) */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  if (!sameShape(pred.shape, target.shape)) {
    throw new ShapeError(`mseLoss: prediction ${shapeStr(pred.shape)} and target ${shapeStr(target.shape)} differ`);
  }
  const d = ops.sub(pred, target);
  return ops.mean(ops.mul(d, d));
}

/** Binary cross-entropy from logits, stable form: max(z, 0) - z y + log(1 + e^-|z|). */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor): Tensor {
  if (!sameShape(logits.shape, target.shape)) {
    throw new ShapeError(`binaryCrossEntropyWithLogits: logits ${shapeStr(logits.shape)} and target ${shapeStr(target.shape)} differ`);
  }
  const pos = ops.relu(logits);
  const soft = ops.log(ops.add(ops.exp(ops.neg(ops.abs(logits))), 1));
  return ops.mean(ops.add(ops.sub(pos, ops.mul(logits, target)), soft));
}
