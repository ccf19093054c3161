// The kernel table: every kernel an op calls, over one device's storage. The js backend implements
// all of them on typed arrays and is the spec; a fast cpu backend (wasm, blas) implements a subset
// and returns false to hand a call back to js; a device backend (webgpu) implements all of them on
// its own buffers and never falls back.

import type { DType, FloatArray, TypedArray } from '../tensor/dtype.js';
import type { Device } from '../tensor/device.js';

export type UnaryKernel = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sigmoid' | 'relu' | 'gelu';
export type BinaryKernel = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum';
export type ReduceKernel = 'sum' | 'max';

/**
 * A strided copy over an index space `shape`: for every index vector i,
 * out[outOffset + i . outStrides] = x[xOffset + i . xStrides] (or += with `accumulate`).
 * Permute, broadcast, slice, concat and their backwards are all this kernel.
 */
export interface StridedCopyParams {
  shape: readonly number[];
  xOffset: number;
  xStrides: readonly number[];
  outOffset: number;
  outStrides: readonly number[];
  accumulate: boolean;
}

/** A broadcasting binary op: out (contiguous, `shape`) = op(a, b), a and b read with these strides (0 = broadcast). */
export interface BroadcastParams {
  shape: readonly number[];
  aStrides: readonly number[];
  bStrides: readonly number[];
}

/** The window of a 2-D convolution or pooling over NCHW planes (see ops/conv2d.ts windowOf). */
export interface Window2d {
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  H: number; W: number;
  Ho: number; Wo: number;
}

/**
 * One KV-cache decoding step of causal self-attention, straight from the packed projection
 * qkv (batch, t, 3C), C = nHead * headDim: writes this step's keys and values into each sequence's
 * cache at its own position, then attends each new position over everything cached up to it.
 * Caches are (nHead, blockSize, headDim) per sequence; out (batch, t, C) heads side by side.
 */
export interface DecodeAttentionParams {
  batch: number;
  t: number;
  nHead: number;
  headDim: number;
  blockSize: number;
  /** Positions already cached, one per sequence. */
  offsets: readonly number[];
  scale: number;
}

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
  /**
   * 'mixed': a device with f16 may round A and B to f16 and accumulate in fp32 (tensor cores);
   * absent or 'fp32': full fp32. Cpu backends compute in the storage dtype either way.
   */
  precision?: 'fp32' | 'mixed';
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
 * Kernels over one device's storage: F is float storage, I int32 storage, S either (on cpu, typed
 * arrays; lengths are the storage's own). A fast cpu kernel may return false ("not handled": wrong
 * dtype, memory outside its heap, a shape it does not cover) and the dispatcher falls back to js.
 * Storage passed as `out` is fully overwritten unless the kernel says otherwise; element-wise kernels
 * allow `out` to be one of their inputs (optimizers update in place that way).
 */
