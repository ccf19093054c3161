// Throughput of GPT training steps and of KV-cache decoding on synthetic tokens (warm-up excluded).

import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { GradScaler } from '../optim/grad-scaler.js';
import { optimizerStep } from '../optim/step.js';
import { getPrecision, setPrecision, type Precision } from '../ops/precision.js';
import { GPT, KVCache } from './gpt.js';
import { hostValues } from './generate.js';
import { gptOptimizer } from './train.js';
import type { GPTConfig } from './config.js';

export interface TrainBenchResult {
  bench: 'train';
  tokensPerSecond: number;
  msPerStep: number;
  steps: number;
  parameters: number;
}

/**
 * Times full training steps (forward, backward, clipping, AdamW) on the default device: median of
 * `steps` after `warmup`, each step ending with its loss read (so a GPU has finished it).
 * @example await benchTrain({ vocabSize: 256, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true }, 16)
 */
export async function benchTrain(
  config: GPTConfig, batchSize: number, steps = 10, warmup = 2, options: { precision?: Precision } = {},
): Promise<TrainBenchResult> {
  const model = new GPT(config, { seed: 0 });
  const opt = gptOptimizer(model, { lr: 1e-3, weightDecay: 0.1 });
  const scaler = options.precision === 'mixed' ? new GradScaler() : null;
  const rng = new Rng(0);
  const T = config.blockSize;
  const times: number[] = [];
  const previous = getPrecision();
  setPrecision(options.precision ?? 'fp32');
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const x = new Int32Array(batchSize * T);
      const y = new Int32Array(batchSize * T);
      for (let i = 0; i < x.length; i++) { x[i] = rng.int(config.vocabSize); y[i] = rng.int(config.vocabSize); }
      const t0 = performance.now();
      const { loss } = model.forward(new Tensor(x, [batchSize, T]), new Tensor(y, [batchSize, T]));
      await optimizerStep(loss!, opt, model.parameters(), 1, scaler);
      if (s >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    setPrecision(previous);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  return { bench: 'train', tokensPerSecond: (batchSize * T) / (ms / 1000), msPerStep: ms, steps, parameters: model.numParameters() };
}

export interface GenerateBenchResult {
  bench: 'generate';
  tokensPerSecond: number;
  msPerToken: number;
  tokens: number;
}

/** Times greedy decoding with the KV cache from an 8-token prompt to `newTokens` (best of `repeats`), float32 or int8 weights. */
export async function benchGenerate(config: GPTConfig, newTokens = 100, repeats = 3, int8 = false): Promise<GenerateBenchResult> {
  const model = new GPT(config, { seed: 0 }).eval();
  if (int8) model.quantize();
  const rng = new Rng(1);
  const prompt = Int32Array.from({ length: Math.min(8, config.blockSize - 1) }, () => rng.int(config.vocabSize));
  const n = Math.min(newTokens, config.blockSize - prompt.length);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const cache = new KVCache(config);
    const t0 = performance.now();
    let logits = model.forwardCached(new Tensor(prompt, [1, prompt.length]), [cache]);
    for (let i = 0; i < n; i++) {
      let next = 0;
      const lv = await hostValues(logits);
      for (let v = 1; v < config.vocabSize; v++) if (lv[v]! > lv[next]!) next = v;
      logits = model.forwardCached(new Tensor(Int32Array.of(next), [1, 1]), [cache]);
    }
    best = Math.min(best, performance.now() - t0);
  }
  return { bench: 'generate', tokensPerSecond: n / (best / 1000), msPerToken: best / n, tokens: n };
}
