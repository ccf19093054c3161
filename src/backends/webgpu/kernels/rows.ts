// Row kernels (one workgroup of 64 per row, tree reductions in workgroup memory): softmax and its
// backward, layer norm and its backward, cross-entropy and its backward.

import type { GpuStorage } from '../memory.js';
import { groups1d } from '../runtime.js';
import { type GpuCtx, ONE_D, requireF32, requireI32, run1d } from './common.js';

const ROW = /* wgsl */ `
const RW: u32 = 64u; // threads per row: GPT widths (192-1024) and vocabularies both fit; few barriers
var<workgroup> red: array<f32, 64>;
fn wgSum(li: u32, v: f32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var w = RW / 2u; w > 0u; w >>= 1u) {
    if (li < w) { red[li] += red[li + w]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn wgMax(li: u32, v: f32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var w = RW / 2u; w > 0u; w >>= 1u) {
    if (li < w) { red[li] = max(red[li], red[li + w]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let row = wgIndex(wg, nwg);
  let rows = pu(0u);
  let cols = pu(1u);
  if (row >= rows) { return; }
  let o = row * cols;
`;

// Params: rows, cols, log.
const softmaxSpec = {
  name: 'softmax',
  bindings: [{ name: 'X', type: 'f32' as const }, { name: 'OUT', type: 'f32' as const, write: true }],
  body: `${ROW}
  var m = negInf();
  for (var j = li; j < cols; j += RW) { m = max(m, X[o + j]); }
  m = wgMax(li, m);
  if (m == negInf()) { m = 0.0; } // a fully masked row: keep exp finite
  var s = 0.0;
  for (var j = li; j < cols; j += RW) { s += exp(X[o + j] - m); }
  s = wgSum(li, s);
  if (pu(2u) != 0u) {
    let lse = m + log(s);
    for (var j = li; j < cols; j += RW) { OUT[o + j] = X[o + j] - lse; }
  } else {
    let inv = 1.0 / s;
    for (var j = li; j < cols; j += RW) { OUT[o + j] = exp(X[o + j] - m) * inv; }
  }
}
`,
};

const softmaxBackwardSpec = {
  name: 'softmax_backward',
  bindings: [{ name: 'Y', type: 'f32' as const }, { name: 'G', type: 'f32' as const }, { name: 'DX', type: 'f32' as const, write: true }],
  body: `${ROW}
  let lg = pu(2u) != 0u;
  var s = 0.0;
  for (var j = li; j < cols; j += RW) { s += select(G[o + j] * Y[o + j], G[o + j], lg); }
  s = wgSum(li, s);
  for (var j = li; j < cols; j += RW) {
    let g = G[o + j];
    let y = Y[o + j];
    DX[o + j] = select(y * (g - s), g - exp(y) * s, lg);
  }
}
`,
};

// Params: rows, cols, eps, hasWeight, hasBias (W and B are bound to X when absent).
const layerNormSpec = {
  name: 'layer_norm',
  bindings: [
    { name: 'X', type: 'f32' as const }, { name: 'W', type: 'f32' as const }, { name: 'B', type: 'f32' as const },
    { name: 'OUT', type: 'f32' as const, write: true }, { name: 'MEAN', type: 'f32' as const, write: true }, { name: 'RSTD', type: 'f32' as const, write: true },
  ],
  body: `${ROW}
  var s = 0.0;
  for (var j = li; j < cols; j += RW) { s += X[o + j]; }
  let m = wgSum(li, s) / f32(cols);
  var v = 0.0;
  for (var j = li; j < cols; j += RW) { let d = X[o + j] - m; v += d * d; }
  let rs = 1.0 / sqrt(wgSum(li, v) / f32(cols) + pf(2u));
  if (li == 0u) { MEAN[row] = m; RSTD[row] = rs; }
  let hw = pu(3u) != 0u;
  let hb = pu(4u) != 0u;
  for (var j = li; j < cols; j += RW) {
    var y = (X[o + j] - m) * rs;
    if (hw) { y *= W[j]; }
    if (hb) { y += B[j]; }
    OUT[o + j] = y;
  }
}
`,
};

