// Element-wise kernels: unary functions, their backward, same-shape binary ops, AdamW (SIMD, 4 lanes).

import { expv, sigmoidv, tanhv, geluv, geluGradv } from './math';

// Op codes shared with src/backends/wasm/kernels.ts.
const NEG = 0, EXP = 1, LOG = 2, SQRT = 3, ABS = 4, TANH = 5, SIGMOID = 6, RELU = 7, GELU = 8;
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAXIMUM = 5;

@inline
function unaryv(op: i32, x: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case EXP: return expv(x);
    case SQRT: return f32x4.sqrt(x);
    case ABS: return f32x4.abs(x);
    case TANH: return tanhv(x);
    case SIGMOID: return sigmoidv(x);
    case RELU: return v128.bitselect(x, f32x4.splat(0), f32x4.gt(x, f32x4.splat(0)));
    default: return geluv(x);
  }
}

// Inlined with a constant op, so the switch in unaryv folds away and each op gets its own loop.
@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, unaryv(op, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    store<f32>(out + o, f32x4.extract_lane(unaryv(op, f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** out[i] = f(x[i]) for n floats. */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case NEG: unaryLoop(NEG, x, out, n); break;
    case EXP: unaryLoop(EXP, x, out, n); break;
    case LOG:
      // Rare in hot paths: the scalar libm port is exact enough and simpler than a vector log.
      for (let i = 0; i < n; i++) {
        const o = (<usize>i) << 2;
        store<f32>(out + o, Mathf.log(load<f32>(x + o)));
      }
      break;
    case SQRT: unaryLoop(SQRT, x, out, n); break;
    case ABS: unaryLoop(ABS, x, out, n); break;
    case TANH: unaryLoop(TANH, x, out, n); break;
    case SIGMOID: unaryLoop(SIGMOID, x, out, n); break;
    case RELU: unaryLoop(RELU, x, out, n); break;
    default: unaryLoop(GELU, x, out, n);
  }
}

@inline
function unaryGradv(op: i32, x: v128, g: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(g);
    case EXP: return f32x4.mul(g, expv(x));
    case LOG: return f32x4.div(g, x);
    case SQRT: return f32x4.div(g, f32x4.mul(f32x4.splat(2), f32x4.sqrt(x)));
    case ABS: {
      const pos = v128.and(g, f32x4.gt(x, f32x4.splat(0)));
      const neg = v128.and(f32x4.neg(g), f32x4.lt(x, f32x4.splat(0)));
      return v128.or(pos, neg);
    }
    case TANH: {
      const t = tanhv(x);
      return f32x4.mul(g, f32x4.sub(f32x4.splat(1), f32x4.mul(t, t)));
    }
    case SIGMOID: {
      const s = sigmoidv(x);
      return f32x4.mul(g, f32x4.mul(s, f32x4.sub(f32x4.splat(1), s)));
    }
    case RELU: return v128.and(g, f32x4.gt(x, f32x4.splat(0)));
    default: return f32x4.mul(g, geluGradv(x));
  }
}

@inline
function unaryGradLoop(op: i32, x: usize, g: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, unaryGradv(op, v128.load(x + o), v128.load(g + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const v = unaryGradv(op, f32x4.splat(load<f32>(x + o)), f32x4.splat(load<f32>(g + o)));
    store<f32>(out + o, f32x4.extract_lane(v, 0));
  }
}

/** out[i] = g[i] * f'(x[i]) for n floats. */
export function unaryBackward(op: i32, x: usize, g: usize, out: usize, n: i32): void {
  switch (op) {
    case NEG: unaryGradLoop(NEG, x, g, out, n); break;
    case EXP: unaryGradLoop(EXP, x, g, out, n); break;
    case LOG: unaryGradLoop(LOG, x, g, out, n); break;
    case SQRT: unaryGradLoop(SQRT, x, g, out, n); break;
    case ABS: unaryGradLoop(ABS, x, g, out, n); break;
    case TANH: unaryGradLoop(TANH, x, g, out, n); break;
    case SIGMOID: unaryGradLoop(SIGMOID, x, g, out, n); break;
    case RELU: unaryGradLoop(RELU, x, g, out, n); break;
    default: unaryGradLoop(GELU, x, g, out, n);
  }
}

@inline
function binaryv(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    // a >= b ? a : b, NaN-compatible with the reference (a NaN compare picks b).
    default: return v128.bitselect(a, b, f32x4.ge(a, b));
  }
}

@inline
function binaryLoop(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    v128.store(out + o, binaryv(op, v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const v = binaryv(op, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o)));
    store<f32>(out + o, f32x4.extract_lane(v, 0));
  }
}

/** out[i] = a[i] op b[i] for n floats. */
export function binary(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  switch (op) {
    case ADD: binaryLoop(ADD, a, b, out, n); break;
    case SUB: binaryLoop(SUB, a, b, out, n); break;
    case MUL: binaryLoop(MUL, a, b, out, n); break;
    case DIV: binaryLoop(DIV, a, b, out, n); break;
    case POW:
      for (let i = 0; i < n; i++) {
        const o = (<usize>i) << 2;
        // In f64 like the reference: powf loses a few ulp on large exponents.
        store<f32>(out + o, <f32>Math.pow(<f64>load<f32>(a + o), <f64>load<f32>(b + o)));
      }
      break;
    default: binaryLoop(MAXIMUM, a, b, out, n);
  }
}

/** out[i] += x[i] for n floats (reduces per-thread partial sums). */
export function addInto(x: usize, out: usize, n: i32): void {
  binary(ADD, out, x, out, n);
}

/**
 * One AdamW step on n floats in place. bc1, bc2 are the bias corrections 1 - beta^step and
 * decay = 1 - lr * weightDecay, computed by the caller in float64.
 */
export function adamw(
  param: usize, grad: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, decay: f32, bc1: f32, bc2: f32,
): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
  const lrBc = f32x4.splat(lr / bc1), invBc2 = f32x4.splat(1 / bc2);
  const e = f32x4.splat(eps), dec = f32x4.splat(decay);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const g = v128.load(grad + o);
    const mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, g));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const step = f32x4.div(f32x4.mul(lrBc, mi), f32x4.add(f32x4.sqrt(f32x4.mul(vi, invBc2)), e));
    v128.store(param + o, f32x4.sub(f32x4.mul(v128.load(param + o), dec), step));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 2;
    const g = load<f32>(grad + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * g;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * g * g;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(param + o, load<f32>(param + o) * decay - (lr / bc1) * mi / (Mathf.sqrt(vi / bc2) + eps));
  }
}
