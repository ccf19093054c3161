// A dense feed-forward network in float64 with its forward and backward passes written out: every
// product is a GEMM on the fast kernel (src/ml/gemm.ts), every other step one loop over a buffer
// allocated once per fit. Training an MLP this way skips the autograd graph that a mini-batch of a
// small network spends most of its time building (scikit-learn's MLP is written the same way).

import { gemm, kernelArray } from './gemm.js';
import { expFast } from './fast-exp.js';

/** Hidden-layer activation (`logistic` is the sigmoid, as scikit-learn names it). */
export type MLPActivation = 'relu' | 'tanh' | 'logistic' | 'gelu';

/** Layer l maps width sizes[l] to sizes[l + 1]: W[l] is (in, out) row-major, b[l] is (out). */
export interface DenseNet {
  sizes: number[];
  W: Float64Array[];
  b: Float64Array[];
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** Applies the activation in place to n values (z in, a out). */
function activate(kind: MLPActivation, a: Float64Array, n: number): void {
  switch (kind) {
    case 'relu': for (let i = 0; i < n; i++) { const v = a[i]!; a[i] = (v + Math.abs(v)) * 0.5; } return;
    case 'tanh': for (let i = 0; i < n; i++) a[i] = Math.tanh(a[i]!); return;
    case 'logistic': for (let i = 0; i < n; i++) a[i] = 1 / (1 + expFast(-a[i]!)); return;
    case 'gelu': for (let i = 0; i < n; i++) { const z = a[i]!; a[i] = 0.5 * z * (1 + Math.tanh(GELU_C * (z + 0.044715 * z * z * z))); } return;
  }
}

/** Multiplies the gradient g by the activation's derivative, from its output a (or input z for gelu). */
function activationGrad(kind: MLPActivation, g: Float64Array, a: Float64Array, z: Float64Array | null, n: number): void {
  switch (kind) {
    case 'relu': for (let i = 0; i < n; i++) g[i] = g[i]! * +(a[i]! > 0); return;
    case 'tanh': for (let i = 0; i < n; i++) { const v = a[i]!; g[i] = g[i]! * (1 - v * v); } return;
    case 'logistic': for (let i = 0; i < n; i++) { const v = a[i]!; g[i] = g[i]! * v * (1 - v); } return;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const x = z![i]!;
        const u = GELU_C * (x + 0.044715 * x * x * x);
        const t = Math.tanh(u);
        g[i] = g[i]! * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x));
      }
  }
}

/** The buffers of one mini-batch pass, sized for `rows` rows. */
export class Workspace {
  /** acts[0] is the input batch; acts[l + 1] the output of layer l (pre-activation for the last). */
  readonly acts: Float64Array[];
  /** Pre-activations of hidden layers (kept for gelu's derivative). */
  readonly pre: (Float64Array | null)[];
  readonly grads: Float64Array[];
  readonly dW: Float64Array[];
  readonly db: Float64Array[];
  constructor(readonly sizes: readonly number[], readonly rows: number, activation: MLPActivation) {
    const L = sizes.length - 1;
    this.acts = sizes.map((s) => kernelArray(rows * s));
    this.pre = sizes.map((s, l) => (activation === 'gelu' && l > 0 && l < L ? new Float64Array(rows * s) : null));
    this.grads = sizes.map((s) => kernelArray(rows * s));
    this.dW = sizes.slice(0, L).map((s, l) => kernelArray(s * sizes[l + 1]!));
    this.db = sizes.slice(1).map((s) => new Float64Array(s));
  }
}

/**
 * Forward pass of the first `m` rows of ws.acts[0]: hidden activations and raw outputs (logits or values).
 * @example forward(net, 'relu', ws, m); ws.acts[net.sizes.length - 1]; // (m, out)
 */
