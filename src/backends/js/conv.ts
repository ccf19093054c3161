// Reference kernels of 2-D convolution (im2col, col2im) and pooling over NCHW planes.

import type { Window2d } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';

/** Image n of x (C, H, W) into columns (C*kh*kw, Ho*Wo): row (c, i, j) of the kernel, column (oy, ox). */
export function im2col(x: FloatArray, cols: FloatArray, n: number, C: number, g: Window2d): boolean {
  const L = g.Ho * g.Wo;
  const K = C * g.kh * g.kw;
  for (let img = 0; img < n; img++) {
    const xOff = img * C * g.H * g.W;
    let o = img * K * L;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < g.kh; i++) {
        for (let j = 0; j < g.kw; j++) {
          for (let oy = 0; oy < g.Ho; oy++) {
            const y = oy * g.sh - g.ph + i * g.dh;
            const inY = y >= 0 && y < g.H;
            for (let ox = 0; ox < g.Wo; ox++, o++) {
              const xx = ox * g.sw - g.pw + j * g.dw;
              cols[o] = inY && xx >= 0 && xx < g.W ? x[xOff + (c * g.H + y) * g.W + xx] : 0;
            }
          }
        }
      }
    }
  }
  return true;
}

export function col2im(cols: FloatArray, dx: FloatArray, n: number, C: number, g: Window2d): boolean {
  const L = g.Ho * g.Wo;
  const K = C * g.kh * g.kw;
  for (let img = 0; img < n; img++) {
    const xOff = img * C * g.H * g.W;
    let o = img * K * L;
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < g.kh; i++) {
        for (let j = 0; j < g.kw; j++) {
          for (let oy = 0; oy < g.Ho; oy++) {
            const y = oy * g.sh - g.ph + i * g.dh;
            const inY = y >= 0 && y < g.H;
            for (let ox = 0; ox < g.Wo; ox++, o++) {
              const xx = ox * g.sw - g.pw + j * g.dw;
              if (inY && xx >= 0 && xx < g.W) dx[xOff + (c * g.H + y) * g.W + xx] += cols[o];
            }
          }
        }
      }
    }
  }
  return true;
}

/** Calls visit(outIndex, inIndex) for the in-bounds input cells of every window of every plane. */
function eachWindow(planes: number, g: Window2d, visit: (o: number, i: number, first: boolean) => void): void {
  const HW = g.H * g.W;
  const L = g.Ho * g.Wo;
  for (let pl = 0; pl < planes; pl++) {
    for (let oy = 0; oy < g.Ho; oy++) {
      const y0 = oy * g.sh - g.ph;
      for (let ox = 0; ox < g.Wo; ox++) {
        const x0 = ox * g.sw - g.pw;
        const o = pl * L + oy * g.Wo + ox;
        let first = true;
        for (let i = Math.max(0, y0); i < Math.min(g.H, y0 + g.kh); i++) {
          for (let j = Math.max(0, x0); j < Math.min(g.W, x0 + g.kw); j++) {
            visit(o, pl * HW + i * g.W + j, first);
            first = false;
          }
        }
      }
    }
  }
}

export function maxPool2d(x: FloatArray, out: FloatArray, arg: Int32Array, planes: number, g: Window2d): boolean {
  out.fill(-Infinity);
  arg.fill(-1);
  eachWindow(planes, g, (o, i, first) => {
    if (first || x[i] > out[o]) { out[o] = x[i]; arg[o] = i; }
  });
  return true;
}

export function avgPool2d(x: FloatArray, out: FloatArray, planes: number, g: Window2d): boolean {
  const scale = 1 / (g.kh * g.kw);
  out.fill(0);
  eachWindow(planes, g, (o, i) => { out[o] += x[i] * scale; });
  return true;
}

export function avgPool2dBackward(grad: FloatArray, dx: FloatArray, planes: number, g: Window2d): boolean {
  const scale = 1 / (g.kh * g.kw);
  eachWindow(planes, g, (o, i) => { dx[i] += grad[o] * scale; });
  return true;
}
