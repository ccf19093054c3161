// Cross-entropy from logits with integer targets and an ignore index (fused softmax + NLL).

import { Tensor } from '../tensor/tensor.js';
import { runKernel } from '../backends/registry.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import type { FloatArray } from '../tensor/dtype.js';
import { allocFloat, allocOutput, kernelInts, requireFloat, result } from './util.js';

export interface CrossEntropyOptions {
  /** Targets equal to this contribute no loss and no gradient (PyTorch's default: -100). */
  ignoreIndex?: number;
  /** 'mean' over non-ignored targets (default), 'sum', or 'none' (per-row losses). */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Cross-entropy of logits (..., C) against int32 targets (...).
 * With every target ignored, the mean is 0 (and so are the gradients).
 * @example crossEntropy(logits.reshape(B * T, V), targets.reshape(B * T))
 */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const ignoreIndex = options.ignoreIndex ?? -100;
  const reduction = options.reduction ?? 'mean';
  const ld = requireFloat('crossEntropy', logits);
  if (targets.dtype !== 'int32') throw new TypeError(`crossEntropy: targets must be int32, got ${targets.dtype}`);
  const cols = logits.shape[logits.ndim - 1];
  const rowShape = logits.shape.slice(0, -1);
  const rows = logits.size / cols;
  if (logits.ndim < 1 || targets.size !== rows || targets.shape.join() !== rowShape.join()) {
    throw new ShapeError(`crossEntropy: logits ${shapeStr(logits.shape)} and targets ${shapeStr(targets.shape)} disagree (targets must have the logits' shape without the last axis)`);
  }
  const td = kernelInts(targets.data as Int32Array);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const t = td[r];
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= cols) throw new RangeError(`crossEntropy: target ${t} at row ${r} is out of range [0, ${cols})`);
    count++;
  }
  const losses = allocFloat(logits.dtype, rows);
  const probs = allocOutput(logits.dtype, logits.size);
  runKernel('crossEntropy', ld, td, losses, probs, rows, cols, ignoreIndex);
  const backwardRows = (rowScale: FloatArray) => {
    const dx = allocOutput(logits.dtype, logits.size);
    runKernel('crossEntropyBackward', probs, td, rowScale, dx, rows, cols, ignoreIndex);
    return new Tensor(dx, logits.shape);
  };
  if (reduction === 'none') {
    return result(losses, rowShape, 'crossEntropy', [logits], (g) => {
      const rowScale = allocFloat(logits.dtype, rows);
      rowScale.set(g.data as FloatArray);
      return [backwardRows(rowScale)];
    });
  }
  let total = 0;
  for (let r = 0; r < rows; r++) total += losses[r];
  const denom = reduction === 'mean' ? Math.max(count, 1) : 1;
  const out = allocFloat(logits.dtype, 1);
  out[0] = total / denom;
  return result(out, [], 'crossEntropy', [logits], (g) => {
    return [backwardRows(allocFloat(logits.dtype, rows).fill(g.data[0] / denom))];
  });
}