export function forward(net: DenseNet, activation: MLPActivation, ws: Workspace, m: number): Float64Array {
  const L = net.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const nin = net.sizes[l]!;
    const nout = net.sizes[l + 1]!;
    const Z = ws.acts[l + 1]!;
    gemm(ws.acts[l]!, net.W[l]!, Z, m, nout, nin, false, false);
    const b = net.b[l]!;
    if (l < L - 1 && activation === 'relu') {
      // The common case in one pass: bias and ReLU together, without a branch (max(v, 0) as
      // (v + |v|) / 2): half the signs are random, and mispredicted branches cost 4x the loop.
      for (let i = 0; i < m; i++) { const o = i * nout; for (let j = 0; j < nout; j++) { const v = Z[o + j]! + b[j]!; Z[o + j] = (v + Math.abs(v)) * 0.5; } }
      continue;
    }
    for (let i = 0; i < m; i++) { const o = i * nout; for (let j = 0; j < nout; j++) Z[o + j] += b[j]!; }
    if (l < L - 1) {
      ws.pre[l + 1]?.set(Z.subarray(0, m * nout));
      activate(activation, Z, m * nout);
    }
  }
  return ws.acts[L]!;
}

/**
 * Backward pass from the output gradient in ws.grads[L] (m rows): weight and bias gradients into
 * ws.dW / ws.db (the L2 term is the optimizer's, see Adam.step).
 */
export function backward(net: DenseNet, activation: MLPActivation, ws: Workspace, m: number): void {
  const L = net.sizes.length - 1;
  columnSums(ws.grads[L]!, m, net.sizes[L]!, ws.db[L - 1]!);
  for (let l = L - 1; l >= 0; l--) {
    const nin = net.sizes[l]!;
    const nout = net.sizes[l + 1]!;
    const G = ws.grads[l + 1]!;
    gemm(ws.acts[l]!, G, ws.dW[l]!, nin, nout, m, true, false); // Aᵀ G, (in, out)
    if (l === 0) break;
    const Gin = ws.grads[l]!;
    gemm(G, net.W[l]!, Gin, m, nin, nout, false, true); // G Wᵀ, (m, in)
    const db = ws.db[l - 1]!;
    if (activation === 'relu') {
      // ReLU's mask and the next bias gradient in one pass, branch-free as above.
      const A = ws.acts[l]!;
      db.fill(0);
      for (let i = 0; i < m; i++) {
        const o = i * nin;
        for (let j = 0; j < nin; j++) { const g = Gin[o + j]! * +(A[o + j]! > 0); Gin[o + j] = g; db[j] += g; }
      }
    } else {
      activationGrad(activation, Gin, ws.acts[l]!, ws.pre[l] ?? null, m * nin);
      columnSums(Gin, m, nin, db);
    }
  }
}

function columnSums(G: Float64Array, m: number, n: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < m; i++) { const o = i * n; for (let j = 0; j < n; j++) out[j] += G[o + j]!; }
}

/**
 * Adam (Kingma & Ba 2015) in scikit-learn's form: step lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε), on gradients
 * plus l2[q] times the parameters (scikit-learn's alpha / batch on weights, 0 on biases).
 */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  constructor(private readonly params: Float64Array[], private readonly lr: number, private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly eps = 1e-8) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }
  /** One step; returns Σ p² over the parameters with l2[q] > 0, after the step (the next penalty). */
  step(grads: Float64Array[], l2: number[]): number {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const lrT = (this.lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    let sq = 0;
    for (let q = 0; q < this.params.length; q++) {
      const p = this.params[q]!;
      const g = grads[q]!;
      const m = this.m[q]!;
      const v = this.v[q]!;
      const lam = l2[q]!;
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const pi = p[i]!;
        const gi = g[i]! + lam * pi;
        const mi = b1 * m[i]! + (1 - b1) * gi;
        const vi = b2 * v[i]! + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const np = pi - (lrT * mi) / (Math.sqrt(vi) + eps);
        p[i] = np;
        s += np * np;
      }
      if (lam > 0) sq += s;
    }
    return sq;
  }
}
