// Convolution and pooling kernels over NCHW planes: im2col, col2im (as a gather per input cell, so no
// atomics), max and average pooling and the average's backward.

import type { Window2d } from '../../backend.js';
import type { GpuStorage } from '../memory.js';
import { type GpuCtx, ONE_D, requireF32, requireI32, run1d } from './common.js';

type Writer = ReturnType<GpuCtx['rt']['params']>;
// Window words start at 1 (after n): kh kw sh sw ph pw dh dw H W Ho Wo, then C at 13.
function window(p: Writer, w: Window2d): Writer {
  return p.u(w.kh).u(w.kw).u(w.sh).u(w.sw).u(w.ph).u(w.pw).u(w.dh).u(w.dw).u(w.H).u(w.W).u(w.Ho).u(w.Wo);
}
const WINDOW = `
  let kh = pu(1u); let kw = pu(2u); let sh = pi(3u); let sw = pi(4u); let ph = pi(5u); let pw = pi(6u);
  let dh = pi(7u); let dw = pi(8u); let H = pi(9u); let W = pi(10u); let Ho = pu(11u); let Wo = pu(12u);`;

// Thread per column element: (img, c, i, j, oy, ox).
const im2colSpec = {
  name: 'im2col',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'COLS', type: 'f32' as const, write: true }],
  body: `${ONE_D}${WINDOW}
  let C = pu(13u);
  let L = Ho * Wo;
  let ox = i % Wo;
  let oy = (i / Wo) % Ho;
  let rowk = i / L;
  let j = rowk % kw;
  let ii = (rowk / kw) % kh;
  let cc = (rowk / (kw * kh)) % C;
  let img = rowk / (kw * kh * C);
  let y = i32(oy) * sh - ph + i32(ii) * dh;
  let x = i32(ox) * sw - pw + i32(j) * dw;
  var v = 0.0;
  if (y >= 0 && y < H && x >= 0 && x < W) { v = X[((img * C + cc) * u32(H) + u32(y)) * u32(W) + u32(x)]; }
  COLS[i] = v;
}
`,
};

// Thread per image cell: sums every column entry that reads it.
const col2imSpec = {
  name: 'col2im',
  bindings: [{ name: 'COLS', type: 'f32' as const }, { name: 'DX', type: 'f32' as const, write: true }],
  body: `${ONE_D}${WINDOW}
  let C = pu(13u);
  let L = Ho * Wo;
  let x = i32(i % u32(W));
  let y = i32((i / u32(W)) % u32(H));
  let cc = (i / u32(W * H)) % C;
  let img = i / (u32(W * H) * C);
  var s = 0.0;
  for (var ii = 0u; ii < kh; ii++) {
    let ny = y + ph - i32(ii) * dh;
    if (ny < 0 || ny % sh != 0) { continue; }
    let oy = ny / sh;
    if (oy >= i32(Ho)) { continue; }
    for (var j = 0u; j < kw; j++) {
      let nx = x + pw - i32(j) * dw;
      if (nx < 0 || nx % sw != 0) { continue; }
      let ox = nx / sw;
      if (ox >= i32(Wo)) { continue; }
      s += COLS[(((img * C + cc) * kh + ii) * kw + j) * L + u32(oy) * Wo + u32(ox)];
    }
  }
  DX[i] += s;
}
`,
};

const POOL_WINDOW = `${WINDOW}
  let L = Ho * Wo;
  let plane = i / L;
  let oy = i32((i / Wo) % Ho);
  let ox = i32(i % Wo);
  let y0 = oy * sh - ph;
  let x0 = ox * sw - pw;
  let ys = max(0, y0); let ye = min(H, y0 + i32(kh));
  let xs = max(0, x0); let xe = min(W, x0 + i32(kw));
  let base = plane * u32(H * W);`;

const maxPoolSpec = {
  name: 'max_pool2d',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true }, { name: 'ARG', type: 'i32' as const, write: true }],
  body: `${ONE_D}${POOL_WINDOW}
  var best = negInf();
  var arg = -1;
  var first = true;
  for (var y = ys; y < ye; y++) {
    for (var x = xs; x < xe; x++) {
      let at = base + u32(y * W + x);
      let v = X[at];
      if (first || v > best) { best = v; arg = i32(at); }
      first = false;
    }
  }
  OUT[i] = best;
  ARG[i] = arg;
}
`,
};

const avgPoolSpec = {
  name: 'avg_pool2d',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: `${ONE_D}${POOL_WINDOW}
  let scale = 1.0 / f32(kh * kw);
  var s = 0.0;
  for (var y = ys; y < ye; y++) {
    for (var x = xs; x < xe; x++) { s += X[base + u32(y * W + x)] * scale; }
  }
  OUT[i] = s;
}
`,
};

// Thread per input cell: the windows that cover it (no dilation in pooling, as the reference).
const avgPoolBackwardSpec = {
  name: 'avg_pool2d_backward',
  bindings: [{ name: 'G', type: 'f32' as const }, { name: 'DX', type: 'f32' as const, write: true }],
  body: `${ONE_D}${WINDOW}
  let x = i32(i % u32(W));
  let y = i32((i / u32(W)) % u32(H));
  let plane = i / u32(W * H);
  let scale = 1.0 / f32(kh * kw);
  var s = 0.0;
  for (var oy = 0; oy < i32(Ho); oy++) {
    let y0 = oy * sh - ph;
    if (y < y0 || y >= y0 + i32(kh)) { continue; }
    for (var ox = 0; ox < i32(Wo); ox++) {
      let x0 = ox * sw - pw;
      if (x < x0 || x >= x0 + i32(kw)) { continue; }
      s += G[plane * Ho * Wo + u32(oy) * Wo + u32(ox)] * scale;
    }
  }
  DX[i] += s;
}
`,
};

/** Convolution and pooling kernels. */
export function convKernels(ctx: GpuCtx) {
  return {
    im2col(x: GpuStorage, cols: GpuStorage, n: number, c: number, w: Window2d): boolean {
      requireF32('im2col', x, cols);
      run1d(ctx, im2colSpec, [x, cols], n * c * w.kh * w.kw * w.Ho * w.Wo, (p) => window(p, w).u(c));
      return true;
    },
    col2im(cols: GpuStorage, dx: GpuStorage, n: number, c: number, w: Window2d): boolean {
      requireF32('col2im', cols, dx);
      run1d(ctx, col2imSpec, [cols, dx], n * c * w.H * w.W, (p) => window(p, w).u(c));
      return true;
    },
    maxPool2d(x: GpuStorage, out: GpuStorage, arg: GpuStorage, planes: number, w: Window2d): boolean {
      requireF32('maxPool2d', x, out);
      requireI32('maxPool2d', arg);
      run1d(ctx, maxPoolSpec, [x, out, arg], planes * w.Ho * w.Wo, (p) => window(p, w));
      return true;
    },
    avgPool2d(x: GpuStorage, out: GpuStorage, planes: number, w: Window2d): boolean {
      requireF32('avgPool2d', x, out);
      run1d(ctx, avgPoolSpec, [x, out], planes * w.Ho * w.Wo, (p) => window(p, w));
      return true;
    },
    avgPool2dBackward(g: GpuStorage, dx: GpuStorage, planes: number, w: Window2d): boolean {
      requireF32('avgPool2dBackward', g, dx);
      run1d(ctx, avgPoolBackwardSpec, [g, dx], planes * w.H * w.W, (p) => window(p, w));
      return true;
    },
  };
}
