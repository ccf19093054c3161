// GPT: a decoder-only transformer (Radford et al. 2019, "Language Models are Unsupervised Multitask
// Learners"), GPT-2's architecture: learned positions, pre-LN blocks, causal self-attention, 4x GELU
// MLP, final LN, LM head tied to the token embedding. Parameter names are the Hugging Face
// checkpoint's (`transformer.h.0.attn.c_attn.weight`), so import and export are a copy by name.
// Weights are stored (out, in) as in torch.nn.Linear; HF's Conv1D stores (in, out): io/hf transposes.

import { Module } from '../nn/module.js';
import { Embedding, LayerNorm, Linear, Dropout } from '../nn/layers.js';
import { normal, constant } from '../nn/init.js';
import { linearInt8, quantizeInt8, type QuantizedWeight } from '../nn/quantize.js';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import type { DType } from '../tensor/dtype.js';
import { noGrad } from '../tensor/grad-mode.js';
import { type Device, type Storage, getDefaultDevice } from '../tensor/device.js';
import { kernelsFor } from '../backends/registry.js';
import * as F from '../ops/index.js';
import { allocateModel, type GPTConfig, validateConfig } from './config.js';

/** Keys and values of one layer for the positions seen so far: (nHead, blockSize, headDim) each, on the cache's device. */
export interface LayerCache {
  k: Storage;
  v: Storage;
}

/**
 * The KV cache of one sequence being decoded. Sequences of a batch each have their own cache, so a
 * scheduler can batch decode steps of requests that are at different positions.
 */
export class KVCache {
  readonly layers: LayerCache[];
  /** Number of positions already cached. */
  length = 0;
  /** Where the cache lives: the model's device. */
  readonly device: Device;
  constructor(readonly config: GPTConfig, device: Device = getDefaultDevice()) {
    const size = config.blockSize * config.nEmbd; // (nHead, blockSize, headDim)
    this.device = device;
    this.layers = Array.from({ length: config.nLayer }, () => ({
      k: device.alloc('float32', size),
      v: device.alloc('float32', size),
    }));
  }
}

class CausalSelfAttention extends Module {
  c_attn: Linear;
  c_proj: Linear;
  private readonly attnDropout: Dropout;
  private readonly residDropout: Dropout;
  constructor(private readonly config: GPTConfig, rng: Rng, dtype: DType) {
    super();
    const { nEmbd, bias, dropout } = config;
    this.c_attn = new Linear(nEmbd, 3 * nEmbd, { bias, rng, dtype });
    this.c_proj = new Linear(nEmbd, nEmbd, { bias, rng, dtype });
    this.attnDropout = new Dropout(dropout, rng);
    this.residDropout = new Dropout(dropout, rng);
  }

  forward(x: Tensor, caches?: KVCache[], layer = 0): Tensor {
    const [B, T, C] = x.shape; // (B, T, C)
    const H = this.config.nHead;
    const D = C / H;
    const qkv = this.c_attn.forward(x); // (B, T, 3C)
    let y: Tensor;
    if (caches) {
      y = attendWithCache(qkv, caches, layer, H, this.config.blockSize); // inference only: (B, T, C)
    } else {
      // Fused: splits heads, attends causally and merges heads in one op -> (B, T, C)
      y = F.packedSelfAttention(qkv, H);
      if (this.config.dropout > 0 && this.training) {
        // Dropout on the attention output: the fused kernel keeps probabilities internal.
        y = this.attnDropout.forward(y);
      }
    }
    return this.residDropout.forward(this.c_proj.forward(y));
  }
}

/**
 * Attention of new positions against cached ones, straight from the packed projection qkv (B, T, 3C):
 * appends this step's k, v to each sequence's cache at its own length, attends causally over
 * everything cached, and returns the heads side by side (B, T, C). Inference only.
 */
function attendWithCache(qkv: Tensor, caches: KVCache[], layer: number, H: number, blockSize: number): Tensor {
  const [B, T, C3] = qkv.shape as [number, number, number];
  const C = C3 / 3;
  const D = C / H;
  for (const c of caches) {
    if (c.device !== qkv.dev) throw new Error(`KV cache on '${c.device.name}' but the model runs on '${qkv.device}'`);
  }
  const out = qkv.dev.alloc(qkv.dtype, B * T * C, true);
  kernelsFor(qkv.dev).decodeAttention(
    qkv.storage, caches.map((c) => c.layers[layer]!.k), caches.map((c) => c.layers[layer]!.v), out,
    { batch: B, t: T, nHead: H, headDim: D, blockSize, offsets: caches.map((c) => c.length), scale: 1 / Math.sqrt(D) },
  );
  return new Tensor(out, [B, T, C], {}, qkv.dev);
}

