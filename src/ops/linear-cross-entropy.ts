// Fused LM head + cross-entropy, a chunk of rows at a time: the mean loss of hidden @ W^T + b against
// int32 targets without ever holding the whole (rows, vocab) logits. GPT-2 at batch 16 would need
// 16 x 1024 x 50257 floats (3.3 GB), past a WebGPU storage binding; chunks of ~128 MiB fit anywhere.
//
// Same contract as crossEntropy(linear(hidden, weight, bias), targets) with reduction 'mean', built
// from kernels of the table (GEMMs with offsets and accumulate, the cross-entropy kernels, strided
// copies), so every device runs it. When a gradient will be needed, each chunk's gradients are formed
// right after its loss, while its probabilities are at hand (unscaled: (softmax - onehot) @ W into
// the hidden rows, its transpose @ hidden accumulated into dW, column sums into db); the backward
// only scales them by g / count. That is the unchunked path's three GEMMs, not four as a backward
// that recomputes the logits would need, and the unscaled (softmax - onehot) keeps f16 GEMM inputs
// (precision 'mixed') far from underflow.

import { Tensor } from '../tensor/tensor.js';
import type { MatmulParams } from '../backends/backend.js';
import { isGradEnabled } from '../tensor/grad-mode.js';
import type { DType } from '../tensor/dtype.js';
import type { Storage } from '../tensor/device.js';
import { ShapeError, shapeStr, sizeOf } from '../tensor/shape.js';
import { getPrecision } from './precision.js';
import { maximum } from './arithmetic.js';
import { targetStorage } from './cross-entropy.js';
import { alloc, allocOutput, commonDtype, kernels, make, requireFloat, result, sameDevice } from './util.js';

/** The logits one chunk may hold by default: WebGPU's guaranteed storage binding size (128 MiB). */
export const LOGITS_CHUNK_BYTES = 128 * 2 ** 20;

export interface LinearCrossEntropyOptions {
  /** Targets equal to this contribute no loss and no gradient (crossEntropy's default: -100). */
  ignoreIndex?: number;
  /** Rows of logits per chunk; default: as many as fill LOGITS_CHUNK_BYTES. */
  chunkRows?: number;
}

/**
 * Rows of `cols` logits of `dtype` that fit in `bytes` (at least 1); past 128 rows a multiple of 64,
 * so the GEMMs run whole tiles.
 * @example chunkRowsFor(50257, 'float32') // 640
 */
export function chunkRowsFor(cols: number, dtype: DType, bytes = LOGITS_CHUNK_BYTES): number {
  const rows = Math.floor(bytes / (Math.max(cols, 1) * (dtype === 'float64' ? 8 : 4)));
  return rows >= 128 ? rows - (rows % 64) : Math.max(1, rows);
}

function gemm(m: number, n: number, k: number, over: Partial<MatmulParams> = {}): MatmulParams {
  return { batch: 1, m, n, k, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false, precision: getPrecision(), ...over };
}

/** A contiguous run of `n` elements from x[xOffset] to out[outOffset]. */
function span(n: number, xOffset: number, outOffset: number) {
  return { shape: [n], xOffset, xStrides: [1], outOffset, outStrides: [1], accumulate: false };
}

/**
 * Mean cross-entropy of hidden (..., C) @ weight^T + bias against int32 targets (...), for weight
 * (V, C) and bias (V) or null, over the targets not equal to ignoreIndex (0 when all are ignored).
 * Equals crossEntropy(linear(hidden, weight, bias), targets), holding chunkRows x V logits at a time.
 * @example linearCrossEntropy(hidden.reshape(B * T, C), wte.weight, null, targets.reshape(B * T), { ignoreIndex: -1 })
 */
