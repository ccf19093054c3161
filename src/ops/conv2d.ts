// 2-D convolution (cross-correlation, as PyTorch) over NCHW: im2col + one batched GEMM forward, two backward.

import { Tensor } from '../tensor/tensor.js';
import type { MatmulParams, Window2d } from '../backends/backend.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import { alloc, allocOutput, commonDtype, kernels, make, requireFloat, result, sameDevice } from './util.js';

export type { Window2d } from '../backends/backend.js';

/** Stride, zero padding and dilation, each one number or [height, width]. */
export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
}


/** A number or a [height, width] pair as a pair, checked to be an integer >= min. */
export function pair(op: string, name: string, v: number | readonly [number, number] | undefined, fallback: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) throw new RangeError(`${op}: ${name} must be integers >= ${min}, got ${String(v)}`);
  return p;
}

/**
 * Output size of a window sliding over (H, W): floor((H + 2p - d(k - 1) - 1) / s) + 1 per axis.
 * @example windowOf('conv2d', 28, 28, [3, 3], [1, 1], [1, 1], [1, 1]).Ho // 28
 */
export function windowOf(op: string, H: number, W: number, k: [number, number], s: [number, number], p: [number, number], d: [number, number]): Window2d {
  const Ho = Math.floor((H + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const Wo = Math.floor((W + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  if (Ho < 1 || Wo < 1) throw new ShapeError(`${op}: a ${k[0]}x${k[1]} window does not fit a padded ${H}x${W} input`);
  return { kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], H, W, Ho, Wo };
}

function gemm(over: Partial<MatmulParams> & Pick<MatmulParams, 'm' | 'n' | 'k'>): MatmulParams {
  return { batch: 1, transA: false, transB: false, aOffset: 0, bOffset: 0, aBatchStride: 0, bBatchStride: 0, accumulate: false, ...over };
}

/**
 * Convolution of x (N, C, H, W) with weight (O, C, kh, kw) and optional bias (O) -> (N, O, Ho, Wo).
 * Forward: each image unfolds to columns (C·kh·kw, Ho·Wo) and one batched GEMM gives W @ cols.
 * @example conv2d(x, w, b, { stride: 1, padding: 1 }) // (8, 1, 28, 28) * (16, 1, 3, 3) -> (8, 16, 28, 28)
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const dtype = commonDtype('conv2d', x, weight);
  const xd = requireFloat('conv2d', x);
  if (x.ndim !== 4) throw new ShapeError(`conv2d: input must be (N, C, H, W), got ${shapeStr(x.shape)}`);
  if (weight.ndim !== 4) throw new ShapeError(`conv2d: weight must be (out, in, kh, kw), got ${shapeStr(weight.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cw, kh, kw] = weight.shape as [number, number, number, number];
  if (Cw !== C) throw new ShapeError(`conv2d: input ${shapeStr(x.shape)} has ${C} channels but weight ${shapeStr(weight.shape)} expects ${Cw}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new ShapeError(`conv2d: bias ${shapeStr(bias.shape)} does not match ${O} output channels`);
  if (bias) commonDtype('conv2d', x, bias);
  const g = windowOf('conv2d', H, W, [kh, kw], pair('conv2d', 'stride', options.stride, 1, 1),
    pair('conv2d', 'padding', options.padding, 0, 0), pair('conv2d', 'dilation', options.dilation, 1, 1));
  const L = g.Ho * g.Wo;
  const K = C * kh * kw;
  const device = sameDevice('conv2d', x, weight, bias);
  const k = kernels(x);
  const cols = allocOutput(device, dtype, N * K * L); // (N, K, L), kept for the weight gradient
  k.im2col(xd, cols, N, C, g);
  const wd = weight.storage;
  const out = allocOutput(device, dtype, N * O * L);
  if (bias) {
    // Start every output plane at its bias (a (O, 1) column broadcast over L), then accumulate the product.
    k.copyStrided(bias.storage, out, { shape: [N, O, L], xOffset: 0, xStrides: [0, 1, 0], outOffset: 0, outStrides: [O * L, L, 1], accumulate: false });
  }
  // out[n] (O, L) = W (O, K) @ cols[n] (K, L): W shared across the batch (stride 0).
  k.matmul(wd, cols, out, gemm({ batch: N, m: O, n: L, k: K, bBatchStride: K * L, accumulate: bias !== null }));
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result(out, [N, O, g.Ho, g.Wo], 'conv2d', inputs, (grad) => {
    const gd = grad.storage;
    const grads: Array<Tensor | null> = [null, null];
    if (x.requiresGrad) {
      // dcols[n] (K, L) = W^T (K, O) @ g[n] (O, L), then fold the columns back onto the image.
      const dcols = allocOutput(device, dtype, N * K * L);
      k.matmul(wd, gd, dcols, gemm({ batch: N, m: K, n: L, k: O, transA: true, bBatchStride: O * L }));
      const dx = alloc(device, dtype, x.size);
      k.col2im(dcols, dx, N, C, g);
      grads[0] = make(device, dx, x.shape);
    }
    if (weight.requiresGrad) {
      // dW (O, K) = sum_n g[n] (O, L) @ cols[n]^T (L, K), accumulated image by image.
      const dw = alloc(device, dtype, weight.size);
      for (let n = 0; n < N; n++) {
        k.matmul(gd, cols, dw, gemm({ m: O, n: K, k: L, transB: true, aOffset: n * O * L, bOffset: n * K * L, accumulate: true }));
      }
      grads[1] = make(device, dw, weight.shape);
    }
    if (bias) {
      // Sum of g over the images and positions: (N, O, L) -> (O).
      grads.push(make(device, grad.storage, [N, O, L]).sum([0, 2]));
    }
    return grads;
  });
}