class FeedForward extends Module {
  c_fc: Linear;
  c_proj: Linear;
  private readonly dropout: Dropout;
  constructor(config: GPTConfig, rng: Rng, dtype: DType) {
    super();
    this.c_fc = new Linear(config.nEmbd, 4 * config.nEmbd, { bias: config.bias, rng, dtype });
    this.c_proj = new Linear(4 * config.nEmbd, config.nEmbd, { bias: config.bias, rng, dtype });
    this.dropout = new Dropout(config.dropout, rng);
  }
  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(this.c_fc.forward(x).gelu()));
  }
}

class Block extends Module {
  ln_1: LayerNorm;
  attn: CausalSelfAttention;
  ln_2: LayerNorm;
  mlp: FeedForward;
  constructor(config: GPTConfig, rng: Rng, dtype: DType) {
    super();
    this.ln_1 = new LayerNorm(config.nEmbd, { bias: config.bias, dtype });
    this.attn = new CausalSelfAttention(config, rng, dtype);
    this.ln_2 = new LayerNorm(config.nEmbd, { bias: config.bias, dtype });
    this.mlp = new FeedForward(config, rng, dtype);
  }
  forward(x: Tensor, caches?: KVCache[], layer = 0): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x), caches, layer)); // pre-LN residual
    return x.add(this.mlp.forward(this.ln_2.forward(x)));
  }
}

class Transformer extends Module {
  wte: Embedding;
  wpe: Embedding;
  h: Block[];
  ln_f: LayerNorm;
  readonly drop: Dropout;
  constructor(config: GPTConfig, rng: Rng, dtype: DType) {
    super();
    this.wte = new Embedding(config.vocabSize, config.nEmbd, { rng, dtype });
    this.wpe = new Embedding(config.blockSize, config.nEmbd, { rng, dtype });
    this.h = Array.from({ length: config.nLayer }, () => new Block(config, rng, dtype));
    this.ln_f = new LayerNorm(config.nEmbd, { bias: config.bias, dtype });
    this.drop = new Dropout(config.dropout, rng);
  }
}

export interface GPTOutput {
  /** (B, T, vocabSize) */
  logits: Tensor;
  /** Mean cross-entropy against the targets, when given. */
  loss: Tensor | null;
}

/**
 * The GPT language model.
 * @example
 * const model = new GPT({ vocabSize: 64, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true }, { seed: 0 });
 * const { logits, loss } = model.forward(idx, targets); // idx, targets: int32 (B, T)
 */
export class GPT extends Module {
  readonly config: GPTConfig;
  transformer: Transformer;
  /** The generator behind initialization and dropout masks (its state is saved with checkpoints). */
  readonly rng: Rng;
  /** Int8 copy of the tied LM head after quantize(). */
  private headInt8: QuantizedWeight | null = null;

