// Autoregressive generation with a KV cache, streamed as an async iterator of tokens.

import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { GPT, KVCache } from './gpt.js';
import { Sampler, type SamplingOptions, type TokenChoice } from './sampling.js';

export interface GenerateOptions extends SamplingOptions {
  /** Default 64. */
  maxNewTokens?: number;
  /** Same seed, same output. Default 0. */
  seed?: number;
  /** Generation ends after any of these token ids (e.g. <|endoftext|>); the stop token is not yielded. */
  stopTokens?: readonly number[];
  /** Aborts between tokens (client disconnected, timeout). */
  signal?: AbortSignal;
}

export interface GeneratedToken extends TokenChoice {
  /** Why generation ended after this token, if it did. */
  finishReason?: 'length' | 'stop';
}

/**
 * Keeps the prompt within the context: the last blockSize - 1 tokens (at least one slot to generate).
 */
export function fitPrompt(promptIds: readonly number[], blockSize: number): number[] {
  if (promptIds.length === 0) throw new Error('generate: the prompt is empty (encode at least one token, e.g. <|endoftext|>)');
  return promptIds.slice(Math.max(0, promptIds.length - (blockSize - 1)));
}

/**
 * Streams new tokens for a prompt; the last yielded token carries finishReason 'length' when the
 * token budget or the context is used up. A stop token ends the stream without being yielded.
 * @example for await (const t of generate(model, tokenizer.encode('Once'), { temperature: 0 })) process.stdout.write(tokenizer.decode([t.id]));
 */
export async function* generate(model: GPT, promptIds: readonly number[], options: GenerateOptions = {}): AsyncGenerator<GeneratedToken> {
  const maxNew = options.maxNewTokens ?? 64;
  if (!(Number.isInteger(maxNew) && maxNew >= 1)) throw new RangeError(`generate: maxNewTokens must be a whole number >= 1, got ${maxNew}`);
  const V = model.config.vocabSize;
  const bad = promptIds.findIndex((id) => !(Number.isInteger(id) && id >= 0 && id < V));
  if (bad >= 0) throw new RangeError(`generate: prompt token ${bad} is ${promptIds[bad]}, not an id of the model's ${V}-token vocabulary`);
  const sampler = new Sampler(options, new Rng(options.seed ?? 0));
  const stops = new Set(options.stopTokens ?? []);
  const context = fitPrompt(promptIds, model.config.blockSize);
  const history = [...context];
  const cache = new KVCache(model.config, model.device);
  let logits = model.forwardCached(new Tensor(Int32Array.from(context), [1, context.length]), [cache]);
  for (let i = 0; i < maxNew; i++) {
    if (options.signal?.aborted) return;
    const choice = sampler.pick(await hostValues(logits), history);
    if (stops.has(choice.id)) return;
    history.push(choice.id);
    const last = i === maxNew - 1 || cache.length >= model.config.blockSize;
    yield last ? { ...choice, finishReason: 'length' } : choice;
    if (last) return;
    logits = model.forwardCached(new Tensor(Int32Array.from([choice.id]), [1, 1]), [cache]);
    // Let other work (HTTP requests, progress output) run between tokens.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * A tensor's values on the host: in place on cpu (no copy per token), read from a device otherwise.
 * @example sampler.pick(await hostValues(logits), history)
 */
export async function hostValues(t: Tensor): Promise<ArrayLike<number>> {
  return t.dev.hostView(t.storage) ?? (await t.data());
}
