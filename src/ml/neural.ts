// Mini-batch training of a tensor-engine network for the neural estimators (MLP, CNN): Adam, L2, early stopping.

import { fromArray } from '../tensor/create.js';
import { noGrad } from '../tensor/grad-mode.js';
import type { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Layer } from '../nn/layers.js';
import { mseLoss } from '../nn/functional.js';
import { crossEntropy } from '../ops/cross-entropy.js';
import { Adam } from '../optim/adam.js';
import { earlyStoppingSplit } from './validation-split.js';

/** Hyperparameters of {@link trainNetwork}, named as scikit-learn's MLP. */
export interface TrainOptions {
  learningRateInit: number;
  /** Epochs (passes over the training rows). */
  maxIter: number;
  batchSize: number;
  /** L2 penalty on weights (not biases): adds alpha/(2·batch)·||W||² to each batch loss, as scikit-learn. */
  alpha: number;
  /** An epoch must improve the monitored value by more than tol to count as progress. */
  tol: number;
  /** Stop after this many epochs without progress. */
  nIterNoChange: number;
  /** Monitor a held-out part of the training rows instead of the training loss; keep the best weights. */
  earlyStopping: boolean;
  validationFraction: number;
}

/** What the network learns to predict: class indices (cross-entropy) or real values (squared error). */
export type Targets =
  | { kind: 'classes'; y: Int32Array }
  | { kind: 'values'; y: Float32Array; cols: number };

/** What training did. */
export interface TrainReport {
  nIter: number;
  /** Mean training loss of each epoch. */
  lossCurve: number[];
  /** Best validation score (accuracy or R²) with early stopping, else null. */
  bestValidationScore: number | null;
}

/** Copies rows `idx[from..to)` of X (n, d) into a new batch tensor of shape (b, ...sampleShape). */
function batchOf(X: Float32Array, d: number, sampleShape: readonly number[], idx: Int32Array, from: number, to: number): Tensor {
  const b = to - from;
  const out = new Float32Array(b * d);
  for (let r = 0; r < b; r++) {
    const src = idx[r + from]! * d;
    out.set(X.subarray(src, src + d), r * d);
  }
  return fromArray(out, [b, ...sampleShape]);
}

function targetsOf(t: Targets, idx: Int32Array, from: number, to: number): Tensor {
  const b = to - from;
  if (t.kind === 'classes') return fromArray(Int32Array.from({ length: b }, (_, r) => t.y[idx[r + from]!]!), [b]);
  const out = new Float32Array(b * t.cols);
  for (let r = 0; r < b; r++) {
    const src = idx[r + from]! * t.cols;
    out.set(t.y.subarray(src, src + t.cols), r * t.cols);
  }
  return fromArray(out, [b, t.cols]);
}

function lossOf(out: Tensor, y: Tensor, t: Targets): Tensor {
  // scikit-learn's squared loss is half the mean squared error.
  return t.kind === 'classes' ? crossEntropy(out, y) : mseLoss(out, y).mul(0.5);
}

/**
 * Forward pass over X in chunks without recording the graph: (n, outCols) outputs as float64.
 * @example const logits = predictNetwork(net, X, [64], 10);
 */
export function predictNetwork(net: Layer, X: Float32Array, sampleShape: readonly number[], outCols: number, chunk = 1024): Float64Array {
  const d = sampleShape.reduce((a, b) => a * b, 1);
  const n = X.length / d;
  const out = new Float64Array(n * outCols);
  const wasTraining = net.training;
  net.eval();
  noGrad(() => {
    for (let s = 0; s < n; s += chunk) {
      const e = Math.min(n, s + chunk);
      const xb = fromArray(X.slice(s * d, e * d), [e - s, ...sampleShape]);
      out.set(net.forward(xb).dataSync(), s * outCols);
    }
  });
  net.train(wasTraining);
  return out;
}

/**
 * Row-wise softmax in place over (rows, K) logits, in float64 so each row sums to 1 to machine precision.
 * @example softmaxRows(Float64Array.of(0, 0), 2); // [0.5, 0.5]
 */
export function softmaxRows(Z: Float64Array, K: number): Float64Array {
  for (let o = 0; o < Z.length; o += K) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, Z[o + k]!);
    let s = 0;
    for (let k = 0; k < K; k++) { Z[o + k] = Math.exp(Z[o + k]! - mx); s += Z[o + k]!; }
    for (let k = 0; k < K; k++) Z[o + k] = Z[o + k]! / s;
  }
  return Z;
}

