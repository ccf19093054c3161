// 2-D max and average pooling over NCHW planes, with stride and padding (forward and backward side by side).

import { Tensor } from '../tensor/tensor.js';
import { ShapeError, shapeStr } from '../tensor/shape.js';
import { allocFloat, requireFloat, result } from './util.js';
import { pair, windowOf, type Window2d } from './conv2d.js';

/** Window size, stride (the window size by default, as PyTorch) and zero padding. */
export interface Pool2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
}

function geometry(op: string, x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions): Window2d {
  if (x.ndim !== 4) throw new ShapeError(`${op}: input must be (N, C, H, W), got ${shapeStr(x.shape)}`);
  const k = pair(op, 'kernel size', kernel, 1, 1);
  const p = pair(op, 'padding', options.padding, 0, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) throw new RangeError(`${op}: padding ${p.join('x')} must be at most half the kernel ${k.join('x')}`);
  return windowOf(op, x.shape[2]!, x.shape[3]!, k, pair(op, 'stride', options.stride, k[0], 1), p, [1, 1]);
}

/**
 * Maximum over each window of x (N, C, H, W) -> (N, C, Ho, Wo); padding never wins (it is -inf).
 * The gradient goes to the first maximal element of each window.
 * @example maxPool2d(x, 2) // (8, 16, 28, 28) -> (8, 16, 14, 14)
 */
export function maxPool2d(x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Tensor {
  const xd = requireFloat('maxPool2d', x);
  const g = geometry('maxPool2d', x, kernel, options);
  const planes = x.shape[0]! * x.shape[1]!;
  const HW = g.H * g.W;
  const L = g.Ho * g.Wo;
  const out = allocFloat(x.dtype, planes * L);
  const arg = new Int32Array(planes * L); // flat input index of each output's maximum
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * HW;
    for (let oy = 0; oy < g.Ho; oy++) {
      const y0 = oy * g.sh - g.ph;
      for (let ox = 0; ox < g.Wo; ox++) {
        const x0 = ox * g.sw - g.pw;
        let best = -Infinity;
        let at = -1;
        for (let i = Math.max(0, y0); i < Math.min(g.H, y0 + g.kh); i++) {
          for (let j = Math.max(0, x0); j < Math.min(g.W, x0 + g.kw); j++) {
            const v = xd[base + i * g.W + j];
            if (v > best || at < 0) { best = v; at = base + i * g.W + j; }
          }
        }
        const o = pl * L + oy * g.Wo + ox;
        out[o] = best;
        arg[o] = at;
      }
    }
  }
  return result(out, [x.shape[0]!, x.shape[1]!, g.Ho, g.Wo], 'maxPool2d', [x], (grad) => {
    const dx = allocFloat(x.dtype, x.size);
    const gd = grad.data;
    for (let o = 0; o < arg.length; o++) dx[arg[o]!] += gd[o]!;
    return [new Tensor(dx, x.shape)];
  });
}

/**
 * Mean over each window of x (N, C, H, W) -> (N, C, Ho, Wo); padded zeros count in the mean
 * (PyTorch's count_include_pad=True), so every window divides by kh·kw.
 * @example avgPool2d(x, 2) // (8, 16, 28, 28) -> (8, 16, 14, 14)
 */
export function avgPool2d(x: Tensor, kernel: number | readonly [number, number], options: Pool2dOptions = {}): Tensor {
  const xd = requireFloat('avgPool2d', x);
  const g = geometry('avgPool2d', x, kernel, options);
  const planes = x.shape[0]! * x.shape[1]!;
  const HW = g.H * g.W;
  const L = g.Ho * g.Wo;
  const scale = 1 / (g.kh * g.kw);
  const out = allocFloat(x.dtype, planes * L);
  // Visits the in-bounds input cells of every window: forward gathers, backward scatters.
  const each = (visit: (o: number, i: number) => void): void => {
    for (let pl = 0; pl < planes; pl++) {
      for (let oy = 0; oy < g.Ho; oy++) {
        const y0 = oy * g.sh - g.ph;
        for (let ox = 0; ox < g.Wo; ox++) {
          const x0 = ox * g.sw - g.pw;
          const o = pl * L + oy * g.Wo + ox;
          for (let i = Math.max(0, y0); i < Math.min(g.H, y0 + g.kh); i++) {
            for (let j = Math.max(0, x0); j < Math.min(g.W, x0 + g.kw); j++) visit(o, pl * HW + i * g.W + j);
          }
        }
      }
    }
  };
  each((o, i) => { out[o] += xd[i]! * scale; });
  return result(out, [x.shape[0]!, x.shape[1]!, g.Ho, g.Wo], 'avgPool2d', [x], (grad) => {
    const dx = allocFloat(x.dtype, x.size);
    const gd = grad.data;
    each((o, i) => { dx[i] += gd[o]! * scale; });
    return [new Tensor(dx, x.shape)];
  });
}