export function linearCrossEntropy(
  hidden: Tensor, weight: Tensor, bias: Tensor | null, targets: Tensor, options: LinearCrossEntropyOptions = {},
): Tensor {
  const op = 'linearCrossEntropy';
  const dtype = commonDtype(op, hidden, weight);
  const hd = requireFloat(op, hidden);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be 2-D (vocab, in), got ${shapeStr(weight.shape)}`);
  const [V, C] = weight.shape as [number, number];
  if (hidden.ndim < 1 || hidden.shape[hidden.ndim - 1] !== C) {
    throw new ShapeError(`${op}: hidden ${shapeStr(hidden.shape)} x weight ${shapeStr(weight.shape)}: last axis ${hidden.shape[hidden.ndim - 1]} != in features ${C}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== V || bias.dtype !== dtype)) {
    throw new ShapeError(`${op}: bias ${shapeStr(bias.shape)} ${bias.dtype} does not match ${V} ${dtype} outputs`);
  }
  if (targets.dtype !== 'int32') throw new TypeError(`${op}: targets must be int32, got ${targets.dtype}`);
  const rowShape = hidden.shape.slice(0, -1);
  if (targets.shape.join() !== rowShape.join()) {
    throw new ShapeError(`${op}: hidden ${shapeStr(hidden.shape)} and targets ${shapeStr(targets.shape)} disagree (targets must have hidden's shape without the last axis)`);
  }
  const chunk = options.chunkRows ?? chunkRowsFor(V, dtype);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`${op}: chunkRows must be a positive integer, got ${chunk}`);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const device = sameDevice(op, hidden, weight, bias, targets);
  const k = kernels(hidden);
  const N = sizeOf(rowShape);
  const td = targetStorage(targets, V, ignoreIndex, op);
  const wd = weight.storage;

  const wantGrad = isGradEnabled() && (hidden.requiresGrad || weight.requiresGrad || bias?.requiresGrad === true);
  // Unscaled gradients, filled chunk by chunk (dW and db accumulate over chunks; zeroed if none run).
  const gh = wantGrad && hidden.requiresGrad ? allocOutput(device, dtype, N * C) : null;
  const gw = wantGrad && weight.requiresGrad ? alloc(device, dtype, V * C) : null;
  const gb = wantGrad && bias?.requiresGrad ? alloc(device, dtype, V) : null;

  // Scratch for one chunk, reused by every chunk (a shorter last chunk uses a prefix): the logits
  // (overwritten by d loss / d logits once the loss is out), the probabilities, targets, losses.
  const R = Math.min(chunk, N);
  const logits = allocOutput(device, dtype, R * V);
  const probs = allocOutput(device, dtype, R * V);
  const chunkTargets = allocOutput(device, 'int32', R);
  const chunkLosses = allocOutput(device, dtype, R);
  const losses = allocOutput(device, dtype, N);
  // Ones: the bias broadcast, the rows' scale in the cross-entropy backward, the bias' column sums.
  let ones: Storage | null = null;
  if (bias || wantGrad) {
    ones = allocOutput(device, dtype, R);
    k.fill(ones, 1);
  }
  // With a single chunk its hidden gradient lands in place; otherwise through a chunk buffer.
  const ghChunk = gh && N > R ? allocOutput(device, dtype, R * C) : gh;

  for (let r0 = 0, c = 0; r0 < N; r0 += R, c++) {
    const rows = Math.min(R, N - r0);
    k.copyStrided(td, chunkTargets, span(rows, r0, 0));
    if (bias) k.matmul(ones!, bias.storage, logits, gemm(rows, V, 1));
    k.matmul(hd, wd, logits, gemm(rows, V, C, { transB: true, aOffset: r0 * C, accumulate: bias !== null }));
    k.crossEntropy(logits, chunkTargets, chunkLosses, probs, rows, V, ignoreIndex);
    k.copyStrided(chunkLosses, losses, span(rows, 0, r0));
    if (!wantGrad) continue;
    const dlogits = logits; // (rows, V) = softmax - onehot; 0 on ignored rows
    k.crossEntropyBackward(probs, chunkTargets, ones!, dlogits, rows, V, ignoreIndex);
    if (gh) {
      k.matmul(dlogits, wd, ghChunk!, gemm(rows, C, V)); // (rows, V) @ (V, C)
      if (ghChunk !== gh) k.copyStrided(ghChunk!, gh, span(rows * C, 0, r0 * C));
    }
    // (rows, V)^T @ hidden rows (rows, C), and (1, rows) @ (rows, V), summed over chunks.
    if (gw) k.matmul(dlogits, hd, gw, gemm(V, C, rows, { transA: true, bOffset: r0 * C, accumulate: c > 0 }));
    if (gb) k.matmul(ones!, dlogits, gb, gemm(1, V, rows, { accumulate: c > 0 }));
  }

  // The loss stays on the device: sum of row losses over max(count of counted rows, 1).
  const valid = allocOutput(device, dtype, N);
  k.notEqual(td, ignoreIndex, valid);
  const denom = maximum(make(device, valid, [N]).sum(), 1);
  const loss = make(device, losses, [N]).sum().div(denom);
  const inputs = bias ? [hidden, weight, bias] : [hidden, weight];
  return result(loss.storage, [], op, inputs, (g) => {
    const scale = g.div(denom); // d loss / d row loss, the same for every counted row
    const grads: Array<Tensor | null> = [
      gh ? make(device, gh, hidden.shape).mul(scale) : null,
      gw ? make(device, gw, weight.shape).mul(scale) : null,
    ];
    if (bias) grads.push(gb ? make(device, gb, bias.shape).mul(scale) : null);
    return grads;
  });
}
