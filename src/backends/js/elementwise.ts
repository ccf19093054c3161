// Reference element-wise kernels: unary functions, their derivatives, same-shape binary ops.

import type { BinaryKernel, UnaryKernel } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';

/** sqrt(2/pi), the constant of GPT-2's tanh approximation of GELU. */
export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_C = 0.044715;

export function unary(op: UnaryKernel, x: FloatArray, out: FloatArray): boolean {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        // Two branches keep exp from overflowing for large |v|.
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else { const e = Math.exp(v); out[i] = e / (1 + e); }
      }
      break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0; break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * v * (1 + Math.tanh(GELU_K * (v + GELU_C * v * v * v)));
      }
      break;
  }
  return true;
}

export function unaryBackward(op: UnaryKernel, x: FloatArray, g: FloatArray, out: FloatArray): boolean {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -g[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = g[i] * Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = g[i] / x[i]; break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = g[i] / (2 * Math.sqrt(x[i])); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0; break;
    case 'tanh': for (let i = 0; i < n; i++) { const t = Math.tanh(x[i]); out[i] = g[i] * (1 - t * t); } break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
        out[i] = g[i] * s * (1 - s);
      }
      break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : 0; break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const t = Math.tanh(GELU_K * (v + GELU_C * v * v * v));
        const dInner = GELU_K * (1 + 3 * GELU_C * v * v);
        out[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner);
      }
      break;
  }
  return true;
}

/** The scalar function of a binary kernel (shared with the broadcasting loop). */
export function binaryFn(op: BinaryKernel): (a: number, b: number) => number {
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'sub': return (a, b) => a - b;
    case 'mul': return (a, b) => a * b;
    case 'div': return (a, b) => a / b;
    case 'pow': return (a, b) => Math.pow(a, b);
    case 'maximum': return (a, b) => (a >= b ? a : b);
  }
}

export function binary(op: BinaryKernel, a: FloatArray, b: FloatArray, out: FloatArray): boolean {
  const n = out.length;
  // Hand-written loops for the hot cases; the generic function call is several times slower.
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return true;
    case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return true;
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return true;
    case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return true;
    default: {
      const f = binaryFn(op);
      for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
      return true;
    }
  }
}

export function maximumBackward(a: FloatArray, b: FloatArray, g: FloatArray, ga: FloatArray, gb: FloatArray): boolean {
  for (let i = 0; i < g.length; i++) {
    const toA = a[i] >= b[i];
    ga[i] = toA ? g[i] : 0;
    gb[i] = toA ? 0 : g[i];
  }
  return true;
}
