// Element-wise WGSL kernels: unary maps and their backwards, binary ops, fill, cast, where, notEqual,
// maximum's backward, dropout (Philox 4x32-10, the same bits as js/philox.ts) and AdamW.

import type { AdamWParams, BinaryKernel, UnaryKernel } from '../../backend.js';
import type { GpuStorage } from '../memory.js';
import { type GpuCtx, elementwise, requireF32, requireI32, run1d, specCache, wgslType } from './common.js';

const UNARY: Record<UnaryKernel, string> = {
  neg: '-v',
  exp: 'exp(v)',
  log: 'log(v)',
  sqrt: 'sqrt(v)',
  abs: 'abs(v)',
  tanh: 'tanh_(v)',
  sigmoid: 'sigmoid_(v)',
  relu: 'select(0.0, v, v > 0.0)',
  gelu: 'gelu_(v)',
};

// d f(x)/dx * g, with v = x[i] and gv = g[i].
const UNARY_BACKWARD: Record<UnaryKernel, string> = {
  neg: '-gv',
  exp: 'gv * exp(v)',
  log: 'gv / v',
  sqrt: 'gv / (2.0 * sqrt(v))',
  abs: 'select(select(0.0, -gv, v < 0.0), gv, v > 0.0)',
  tanh: 'gv * (1.0 - tanh_(v) * tanh_(v))',
  sigmoid: 'gv * sigmoid_(v) * (1.0 - sigmoid_(v))',
  relu: 'select(0.0, gv, v > 0.0)',
  gelu: 'gv * (0.5 * (1.0 + tanh_(GELU_K * (v + GELU_C * v * v * v))) + 0.5 * v * (1.0 - tanh_(GELU_K * (v + GELU_C * v * v * v)) * tanh_(GELU_K * (v + GELU_C * v * v * v))) * GELU_K * (1.0 + 3.0 * GELU_C * v * v))',
};

/** The WGSL expression of a binary op on a and b of type t (int division by zero gives 0, as an Int32Array stores Infinity). */
export function binaryExpr(op: BinaryKernel, t: 'f32' | 'i32'): string {
  switch (op) {
    case 'add': return 'a + b';
    case 'sub': return 'a - b';
    case 'mul': return 'a * b';
    case 'div': return t === 'f32' ? 'a / b' : 'select(a / b, 0, b == 0)';
    case 'pow': return t === 'f32' ? 'pow_(a, b)' : 'i32(pow_(f32(a), f32(b)))';
    case 'maximum': return 'select(b, a, a >= b)';
  }
}

const unarySpec = specCache((op: UnaryKernel) => elementwise(`unary_${op}`, [{ name: 'X', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }], `let v = X[i];\n  OUT[i] = ${UNARY[op]};`));
const unaryBackwardSpec = specCache((op: UnaryKernel) => elementwise(
  `unary_backward_${op}`,
  [{ name: 'X', type: 'f32' }, { name: 'G', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }],
  `let v = X[i];\n  let gv = G[i];\n  OUT[i] = ${UNARY_BACKWARD[op]};`,
));
const binarySpec = specCache((op: BinaryKernel) => elementwise(
  `binary_${op}`,
  [{ name: 'A', type: 'f32' }, { name: 'B', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }],
  `let a = A[i];\n  let b = B[i];\n  OUT[i] = ${binaryExpr(op, 'f32')};`,
));
const fillSpec = specCache((t: 'f32' | 'i32') => elementwise(`fill_${t}`, [{ name: 'OUT', type: t, write: true }], `OUT[i] = bitcast<${t}>(pu(1u));`));
const castSpec = specCache((key: string) => {
  const [from, to] = key.split('_') as ['f32' | 'i32', 'f32' | 'i32'];
  return elementwise(`cast_${key}`, [{ name: 'X', type: from }, { name: 'OUT', type: to, write: true }], `OUT[i] = ${to}(X[i]);`);
});
const whereSpec = specCache((key: string) => {
  const [c, t] = key.split('_') as ['f32' | 'i32', 'f32' | 'i32'];
  return elementwise(
    `where_${key}`,
    [{ name: 'C', type: c }, { name: 'A', type: t }, { name: 'B', type: t }, { name: 'OUT', type: t, write: true }],
    `OUT[i] = select(B[i], A[i], C[i] != ${c}(0));`,
  );
});
const notEqualSpec = elementwise('not_equal', [{ name: 'X', type: 'i32' }, { name: 'OUT', type: 'f32', write: true }], 'OUT[i] = select(0.0, 1.0, X[i] != pi(1u));');
const maximumBackwardSpec = elementwise(
  'maximum_backward',
  [{ name: 'A', type: 'f32' }, { name: 'B', type: 'f32' }, { name: 'G', type: 'f32' }, { name: 'GA', type: 'f32', write: true }, { name: 'GB', type: 'f32', write: true }],
  'let toA = A[i] >= B[i];\n  let g = G[i];\n  GA[i] = select(0.0, g, toA);\n  GB[i] = select(g, 0.0, toA);',
);

/** Philox 4x32-10 in WGSL: 32x32 -> high 32 bits through 16-bit halves (WGSL has no mulhi). */
export const PHILOX = /* wgsl */ `
fn mulhi(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}
fn philox(c: vec4<u32>, k: vec2<u32>) -> vec4<u32> {
  var x = c;
  var key = k;
  for (var r = 0u; r < 10u; r++) {
    let hi0 = mulhi(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = mulhi(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ key.x, lo1, hi0 ^ x.w ^ key.y, lo0);
    key = key + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}
`;