export interface Kernels<F = FloatArray, I = Int32Array, S = TypedArray, Q = Int8Array> {
  /** out[i] = value. */
  fill(out: S, value: number): boolean;
  /** out[i] = x[i] in out's dtype (float to int32 truncates toward zero). */
  cast(x: S, out: S): boolean;
  /** See StridedCopyParams; x and out of one dtype. */
  copyStrided(x: S, out: S, p: StridedCopyParams): boolean;
  /** See BroadcastParams; a, b, out of one dtype (int32 too). */
  broadcastBinary(op: BinaryKernel, a: S, b: S, out: S, p: BroadcastParams): boolean;
  /** Sum or max over the middle axis of x (outer, len, inner) -> out (outer, inner); max of nothing is -inf. */
  reduce(op: ReduceKernel, x: F, out: F, outer: number, len: number, inner: number): boolean;
  /** Index of the first maximum over the middle axis of x (outer, len, inner) -> out int32 (outer, inner). */
  argmax(x: F, out: I, outer: number, len: number, inner: number): boolean;
  /** out[o, r, i] = x[o, idx[o, r, i], i] for x (outer, len, inner) and idx, out (outer, count, inner). */
  gather(x: F, idx: I, out: F, outer: number, len: number, count: number, inner: number): boolean;
  /** Backward of gather: dx[o, idx[o, r, i], i] += g[o, r, i] (dx accumulates; zero it first). */
  scatterAdd(g: F, idx: I, dx: F, outer: number, len: number, count: number, inner: number): boolean;
  /** out[i] = cond[i] != 0 ? a[i] : b[i], all of one length (cond of any dtype; a, b, out one dtype). */
  where(cond: S, a: S, b: S, out: S): boolean;
  /** out[i] = x[i] != value ? 1 : 0, for int32 x and float out (e.g. targets not ignored). */
  notEqual(x: I, value: number, out: F): boolean;
  /** Backward of maximum on same-length operands: ga[i] = a[i] >= b[i] ? g[i] : 0, gb[i] = g[i] - ga[i]. */
  maximumBackward(a: F, b: F, g: F, ga: F, gb: F): boolean;
  /** Backward of softmax rows from their output y: dx = y (g - sum(g y)); log-softmax: dx = g - exp(y) sum(g). */
  softmaxBackward(y: F, g: F, dx: F, rows: number, cols: number, log: boolean): boolean;
  /**
   * Inverted dropout with counter-based randomness (Philox 4x32-10, see js/philox.ts): element i is
   * kept when uniform(seed, offset + i) >= p; mask[i] = kept / (1 - p); out = x * mask. Every device
   * draws the same mask for the same seed and offset.
   */
  dropout(x: F, out: F, mask: F, p: number, seed: number, offset: number): boolean;
  /** See DecodeAttentionParams: kCache, vCache are one storage per sequence. */
  decodeAttention(qkv: F, kCaches: readonly F[], vCaches: readonly F[], out: F, p: DecodeAttentionParams): boolean;
  /** Unfolds images x (N, C, H, W) into columns (N, C*kh*kw, Ho*Wo); padding reads 0. */
  im2col(x: F, cols: F, n: number, c: number, w: Window2d): boolean;
  /** Folds columns back, summing overlaps: dx (N, C, H, W) += cols (N, C*kh*kw, Ho*Wo). */
  col2im(cols: F, dx: F, n: number, c: number, w: Window2d): boolean;
  /** Max over each window of planes (P, H, W) -> out (P, Ho, Wo), with the flat input index of each maximum. */
  maxPool2d(x: F, out: F, arg: I, planes: number, w: Window2d): boolean;
  /** Mean over each window (padding counts as zeros) -> out (P, Ho, Wo). */
  avgPool2d(x: F, out: F, planes: number, w: Window2d): boolean;
  /** Backward of avgPool2d: dx (P, H, W) += spread of g (P, Ho, Wo). */
  avgPool2dBackward(g: F, dx: F, planes: number, w: Window2d): boolean;
  /** dx[idx[i]] += g[i] over flat indices (maxPool2d's backward). */
  scatterAddFlat(g: F, idx: I, dx: F): boolean;
  /** Batched matmul, see MatmulParams. */
  matmul(a: F, b: F, out: F, p: MatmulParams): boolean;
  /** out[i] = f(x[i]). */
  unary(op: UnaryKernel, x: F, out: F): boolean;
  /** out[i] = x[i] * f'(x[i]) style backward: out[i] = g[i] * d f(x)/dx at x[i] (gelu, tanh, sigmoid, relu). */
  unaryBackward(op: UnaryKernel, x: F, g: F, out: F): boolean;
  /** Same-shape element-wise binary op. */
  binary(op: BinaryKernel, a: F, b: F, out: F): boolean;
  /** Row-wise softmax of a (rows, cols) matrix; with `log`, log-softmax. */
  softmax(x: F, out: F, rows: number, cols: number, log: boolean): boolean;
  /** Layer norm over rows of (rows, cols); writes mean and reciprocal std per row for backward. */
  layerNorm(
    x: F, weight: F | null, bias: F | null, out: F,
    mean: F, rstd: F, rows: number, cols: number, eps: number,
  ): boolean;
  /** Layer norm backward: dx (overwritten), dWeight and dBias (accumulated) from dy. */
  layerNormBackward(
    x: F, weight: F | null, mean: F, rstd: F, dy: F,
    dx: F, dWeight: F | null, dBias: F | null, rows: number, cols: number,
  ): boolean;
  /**
   * Cross-entropy from logits (rows, cols) and int targets; rows whose target equals ignoreIndex
   * get loss 0. Writes per-row losses and the row-wise softmax probabilities (for backward).
   */
  crossEntropy(
    logits: F, targets: I, losses: F, probs: F,
    rows: number, cols: number, ignoreIndex: number,
  ): boolean;
  /**
   * Backward of `crossEntropy`: dx (rows, cols) = (probs - onehot(target)) * rowScale[r] (overwritten);
   * rows whose target equals ignoreIndex get 0.
   */
  crossEntropyBackward(
    probs: F, targets: I, rowScale: F, dx: F,
    rows: number, cols: number, ignoreIndex: number,
  ): boolean;
  /**
   * Fused causal self-attention forward for q, k, v of shape (B*H, T, D): out (B*H, T, D) and the
   * attention probabilities att (B*H, T, T) kept for backward. scale = 1/sqrt(D) usually.
   */
  attention(
    q: F, k: F, v: F, out: F, att: F,
    bh: number, t: number, d: number, scale: number, causal: boolean,
  ): boolean;
  /**
   * Backward of `attention`: dq, dk, dv (overwritten) from dOut and the saved att. `causal` as in
   * the forward (att is zero above the diagonal then, which a kernel may skip).
   */
  attentionBackward(
    q: F, k: F, v: F, att: F, dOut: F,
    dq: F, dk: F, dv: F, bh: number, t: number, d: number, scale: number, causal: boolean,
  ): boolean;
  /**
   * Causal self-attention straight from a GPT's packed projection: qkv (batch, t, 3C) with C =
   * nHead * headDim (q, k, v side by side, heads side by side within each) -> out (batch, t, C), heads
   * side by side, ready for the output projection; att (batch * nHead, t, t) kept for backward.
   */
  packedAttention(
    qkv: F, out: F, att: F, batch: number, t: number, nHead: number, headDim: number, scale: number,
  ): boolean;
  /** Backward of `packedAttention`: dqkv (batch, t, 3C) overwritten from dOut (batch, t, C). */
  packedAttentionBackward(
    qkv: F, att: F, dOut: F, dqkv: F,
    batch: number, t: number, nHead: number, headDim: number, scale: number,
  ): boolean;
  /** Row gather: out[i, :] = table[ids[i], :] for a (rows, dim) table. */
  embedding(table: F, ids: I, out: F, dim: number): boolean;
  /** Scatter-add backward of `embedding`: dTable[ids[i], :] += g[i, :]. */
  embeddingBackward(g: F, ids: I, dTable: F, dim: number): boolean;
  /** One in-place AdamW update of param with grad and moment buffers m, v. */
  adamw(param: F, grad: F, m: F, v: F, p: AdamWParams): boolean;
  /**
   * AdamW over many parameters at once: for each i, adamw(params[i], grads[i], ms[i], vs[i], hyper[i]).
   * A device may move the parameters and moments into a few flat buffers (their storage stays valid)
   * and update them all in one dispatch; the cpu loops.
   */
  adamwMulti(params: readonly F[], grads: readonly F[], ms: readonly F[], vs: readonly F[], hyper: readonly AdamWParams[]): boolean;
  /**
   * The L2 norm of all the values of all `xs` together, into out[0] (global-norm gradient clipping's
   * measure). A device gathers them into one flat buffer and reduces it in a constant number of
   * dispatches; the cpu loops.
   */
  l2NormMulti(xs: readonly F[], out: F): boolean;
  /**
   * Clipping's scale without a host read: outs[i] = xs[i] * min(1, maxNorm / (norm[0] + eps)), norm a
   * one-value tensor (l2NormMulti's). Called right after l2NormMulti on the same xs, a device scales
   * its gathered copy in one dispatch and makes the outs views of it.
   */
  clipScaleMulti(xs: readonly F[], norm: F, maxNorm: number, eps: number, outs: readonly F[]): boolean;
  /**
   * Int8 weight-only linear layer for decoding: out (rows, nOut) = x (rows, nIn) @ (q * scale)^T + bias,
   * with q (nOut, nIn) int8 and one float scale per output channel (row of q).
   */
  linearInt8(
    x: F, q: Q, scale: F, bias: F | null, out: F,
    rows: number, nIn: number, nOut: number,
  ): boolean;
}

/** A cpu compute backend: storage allocation on the host plus a (possibly partial) kernel set. */
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

/**
 * A device's backend (webgpu, the strict test device): it owns the device and implements every
 * kernel on the device's storage, with no fallback. `uploadInt8` places quantized weights.
 */
export interface DeviceBackend<F = unknown, I = unknown, S = unknown, Q = unknown> {
  readonly name: string;
  readonly device: Device;
  readonly kernels: Kernels<F, I, S, Q>;
  uploadInt8(values: Int8Array): Q;
  /**
   * Floats the attention kernels keep between forward and backward for bh heads of t positions
   * (default bh * t * t, the probabilities; a flash-attention backend that recomputes them keeps
   * one log-sum-exp per row, bh * t).
   */
  attentionStateLength?(bh: number, t: number): number;
  /**
   * Calls `listener` once if the device is lost (a GPU reset, a driver crash, a removed card): every
   * later call on it fails, so a server moves its models elsewhere (see fault.ts).
   */
  onLost?(listener: (err: Error) => void): void;
}
