// Cross-entropy from logits with integer targets and an ignore index (fused softmax + NLL).

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import type { Storage } from '../tensor/device.js';
import { alloc, allocOutput, kernels, make, requireFloat, result, sameDevice } from './util.js';
import { maximum } from './arithmetic.js';

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
  const device = sameDevice('crossEntropy', logits, targets);
  const td = targetStorage(targets, cols, ignoreIndex);
  const losses = alloc(device, logits.dtype, rows);
  const probs = allocOutput(device, logits.dtype, logits.size);
  const k = kernels(logits);
  k.crossEntropy(ld, td, losses, probs, rows, cols, ignoreIndex);
  const backwardRows = (rowScale: Storage) => {
    const dx = allocOutput(device, logits.dtype, logits.size);
    kernels(logits).crossEntropyBackward(probs, td, rowScale, dx, rows, cols, ignoreIndex);
    return make(device, dx, logits.shape);
  };
  if (reduction === 'none') {
    return result(losses, rowShape, 'crossEntropy', [logits], (g) => [backwardRows(g.storage)]);
  }
  // The loss stays on the device: sum of row losses over max(count of counted rows, 1) for 'mean'.
  const total = make(device, losses, [rows]).sum();
  let denom: Tensor | null = null;
  if (reduction === 'mean') {
    const valid = allocOutput(device, logits.dtype, rows);
    k.notEqual(td, ignoreIndex, valid);
    denom = maximum(make(device, valid, [rows]).sum(), 1);
  }
  const loss = denom ? total.div(denom) : total;
  return result(loss.storage, [], 'crossEntropy', [logits], (g) => {
    const scale = denom ? g.div(denom) : g; // d loss / d row loss, the same for every row
    return [backwardRows(scale.broadcastTo([rows]).storage)];
  });
}

/** Targets as device storage; on the host they are checked first (range, or the ignore index). */
export function targetStorage(targets: Tensor, cols: number, ignoreIndex: number, op = 'crossEntropy'): Storage {
  const host = targets.dev.hostView(targets.storage) as Int32Array | null;
  if (host) {
    for (let r = 0; r < host.length; r++) {
      const t = host[r]!;
      if (t !== ignoreIndex && (t < 0 || t >= cols)) throw new RangeError(`${op}: target ${t} at row ${r} is out of range [0, ${cols})`);
    }
  }
  // A copy in the device's own allocation, as indexStorage does for ids.
  return host ? targets.dev.upload(host) : targets.storage;
}