function validationScore(net: Layer, X: Float32Array, sampleShape: readonly number[], t: Targets, idx: Int32Array, outCols: number): number {
  const d = sampleShape.reduce((a, b) => a * b, 1);
  const Xv = new Float32Array(idx.length * d);
  idx.forEach((r, i) => Xv.set(X.subarray(r * d, r * d + d), i * d));
  const P = predictNetwork(net, Xv, sampleShape, outCols);
  if (t.kind === 'classes') {
    let correct = 0;
    idx.forEach((r, i) => {
      let best = 0;
      for (let k = 1; k < outCols; k++) if (P[i * outCols + k]! > P[i * outCols + best]!) best = k;
      if (best === t.y[r]) correct++;
    });
    return correct / idx.length;
  }
  // Mean R² over the output columns.
  let total = 0;
  for (let c = 0; c < t.cols; c++) {
    let mean = 0;
    idx.forEach((r) => { mean += t.y[r * t.cols + c]!; });
    mean /= idx.length;
    let ssRes = 0;
    let ssTot = 0;
    idx.forEach((r, i) => {
      const y = t.y[r * t.cols + c]!;
      ssRes += (y - P[i * outCols + c]!) ** 2;
      ssTot += (y - mean) ** 2;
    });
    total += ssTot > 0 ? 1 - ssRes / ssTot : 0;
  }
  return total / t.cols;
}

/**
 * Trains `net` in place on X (n rows of `sampleShape`) with Adam, shuffling each epoch with `rng`.
 * Stops like scikit-learn: after `nIterNoChange` epochs without a `tol` improvement of the training
 * loss (or, with early stopping, of the validation score, whose best weights are kept).
 * @example trainNetwork(new MLP([64, 100, 10]), X, [64], { kind: 'classes', y }, opts, new Rng(0));
 */
export function trainNetwork(net: Layer, X: Float32Array, sampleShape: readonly number[], t: Targets, o: TrainOptions, rng: Rng, outCols: number): TrainReport {
  const d = sampleShape.reduce((a, b) => a * b, 1);
  const n = X.length / d;
  const { trainIdx, valIdx } = earlyStoppingSplit(n, o.earlyStopping, o.validationFraction, rng);
  const nTrain = trainIdx.length;
  const batch = Math.max(1, Math.min(o.batchSize, nTrain));
  const params = net.parameters();
  const weights = params.filter((p) => p.ndim >= 2);
  const biases = params.filter((p) => p.ndim < 2);
  // Coupled L2 (added to the gradient) equals scikit-learn's alpha/(2·batch)·||W||² in the loss.
  const opt = new Adam([
    { params: weights, options: { weightDecay: o.alpha / batch } },
    { params: biases, options: { weightDecay: 0 } },
  ], { lr: o.learningRateInit });
  const lossCurve: number[] = [];
  let best = o.earlyStopping ? -Infinity : Infinity;
  let bestWeights: Float32Array[] | null = null;
  let stale = 0;
  net.train();
  for (let epoch = 0; epoch < o.maxIter; epoch++) {
    const order = rng.permutation(nTrain);
    const idx = Int32Array.from(order, (i) => trainIdx[i]!);
    let total = 0;
    for (let s = 0; s < nTrain; s += batch) {
      const e = Math.min(nTrain, s + batch);
      const loss = lossOf(net.forward(batchOf(X, d, sampleShape, idx, s, e)), targetsOf(t, idx, s, e), t);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.itemSync() * (e - s);
    }
    let l2 = 0;
    for (const w of weights) { const v = w.dataSync(); for (let i = 0; i < v.length; i++) l2 += v[i]! * v[i]!; }
    const epochLoss = total / nTrain + (o.alpha / (2 * nTrain)) * l2;
    if (!Number.isFinite(epochLoss)) throw new Error(`training diverged at epoch ${epoch + 1} (loss ${epochLoss}): lower learningRateInit or scale the features`);
    lossCurve.push(epochLoss);
    if (valIdx) {
      const score = validationScore(net, X, sampleShape, t, valIdx, outCols);
      stale = score > best + o.tol ? 0 : stale + 1;
      if (score > best) {
        best = score;
        bestWeights = params.map((p) => Float32Array.from(p.dataSync()));
      }
    } else {
      stale = epochLoss > best - o.tol ? stale + 1 : 0;
      if (epochLoss < best) best = epochLoss;
    }
    if (stale > o.nIterNoChange) break; // scikit-learn's rule: more than nIterNoChange stale epochs
  }
  if (bestWeights) params.forEach((p, i) => p.write(bestWeights![i]!));
  net.eval();
  return { nIter: lossCurve.length, lossCurve, bestValidationScore: valIdx ? best : null };
}
