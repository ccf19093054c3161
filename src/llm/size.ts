// Size arithmetic of a GPT: parameters, FLOPs per token, memory for inference and training, and the
// compute (and time) to train on N tokens, with Chinchilla's ~20 tokens per parameter (Hoffmann et al. 2022).

import type { GPTConfig } from './config.js';

export interface SizeReport {
  config: GPTConfig;
  parameters: number;
  /** Parameters outside the embeddings (Kaplan et al. 2020 count these for scaling laws). */
  nonEmbeddingParameters: number;
  /** Forward FLOPs per token at full context (causal attention averaged over positions). */
  forwardFlopsPerToken: number;
  /** Forward + backward ~ 3x forward. */
  trainingFlopsPerToken: number;
  memory: {
    /** Weights alone, by storage precision. */
    weights: Record<'fp32' | 'bf16' | 'int8', number>;
    /** KV cache of one sequence at full context (fp32 / bf16). */
    kvCachePerSequence: Record<'fp32' | 'bf16', number>;
    /** Weights + gradients + AdamW state: fp32 16 B/param; bf16 mixed precision 16 B/param (2 + 2 + 4 master + 8 moments); 8-bit optimizer 10 B/param. */
    adamwTraining: Record<'fp32' | 'bf16' | 'int8', number>;
    /** Activations kept for backward per sequence at full context, 16-bit (Korthikanti et al. 2022). */
    activationsPerSequence: number;
  };
  /** Chinchilla's compute-optimal budget: 20 tokens per parameter. */
  chinchillaTokens: number;
}

/**
 * Parameter count of a GPT-2 style model with tied embeddings, exactly as moxing builds it.
 * @example countGptParameters({ vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768, dropout: 0, bias: true }) // 124439808
 */
export function countGptParameters(c: GPTConfig): number {
  const C = c.nEmbd;
  const b = c.bias ? 1 : 0;
  const perLayer = 2 * (C + b * C) + (3 * C * C + b * 3 * C) + (C * C + b * C) + (4 * C * C + b * 4 * C) + (4 * C * C + b * C);
  return c.vocabSize * C + c.blockSize * C + c.nLayer * perLayer + (C + b * C);
}

/** The full size report of a config. */
export function sizeReport(c: GPTConfig): SizeReport {
  const parameters = countGptParameters(c);
  const { nLayer: L, nEmbd: C, blockSize: T, nHead: H, vocabSize: V } = c;
  const nonEmbeddingParameters = parameters - V * C - T * C;
  // Matmul FLOPs: 2 per weight per token (12 L C^2 in blocks + the V x C LM head); attention scores and
  // the weighted sum cost 2 * 2 * ctx * C per layer, with the causal average context T / 2.
  const forwardFlopsPerToken = 2 * (12 * L * C * C + V * C) + 2 * L * T * C;
  const kv = 2 * L * T * C;
  return {
    config: c,
    parameters,
    nonEmbeddingParameters,
    forwardFlopsPerToken,
    trainingFlopsPerToken: 3 * forwardFlopsPerToken,
    memory: {
      weights: { fp32: 4 * parameters, bf16: 2 * parameters, int8: parameters },
      kvCachePerSequence: { fp32: 4 * kv, bf16: 2 * kv },
      adamwTraining: { fp32: 16 * parameters, bf16: 16 * parameters, int8: 10 * parameters },
      activationsPerSequence: L * T * C * (34 + (5 * H * T) / C),
    },
    chinchillaTokens: 20 * parameters,
  };
}

/** Training FLOPs to see `tokens` tokens (6 N D rule, refined with attention). */
export function trainingCompute(report: SizeReport, tokens: number): number {
  return report.trainingFlopsPerToken * tokens;
}

/** Counts as 1.23M / 175B, bytes as 4.7 GiB, FLOPs in scientific notation (3.71e+24 FLOP). */
export function human(n: number, unit: '' | 'B' | 'FLOP' = ''): string {
  if (unit === 'FLOP') return `${n.toExponential(2)} FLOP`;
  if (unit === 'B') {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return `${n.toFixed(n >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
  }
  const units = ['', 'K', 'M', 'B', 'T', 'Q'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${n.toFixed(n >= 100 || i === 0 ? 0 : n >= 10 ? 1 : 2)}${units[i]}`;
}

/** Seconds -> "3.2 s", "4.5 min", "2.1 h", "3.4 days", "12 years". */
export function humanDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  if (seconds < 3 * 31557600) return `${(seconds / 86400).toFixed(1)} days`;
  return `${(seconds / 31557600).toPrecision(3)} years`;
}