// Params: n, offset lo, offset hi, seed, threshold (keep when the 24-bit draw >= it), scale (f32).
const dropoutSpec = elementwise(
  'dropout',
  [{ name: 'X', type: 'f32' }, { name: 'OUT', type: 'f32', write: true }, { name: 'MASK', type: 'f32', write: true }],
  `let lo = pu(1u) + i;
  let hi = pu(2u) + select(0u, 1u, lo < i);
  let r = philox(vec4<u32>(lo, hi, 0u, 0u), vec2<u32>(pu(3u), 0u));
  let keep = select(0.0, pf(5u), (r.x >> 8u) >= pu(4u));
  MASK[i] = keep;
  OUT[i] = X[i] * keep;`,
  PHILOX,
);

const adamwSpec = elementwise(
  'adamw',
  [{ name: 'P', type: 'f32', write: true }, { name: 'G', type: 'f32' }, { name: 'M', type: 'f32', write: true }, { name: 'V', type: 'f32', write: true }],
  `let lr = pf(1u); let b1 = pf(2u); let b2 = pf(3u); let eps = pf(4u); let decay = pf(5u); let bc1 = pf(6u); let bc2 = pf(7u);
  let g = G[i];
  let mi = b1 * M[i] + (1.0 - b1) * g;
  let vi = b2 * V[i] + (1.0 - b2) * g * g;
  M[i] = mi;
  V[i] = vi;
  P[i] = P[i] * decay - (lr * (mi / bc1)) / (sqrt(vi / bc2) + eps);`,
);

/** The element-wise part of the kernel table. */
export function elementwiseKernels(ctx: GpuCtx) {
  return {
    unary(op: UnaryKernel, x: GpuStorage, out: GpuStorage): boolean {
      requireF32('unary', x, out);
      run1d(ctx, unarySpec(op), [x, out], out.length);
      return true;
    },
    unaryBackward(op: UnaryKernel, x: GpuStorage, g: GpuStorage, out: GpuStorage): boolean {
      requireF32('unaryBackward', x, g, out);
      run1d(ctx, unaryBackwardSpec(op), [x, g, out], out.length);
      return true;
    },
    binary(op: BinaryKernel, a: GpuStorage, b: GpuStorage, out: GpuStorage): boolean {
      requireF32('binary', a, b, out);
      run1d(ctx, binarySpec(op), [a, b, out], out.length);
      return true;
    },
    fill(out: GpuStorage, value: number): boolean {
      const t = wgslType(out.dtype, 'fill');
      const bits = new DataView(new ArrayBuffer(4));
      if (t === 'f32') bits.setFloat32(0, value, true);
      else bits.setInt32(0, Math.trunc(value), true);
      run1d(ctx, fillSpec(t), [out], out.length, (p) => p.u(bits.getUint32(0, true)));
      return true;
    },
    cast(x: GpuStorage, out: GpuStorage): boolean {
      const from = wgslType(x.dtype, 'cast');
      const to = wgslType(out.dtype, 'cast');
      if (from === to) ctx.rt.copy(x.buffer, x.offset, out.buffer, out.offset, Math.min(x.length, out.length) * 4);
      else run1d(ctx, castSpec(`${from}_${to}`), [x, out], out.length);
      return true;
    },
    where(cond: GpuStorage, a: GpuStorage, b: GpuStorage, out: GpuStorage): boolean {
      const c = wgslType(cond.dtype, 'where');
      const t = wgslType(out.dtype, 'where');
      if (a.dtype !== out.dtype || b.dtype !== out.dtype) throw new Error(`webgpu: where needs a, b and out of one dtype (${a.dtype}, ${b.dtype}, ${out.dtype})`);
      run1d(ctx, whereSpec(`${c}_${t}`), [cond, a, b, out], out.length);
      return true;
    },
    notEqual(x: GpuStorage, value: number, out: GpuStorage): boolean {
      requireI32('notEqual', x);
      requireF32('notEqual', out);
      run1d(ctx, notEqualSpec, [x, out], x.length, (p) => p.i(value));
      return true;
    },
    maximumBackward(a: GpuStorage, b: GpuStorage, g: GpuStorage, ga: GpuStorage, gb: GpuStorage): boolean {
      requireF32('maximumBackward', a, b, g, ga, gb);
      run1d(ctx, maximumBackwardSpec, [a, b, g, ga, gb], g.length);
      return true;
    },
    dropout(x: GpuStorage, out: GpuStorage, mask: GpuStorage, p: number, seed: number, offset: number): boolean {
      requireF32('dropout', x, out, mask);
      // Kept when draw / 2^24 >= p, i.e. draw >= ceil(p * 2^24): exact, with no float32 rounding of p.
      const threshold = Math.min(2 ** 24, Math.max(0, Math.ceil(p * 2 ** 24)));
      run1d(ctx, dropoutSpec, [x, out, mask], x.length, (w) =>
        w.u(offset >>> 0).u(Math.floor(offset / 2 ** 32) >>> 0).u(seed >>> 0).u(threshold).f(1 / (1 - p)));
      return true;
    },
    adamw(param: GpuStorage, grad: GpuStorage, m: GpuStorage, v: GpuStorage, p: AdamWParams): boolean {
      requireF32('adamw', param, grad, m, v);
      const bc1 = 1 - Math.pow(p.beta1, p.step);
      const bc2 = 1 - Math.pow(p.beta2, p.step);
      run1d(ctx, adamwSpec, [param, grad, m, v], param.length, (w) =>
        w.f(p.lr).f(p.beta1).f(p.beta2).f(p.eps).f(1 - p.lr * p.weightDecay).f(bc1).f(bc2));
      return true;
    },
  };
}
