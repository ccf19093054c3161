// The backend interface: the kernels ops call. The js backend implements all of them and is the spec;
// a fast backend (wasm, blas) implements a subset and returns false to hand a call back to js.

import type { DType, FloatArray, TypedArray } from '../tensor/dtype.js';

export type UnaryKernel = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'relu' | 'gelu';
export type BinaryKernel = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum';

/**
 * A batched matrix product `out[b] = op(A[b]) @ op(B[b])` over contiguous row-major data.
 * op(A) is (m, k), op(B) is (k, n), out is (m, n). When `transA` is set A[b] is stored as (k, m);
 * when `transB` is set B[b] is stored as (n, k). Batch offsets are `b * aBatchStride` etc.; a
 * stride of 0 broadcasts one matrix across the batch. With `accumulate`, out += product.
 */
export interface MatmulParams {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  aOffset: number;
  bOffset: number;
  aBatchStride: number;
  bBatchStride: number;
  accumulate: boolean;
}

/** Hyper-parameters of one AdamW update (bias-corrected, decoupled weight decay). */
export interface AdamWParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, for bias correction. */
  step: number;
}

/**
 * Kernels over flat typed arrays. Every fast kernel may return false ("not handled": wrong dtype,
 * memory outside its heap, shape it does not cover) and the dispatcher falls back to js.
 * Arrays passed as `out` are fully overwritten unless the kernel says otherwise.
 */
export interface Kernels {
  /** Batched matmul, see MatmulParams. */
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, p: MatmulParams): boolean;
  /** out[i] = f(x[i]). */
  unary(op: UnaryKernel, x: FloatArray, out: FloatArray): boolean;
  /** out[i] = x[i] * f'(x[i]) style backward: out[i] = g[i] * d f(x)/dx at x[i] (gelu, tanh, sigmoid, relu). */
  unaryBackward(op: UnaryKernel, x: FloatArray, g: FloatArray, out: FloatArray): boolean;
  /** Same-shape element-wise binary op. */
  binary(op: BinaryKernel, a: FloatArray, b: FloatArray, out: FloatArray): boolean;
  /** Row-wise softmax of a (rows, cols) matrix; with `log`, log-softmax. */
  softmax(x: FloatArray, out: FloatArray, rows: number, cols: number, log: boolean): boolean;
  /** Layer norm over rows of (rows, cols); writes mean and reciprocal std per row for backward. */
  layerNorm(
    x: FloatArray, weight: FloatArray | null, bias: FloatArray | null, out: FloatArray,
    mean: FloatArray, rstd: FloatArray, rows: number, cols: number, eps: number,
  ): boolean;
  /** Layer norm backward: dx (overwritten), dWeight and dBias (accumulated) from dy. */
  layerNormBackward(
    x: FloatArray, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, dy: FloatArray,
    dx: FloatArray, dWeight: FloatArray | null, dBias: FloatArray | null, rows: number, cols: number,
  ): boolean;
  /**
   * Cross-entropy from logits (rows, cols) and int targets; rows whose target equals ignoreIndex
   * get loss 0. Writes per-row losses and the row-wise softmax probabilities (for backward).
   */
  crossEntropy(
    logits: FloatArray, targets: Int32Array, losses: FloatArray, probs: FloatArray,
    rows: number, cols: number, ignoreIndex: number,
  ): boolean;
  /**
   * Backward of `crossEntropy`: dx (rows, cols) = (probs - onehot(target)) * rowScale[r] (overwritten);
   * rows whose target equals ignoreIndex get 0.
   */
  crossEntropyBackward(
    probs: FloatArray, targets: Int32Array, rowScale: FloatArray, dx: FloatArray,
    rows: number, cols: number, ignoreIndex: number,
  ): boolean;
  /**
   * Fused causal self-attention forward for q, k, v of shape (B*H, T, D): out (B*H, T, D) and the
   * attention probabilities att (B*H, T, T) kept for backward. scale = 1/sqrt(D) usually.
   */
  attention(
    q: FloatArray, k: FloatArray, v: FloatArray, out: FloatArray, att: FloatArray,
    bh: number, t: number, d: number, scale: number, causal: boolean,
  ): boolean;
  /**
   * Backward of `attention`: dq, dk, dv (overwritten) from dOut and the saved att. `causal` as in
   * the forward (att is zero above the diagonal then, which a kernel may skip).
   */
  attentionBackward(
    q: FloatArray, k: FloatArray, v: FloatArray, att: FloatArray, dOut: FloatArray,
    dq: FloatArray, dk: FloatArray, dv: FloatArray, bh: number, t: number, d: number, scale: number, causal: boolean,
  ): boolean;
  /**
   * Causal self-attention straight from a GPT's packed projection: qkv (batch, t, 3C) with C =
   * nHead * headDim (q, k, v side by side, heads side by side within each) -> out (batch, t, C), heads
   * side by side, ready for the output projection; att (batch * nHead, t, t) kept for backward.
   */
  packedAttention(
    qkv: FloatArray, out: FloatArray, att: FloatArray, batch: number, t: number, nHead: number, headDim: number, scale: number,
  ): boolean;
  /** Backward of `packedAttention`: dqkv (batch, t, 3C) overwritten from dOut (batch, t, C). */
  packedAttentionBackward(
    qkv: FloatArray, att: FloatArray, dOut: FloatArray, dqkv: FloatArray,
    batch: number, t: number, nHead: number, headDim: number, scale: number,
  ): boolean;
  /** Row gather: out[i, :] = table[ids[i], :] for a (rows, dim) table. */
  embedding(table: FloatArray, ids: Int32Array, out: FloatArray, dim: number): boolean;
  /** Scatter-add backward of `embedding`: dTable[ids[i], :] += g[i, :]. */
  embeddingBackward(g: FloatArray, ids: Int32Array, dTable: FloatArray, dim: number): boolean;
  /** One in-place AdamW update of param with grad and moment buffers m, v. */
  adamw(param: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, p: AdamWParams): boolean;
  /**
   * Int8 weight-only linear layer for decoding: out (rows, nOut) = x (rows, nIn) @ (q * scale)^T + bias,
   * with q (nOut, nIn) int8 and one float scale per output channel (row of q).
   */
  linearInt8(
    x: Float32Array, q: Int8Array, scale: Float32Array, bias: Float32Array | null, out: Float32Array,
    rows: number, nIn: number, nOut: number,
  ): boolean;
}

/** A compute backend: storage allocation plus a (possibly partial) kernel set. */
export interface Backend {
  readonly name: string;
  /**
   * Allocates zeroed storage for a tensor. A fast backend allocates inside the memory its kernels
   * read (e.g. a shared WebAssembly.Memory) so no op copies data in or out. With `uninitialized`
   * the contents are unspecified (a backend may skip zeroing a reused block): for outputs a kernel
   * overwrites in full.
   */
  alloc(dtype: DType, size: number, uninitialized?: boolean): TypedArray;
  readonly kernels: Partial<Kernels>;
}