  constructor(config: GPTConfig, options: { seed?: number; dtype?: DType } = {}) {
    super();
    this.config = validateConfig({ ...config });
    const rng = new Rng(options.seed ?? 0);
    this.rng = rng;
    this.transformer = allocateModel(this.config, 'GPT config', () => new Transformer(this.config, rng, options.dtype ?? 'float32'));
    // GPT-2 init: N(0, 0.02) weights, zero biases, and residual projections scaled by 1/sqrt(2 nLayer).
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('.bias')) constant(p, 0);
      else if (name.includes('ln_')) constant(p, 1);
      else if (name.endsWith('c_proj.weight')) normal(p, 0, 0.02 / Math.sqrt(2 * this.config.nLayer), rng);
      else normal(p, 0, 0.02, rng);
    }
  }

  /**
   * Logits for every position, and the loss when targets are given (ignoreIndex -1 masks positions).
   * idx: int32 (B, T) with T <= blockSize. When the logits would take more than `chunkedLossAbove`
   * bytes (default F.LOGITS_CHUNK_BYTES, 128 MiB: WebGPU's guaranteed storage binding), the loss
   * comes from the fused, chunked head (ops/linear-cross-entropy.ts) and the logits are computed only
   * if read (in full, under the grad mode of that moment).
   */
  forward(idx: Tensor, targets?: Tensor, options: { ignoreIndex?: number; chunkedLossAbove?: number } = {}): GPTOutput {
    const hidden = this.trunk(idx); // (B, T, C)
    if (!targets) return { logits: this.head(hidden), loss: null };
    const [B, T] = idx.shape;
    const V = this.config.vocabSize;
    const flat = F.toDevice(targets.reshape(B * T), this.device);
    const ignoreIndex = options.ignoreIndex ?? -1;
    const wte = this.transformer.wte.weight;
    const above = options.chunkedLossAbove ?? F.LOGITS_CHUNK_BYTES;
    if (this.headInt8 || B * T * V * (wte.dtype === 'float64' ? 8 : 4) <= above) {
      const logits = this.head(hidden);
      return { logits, loss: F.crossEntropy(logits.reshape(B * T, V), flat, { ignoreIndex }) };
    }
    // GPT-2 at batch 16 would hold 16 x 1024 x 50257 floats (3.3 GB) here: `above` bytes at a time instead.
    const loss = F.linearCrossEntropy(hidden.reshape(B * T, this.config.nEmbd), wte, null, flat, { ignoreIndex, chunkRows: F.chunkRowsFor(V, wte.dtype, above) });
    let logits: Tensor | null = null;
    const head = (): Tensor => this.head(hidden);
    return { get logits(): Tensor { return (logits ??= head()); }, loss };
  }

  /** Final hidden states (B, T, C) after ln_f: the features for embeddings and classification heads. */
  hidden(idx: Tensor): Tensor {
    return this.trunk(idx);
  }

  /**
   * Incremental decoding: feeds `idx` (B, Tnew) to B sequences, each continuing at its own cache
   * length, appends to the caches and returns the logits of each sequence's last new position
   * (B, vocabSize). Runs without autograd. Use B = 1 with the prompt to prefill, then B >= 1 with one
   * token per sequence to decode several requests in one batched step.
   * @example const cache = new KVCache(model.config); let logits = model.forwardCached(prompt, [cache]);
   */
  forwardCached(idx: Tensor, caches: KVCache[]): Tensor {
    return noGrad(() => {
      const [B, T] = idx.shape;
      if (caches.length !== B) throw new Error(`forwardCached: ${caches.length} caches for a batch of ${B}`);
      const { logits } = this.run(idx, caches);
      for (const c of caches) c.length += T;
      return logits.slice(1, T - 1, T).reshape(B, this.config.vocabSize);
    });
  }

  /** The device the weights live on (inputs made elsewhere are moved here). */
  get device(): Device {
    return this.transformer.wte.weight.dev;
  }

  private run(idx: Tensor, caches?: KVCache[]): { logits: Tensor; hidden: Tensor } {
    const hidden = this.trunk(idx, caches);
    return { logits: this.head(hidden), hidden };
  }

  /** Token and position embeddings, the blocks and ln_f: hidden states (B, T, C). */
  private trunk(idx: Tensor, caches?: KVCache[]): Tensor {
    if (idx.dtype !== 'int32' || idx.ndim !== 2) throw new Error(`GPT: input must be int32 token ids of shape (B, T), got ${idx.dtype} ${JSON.stringify(idx.shape)}`);
    idx = F.toDevice(idx, this.device); // token ids usually come from the host
    const [B, T] = idx.shape;
    const pos = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      const offset = caches ? caches[b].length : 0;
      if (offset + T > this.config.blockSize) {
        throw new Error(`GPT: a context of ${offset + T} tokens is longer than the model's block size ${this.config.blockSize}`);
      }
      for (let t = 0; t < T; t++) pos[b * T + t] = offset + t;
    }
    const tr = this.transformer;
    const tok = tr.wte.forward(idx); // (B, T, C)
    const posEmb = tr.wpe.forward(F.toDevice(new Tensor(pos, [B, T]), this.device)); // (B, T, C)
    let x = tr.drop.forward(tok.add(posEmb));
    tr.h.forEach((block, i) => {
      x = block.forward(x, caches, i);
    });
    return tr.ln_f.forward(x);
  }

  /** The tied LM head: (B, T, C) @ wte^T -> logits (B, T, vocabSize). */
  private head(hidden: Tensor): Tensor {
    return this.headInt8 ? linearInt8(hidden, this.headInt8, null) : F.linear(hidden, this.transformer.wte.weight, null);
  }

  /**
   * Int8 weights (per-channel scales) for every matrix product, the LM head included: ~4x less
   * weight memory traffic per decoded token. Inference only: a quantized model computes no gradients.
   * @example model.quantize(); model.forwardCached(prompt, [cache])
   */
  quantize(): this {
    for (const [, m] of this.namedModules()) if (m instanceof Linear) m.quantize();
    this.headInt8 = quantizeInt8(this.transformer.wte.weight);
    this.eval();
    return this;
  }
}
