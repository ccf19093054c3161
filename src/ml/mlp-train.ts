// Mini-batch training of a dense network (src/ml/mlp-net.ts) as scikit-learn's MLP: Glorot-uniform
// init, Adam, L2 alpha, shuffled batches, its stopping rule and optional early stopping.

import { Adam, Workspace, backward, forward, type DenseNet, type MLPActivation } from './mlp-net.js';
import { kernelArray } from './gemm.js';
import { expFast } from './fast-exp.js';
import type { Rng } from '../tensor/random.js';
import { earlyStoppingSplit } from './validation-split.js';

/** Hyperparameters, named as scikit-learn's MLP. */
export interface DenseTrainOptions {
  learningRateInit: number;
  maxIter: number;
  batchSize: number;
  alpha: number;
  tol: number;
  nIterNoChange: number;
  earlyStopping: boolean;
  validationFraction: number;
}

/** What the network learns: class indices (softmax cross-entropy) or values (half squared error). */
export type DenseTargets = { kind: 'classes'; y: Int32Array } | { kind: 'values'; y: Float64Array };

/** What training did. */
export interface DenseReport {
  nIter: number;
  lossCurve: number[];
  bestValidationScore: number | null;
}

/**
 * Glorot-uniform weights and biases as scikit-learn draws them (bound √(6/(in+out)), √(2/(in+out))
 * for the sigmoid), layer by layer, weights then biases.
 * @example const net = initNet([64, 100, 10], 'relu', new Rng(0));
 */
export function initNet(sizes: number[], activation: MLPActivation, rng: Rng): DenseNet {
  const factor = activation === 'logistic' ? 2 : 6;
  const W: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nin = sizes[l]!;
    const nout = sizes[l + 1]!;
    const bound = Math.sqrt(factor / (nin + nout));
    const w = kernelArray(nin * nout);
    for (let k = 0; k < w.length; k++) w[k] = -bound + 2 * bound * rng.next();
    const bias = kernelArray(nout);
    for (let k = 0; k < nout; k++) bias[k] = -bound + 2 * bound * rng.next();
    W.push(w);
    b.push(bias);
  }
  return { sizes, W, b };
}

/** Softmax of logits row by row, in place; returns Σ −log p(y) over the rows and writes p − onehot into grad. */
function softmaxLoss(Z: Float64Array, m: number, K: number, y: Int32Array, idx: Int32Array, from: number, grad: Float64Array, scale: number): number {
  let loss = 0;
  for (let i = 0; i < m; i++) {
    const o = i * K;
    let mx = -Infinity;
    for (let k = 0; k < K; k++) if (Z[o + k]! > mx) mx = Z[o + k]!;
    let s = 0;
    for (let k = 0; k < K; k++) { const e = expFast(Z[o + k]! - mx); grad[o + k] = e; s += e; }
    const inv = 1 / s;
    const yi = y[idx[from + i]!]!;
    loss += Math.log(s) + mx - Z[o + yi]!;
    for (let k = 0; k < K; k++) grad[o + k] = grad[o + k]! * inv * scale;
    grad[o + yi] -= scale;
  }
  return loss;
}

/**
 * Outputs of the network for every row of X (n, sizes[0]) in chunks: logits or values, (n, out).
 * @example const logits = predictDense(net, 'relu', X, n);
 */
export function predictDense(net: DenseNet, activation: MLPActivation, X: Float64Array, n: number, chunk = 1024): Float64Array {
  const d = net.sizes[0]!;
  const K = net.sizes[net.sizes.length - 1]!;
  const ws = new Workspace(net.sizes, Math.min(chunk, n), activation);
  const out = new Float64Array(n * K);
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    ws.acts[0]!.set(X.subarray(s * d, e * d));
    out.set(forward(net, activation, ws, e - s).subarray(0, (e - s) * K), s * K);
  }
  return out;
}

function validationScore(net: DenseNet, activation: MLPActivation, X: Float64Array, t: DenseTargets, idx: Int32Array): number {
  const d = net.sizes[0]!;
  const K = net.sizes[net.sizes.length - 1]!;
  const Xv = new Float64Array(idx.length * d);
  idx.forEach((r, i) => Xv.set(X.subarray(r * d, r * d + d), i * d));
  const P = predictDense(net, activation, Xv, idx.length);
  if (t.kind === 'classes') {
    let correct = 0;
    idx.forEach((r, i) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (P[i * K + k]! > P[i * K + best]!) best = k;
      if (best === t.y[r]) correct++;
    });
    return correct / idx.length;
  }
  let total = 0;
  for (let c = 0; c < K; c++) {
    let mean = 0;
    idx.forEach((r) => { mean += t.y[r * K + c]!; });
    mean /= idx.length;
    let ssRes = 0;
    let ssTot = 0;
    idx.forEach((r, i) => { const y = t.y[r * K + c]!; ssRes += (y - P[i * K + c]!) ** 2; ssTot += (y - mean) ** 2; });
    total += ssTot > 0 ? 1 - ssRes / ssTot : 0;
  }
  return total / K;
}

