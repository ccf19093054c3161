// Fine-tuning a GPT on texts held in memory (a page's textarea, a few documents): next-token loss on
// random windows of the texts joined by <|endoftext|>, AdamW with warmup + cosine, clipping. The loop
// reads the loss once per step and yields to the event loop, so a page stays live and the wasm
// heap's finalizers run (how its memory stays bounded where no GC can be forced).

import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { clipGradNorm } from '../optim/clip.js';
import { warmupCosineSchedule } from '../optim/schedule.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { GPT } from './gpt.js';
import { gptOptimizer } from './train.js';

export interface TextFinetuneOptions {
  steps: number;
  /** Peak learning rate. Default 3e-4. */
  lr?: number;
  /** Windows per step. Default 4. */
  batchSize?: number;
  /** Tokens per window (at most the model's context). Default min(64, the context). */
  blockSize?: number;
  weightDecay?: number;
  seed?: number;
  /** After every step, with its loss (read once per step) and the tokens per second of that step. */
  onStep?: (info: TextFinetuneStep) => void;
  /** Stops between steps. */
  signal?: AbortSignal;
}

export interface TextFinetuneStep {
  step: number;
  total: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
}

/** The token stream of texts joined (and ended) by the end-of-text token when the vocabulary has one. */
export function textStream(tokenizer: Tokenizer, texts: readonly string[]): Int32Array {
  const eot = tokenizer.tokenToId('<|endoftext|>');
  const out: number[] = [];
  for (const t of texts) {
    for (const id of tokenizer.encode(t, { allowSpecial: false })) out.push(id);
    if (eot !== undefined) out.push(eot);
  }
  return Int32Array.from(out);
}

/**
 * Trains `model` in place for `steps` steps and returns the loss of each step. The model is left
 * in eval mode. Throws when the texts give fewer than 2 tokens.
 * @example const losses = await finetuneOnTexts(model, tokenizer, ['my notes ...'], { steps: 20, lr: 1e-3 });
 */
export async function finetuneOnTexts(model: GPT, tokenizer: Tokenizer, texts: readonly string[], o: TextFinetuneOptions): Promise<number[]> {
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new Error(`finetune: steps must be a positive integer, got ${o.steps}`);
  const stream = textStream(tokenizer, texts);
  if (stream.length < 2) throw new Error('finetune: the texts hold fewer than 2 tokens; give it some text to learn');
  const T = Math.max(1, Math.min(o.blockSize ?? 64, model.config.blockSize, stream.length - 1));
  const B = o.batchSize ?? 4;
  const lr = o.lr ?? 3e-4;
  const opt = gptOptimizer(model, { lr, weightDecay: o.weightDecay ?? 0.01 });
  const schedule = warmupCosineSchedule({ lr, minLr: lr / 10, warmupSteps: Math.min(10, Math.floor(o.steps / 10)), decaySteps: o.steps });
  const rng = new Rng(o.seed ?? 0);
  const losses: number[] = [];
  model.train();
  try {
    for (let step = 0; step < o.steps; step++) {
      if (o.signal?.aborted) break;
      const t0 = performance.now();
      const x = new Int32Array(B * T);
      const y = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const start = rng.int(stream.length - T);
        x.set(stream.subarray(start, start + T), b * T);
        y.set(stream.subarray(start + 1, start + T + 1), b * T);
      }
      const stepLr = schedule(step);
      opt.setLr(stepLr);
      const loss = model.forward(new Tensor(x, [B, T]), new Tensor(y, [B, T])).loss!;
      loss.backward();
      clipGradNorm(model.parameters(), 1);
      opt.step();
      opt.zeroGrad();
      const value = await loss.item();
      losses.push(value);
      o.onStep?.({ step: step + 1, total: o.steps, loss: value, lr: stepLr, tokensPerSecond: (B * T) / ((performance.now() - t0) / 1000) });
      // A task boundary, not a microtask: pages repaint, finalizers free the step's tensors.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    model.eval();
  }
  return losses;
}