// dx per row; params: rows, cols, hasWeight.
const layerNormBackwardSpec = {
  name: 'layer_norm_backward',
  bindings: [
    { name: 'X', type: 'f32' as const }, { name: 'W', type: 'f32' as const }, { name: 'MEAN', type: 'f32' as const },
    { name: 'RSTD', type: 'f32' as const }, { name: 'DY', type: 'f32' as const }, { name: 'DX', type: 'f32' as const, write: true },
  ],
  body: `${ROW}
  let m = MEAN[row];
  let rs = RSTD[row];
  let hw = pu(2u) != 0u;
  var sd = 0.0;
  var sdx = 0.0;
  for (var j = li; j < cols; j += RW) {
    let xhat = (X[o + j] - m) * rs;
    let d = select(DY[o + j], DY[o + j] * W[j], hw);
    sd += d;
    sdx += d * xhat;
  }
  sd = wgSum(li, sd) / f32(cols);
  sdx = wgSum(li, sdx) / f32(cols);
  for (var j = li; j < cols; j += RW) {
    let xhat = (X[o + j] - m) * rs;
    let d = select(DY[o + j], DY[o + j] * W[j], hw);
    DX[o + j] = rs * (d - sd - xhat * sdx);
  }
}
`,
};

const CHUNK_ROWS = 64;
// Column partial sums of dy * xhat and dy over chunks of 64 rows: PART (2, chunks, cols).
// Params: n = chunks * cols, rows, cols, chunks.
const layerNormParamsSpec = {
  name: 'layer_norm_param_partials',
  bindings: [
    { name: 'X', type: 'f32' as const }, { name: 'MEAN', type: 'f32' as const }, { name: 'RSTD', type: 'f32' as const },
    { name: 'DY', type: 'f32' as const }, { name: 'PART', type: 'f32' as const, write: true },
  ],
  body: `${ONE_D}
  let rows = pu(1u); let cols = pu(2u); let chunks = pu(3u);
  let chunk = i / cols;
  let j = i % cols;
  var sw = 0.0;
  var sb = 0.0;
  let end = min(rows, (chunk + 1u) * ${CHUNK_ROWS}u);
  for (var r = chunk * ${CHUNK_ROWS}u; r < end; r++) {
    let dy = DY[r * cols + j];
    sw += dy * (X[r * cols + j] - MEAN[r]) * RSTD[r];
    sb += dy;
  }
  PART[i] = sw;
  PART[chunks * cols + i] = sb;
}
`,
};
// Params: n = cols, chunks, hasWeight, hasBias (DW/DB bound to PART when absent... never both absent).
const layerNormParamsSumSpec = {
  name: 'layer_norm_param_sum',
  bindings: [{ name: 'PART', type: 'f32' as const }, { name: 'DW', type: 'f32' as const, write: true }, { name: 'DB', type: 'f32' as const, write: true }],
  body: `${ONE_D}
  let chunks = pu(1u);
  var sw = 0.0;
  var sb = 0.0;
  for (var c = 0u; c < chunks; c++) { sw += PART[c * n + i]; sb += PART[(chunks + c) * n + i]; }
  if (pu(2u) != 0u) { DW[i] += sw; }
  if (pu(3u) != 0u) { DB[i] += sb; }
}
`,
};

// Params: rows, cols, ignoreIndex.
const crossEntropySpec = {
  name: 'cross_entropy',
  bindings: [
    { name: 'X', type: 'f32' as const }, { name: 'T', type: 'i32' as const },
    { name: 'LOSS', type: 'f32' as const, write: true }, { name: 'P', type: 'f32' as const, write: true },
  ],
  body: `${ROW}
  let t = T[row];
  if (t == pi(2u)) {
    if (li == 0u) { LOSS[row] = 0.0; }
    for (var j = li; j < cols; j += RW) { P[o + j] = 0.0; }
    return;
  }
  var m = negInf();
  for (var j = li; j < cols; j += RW) { m = max(m, X[o + j]); }
  m = wgMax(li, m);
  var s = 0.0;
  for (var j = li; j < cols; j += RW) { let e = exp(X[o + j] - m); P[o + j] = e; s += e; }
  s = wgSum(li, s);
  let inv = 1.0 / s;
  for (var j = li; j < cols; j += RW) { P[o + j] *= inv; }
  if (li == 0u) { LOSS[row] = m + log(s) - X[o + u32(t)]; }
}
`,
};

// Params: n = rows * cols, cols, ignoreIndex.
const crossEntropyBackwardSpec = {
  name: 'cross_entropy_backward',
  bindings: [
    { name: 'P', type: 'f32' as const }, { name: 'T', type: 'i32' as const }, { name: 'S', type: 'f32' as const },
    { name: 'DX', type: 'f32' as const, write: true },
  ],
  body: `${ONE_D}
  let cols = pu(1u);
  let r = i / cols;
  let t = T[r];
  let hit = select(0.0, 1.0, i32(i % cols) == t);
  DX[i] = select((P[i] - hit) * S[r], 0.0, t == pi(2u));
}
`,
};