/**
 * Trains `net` in place on X (n rows) with Adam, shuffling each epoch with `rng`. Stops as
 * scikit-learn: after more than `nIterNoChange` epochs without a `tol` improvement of the training
 * loss (or, with early stopping, of the validation score, whose best weights are kept).
 * @example trainDense(initNet([64, 100, 10], 'relu', rng), 'relu', X, n, { kind: 'classes', y }, opts, rng);
 */
export function trainDense(net: DenseNet, activation: MLPActivation, X: Float64Array, n: number, t: DenseTargets, o: DenseTrainOptions, rng: Rng): DenseReport {
  const d = net.sizes[0]!;
  const L = net.sizes.length - 1;
  const K = net.sizes[L]!;
  const { trainIdx, valIdx } = earlyStoppingSplit(n, o.earlyStopping, o.validationFraction, rng);
  const nTrain = trainIdx.length;
  const batch = Math.max(1, Math.min(o.batchSize, nTrain));
  const ws = new Workspace(net.sizes, batch, activation);
  const params: Float64Array[] = [];
  const grads: Float64Array[] = [];
  for (let l = 0; l < L; l++) { params.push(net.W[l]!, net.b[l]!); grads.push(ws.dW[l]!, ws.db[l]!); }
  const adam = new Adam(params, o.learningRateInit);
  const lossCurve: number[] = [];
  let best = o.earlyStopping ? -Infinity : Infinity;
  let bestParams: Float64Array[] | null = null;
  let stale = 0;
  const idx = new Int32Array(nTrain);
  const l2 = params.map(() => 0); // per parameter: alpha / batch for weights, 0 for biases
  let wSq = 0; // Σ W², kept current by the optimizer
  for (const w of net.W) for (let k = 0; k < w.length; k++) wSq += w[k]! * w[k]!;
  const X0 = ws.acts[0]!;
  const G = ws.grads[L]!;
  for (let epoch = 0; epoch < o.maxIter; epoch++) {
    const order = rng.permutation(nTrain);
    for (let i = 0; i < nTrain; i++) idx[i] = trainIdx[order[i]!]!;
    let total = 0;
    for (let s = 0; s < nTrain; s += batch) {
      const m = Math.min(nTrain, s + batch) - s;
      for (let r = 0; r < m; r++) { const src = idx[s + r]! * d; const dst = r * d; for (let c = 0; c < d; c++) X0[dst + c] = X[src + c]!; }
      const Z = forward(net, activation, ws, m);
      if (t.kind === 'classes') total += softmaxLoss(Z, m, K, t.y, idx, s, G, 1 / m);
      else {
        // Half the mean squared error over the batch's entries, as scikit-learn's squared_loss.
        let sq = 0;
        for (let r = 0; r < m; r++) {
          const src = idx[s + r]! * K;
          for (let k = 0; k < K; k++) { const e = Z[r * K + k]! - t.y[src + k]!; sq += e * e; G[r * K + k] = e / m; }
        }
        total += sq / (2 * K);
      }
      // scikit-learn adds the penalty to every batch's loss, at that batch's weights.
      total += 0.5 * o.alpha * wSq;
      backward(net, activation, ws, m);
      for (let l = 0; l < L; l++) l2[2 * l] = o.alpha / m;
      wSq = adam.step(grads, l2);
    }
    const epochLoss = total / nTrain;
    if (!Number.isFinite(epochLoss)) throw new Error(`training diverged at epoch ${epoch + 1} (loss ${epochLoss}): lower learningRateInit or scale the features`);
    lossCurve.push(epochLoss);
    if (valIdx) {
      const score = validationScore(net, activation, X, t, valIdx);
      stale = score > best + o.tol ? 0 : stale + 1;
      if (score > best) { best = score; bestParams = params.map((p) => Float64Array.from(p)); }
    } else {
      stale = epochLoss > best - o.tol ? stale + 1 : 0;
      if (epochLoss < best) best = epochLoss;
    }
    if (stale > o.nIterNoChange) break;
  }
  if (bestParams) params.forEach((p, q) => p.set(bestParams![q]!));
  return { nIter: lossCurve.length, lossCurve, bestValidationScore: valIdx ? best : null };
}