/** Row-wise kernels. */
export function rowKernels(ctx: GpuCtx) {
  const rowDispatch = (spec: { name: string; bindings: readonly { name: string; type: 'f32' | 'i32'; write?: boolean }[]; body: string }, buffers: GpuStorage[], rows: number): void => {
    ctx.rt.dispatch(spec, buffers, groups1d(rows, 1));
  };
  return {
    softmax(x: GpuStorage, out: GpuStorage, rows: number, cols: number, log: boolean): boolean {
      requireF32('softmax', x, out);
      if (rows * cols === 0) return true;
      ctx.rt.params().u(rows).u(cols).u(log ? 1 : 0);
      rowDispatch(softmaxSpec, [x, out], rows);
      return true;
    },
    softmaxBackward(y: GpuStorage, g: GpuStorage, dx: GpuStorage, rows: number, cols: number, log: boolean): boolean {
      requireF32('softmaxBackward', y, g, dx);
      if (rows * cols === 0) return true;
      ctx.rt.params().u(rows).u(cols).u(log ? 1 : 0);
      rowDispatch(softmaxBackwardSpec, [y, g, dx], rows);
      return true;
    },
    layerNorm(x: GpuStorage, weight: GpuStorage | null, bias: GpuStorage | null, out: GpuStorage, mean: GpuStorage, rstd: GpuStorage, rows: number, cols: number, eps: number): boolean {
      requireF32('layerNorm', x, weight, bias, out, mean, rstd);
      if (rows * cols === 0) return true;
      ctx.rt.params().u(rows).u(cols).f(eps).u(weight ? 1 : 0).u(bias ? 1 : 0);
      rowDispatch(layerNormSpec, [x, weight ?? x, bias ?? x, out, mean, rstd], rows);
      return true;
    },
    layerNormBackward(x: GpuStorage, weight: GpuStorage | null, mean: GpuStorage, rstd: GpuStorage, dy: GpuStorage, dx: GpuStorage, dWeight: GpuStorage | null, dBias: GpuStorage | null, rows: number, cols: number): boolean {
      requireF32('layerNormBackward', x, weight, mean, rstd, dy, dx, dWeight, dBias);
      if (rows * cols === 0) return true;
      ctx.rt.params().u(rows).u(cols).u(weight ? 1 : 0);
      rowDispatch(layerNormBackwardSpec, [x, weight ?? x, mean, rstd, dy, dx], rows);
      if (dWeight || dBias) {
        const chunks = Math.ceil(rows / CHUNK_ROWS);
        const part = ctx.pool.take('float32', 2 * chunks * cols, 4).storage;
        run1d(ctx, layerNormParamsSpec, [x, mean, rstd, dy, part], chunks * cols, (p) => p.u(rows).u(cols).u(chunks));
        // An absent output is bound to the other one (or a fresh scratch) and not written.
        const dw = dWeight ?? dBias!;
        const db = dBias ?? dWeight!;
        run1d(ctx, layerNormParamsSumSpec, [part, dw, db], cols, (p) => p.u(chunks).u(dWeight ? 1 : 0).u(dBias ? 1 : 0));
      }
      return true;
    },
    crossEntropy(logits: GpuStorage, targets: GpuStorage, losses: GpuStorage, probs: GpuStorage, rows: number, cols: number, ignoreIndex: number): boolean {
      requireF32('crossEntropy', logits, losses, probs);
      requireI32('crossEntropy', targets);
      if (rows === 0) return true;
      ctx.rt.params().u(rows).u(cols).i(ignoreIndex);
      rowDispatch(crossEntropySpec, [logits, targets, losses, probs], rows);
      return true;
    },
    crossEntropyBackward(probs: GpuStorage, targets: GpuStorage, rowScale: GpuStorage, dx: GpuStorage, rows: number, cols: number, ignoreIndex: number): boolean {
      requireF32('crossEntropyBackward', probs, rowScale, dx);
      requireI32('crossEntropyBackward', targets);
      run1d(ctx, crossEntropyBackwardSpec, [probs, targets, rowScale, dx], rows * cols, (p) => p.u(cols).i(ignoreIndex));
      return true;
    },
  };
}
