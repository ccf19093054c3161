// Next-token choice from logits: penalties, logit bias, temperature, top-k, nucleus (top-p), seeded draws.

import { Rng } from '../tensor/random.js';

export interface SamplingOptions {
  /** 0 picks the most likely token (greedy). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p (Holtzman et al. 2020). */
  topP?: number;
  /** Divide positive logits (multiply negative ones) of tokens already present by this (Keskar et al. 2019). */
  repetitionPenalty?: number;
  /** OpenAI's presence penalty: subtract this from tokens present at least once. */
  presencePenalty?: number;
  /** OpenAI's frequency penalty: subtract this times the count of each token present. */
  frequencyPenalty?: number;
  /** Added to the logits of the given token ids before sampling. */
  logitBias?: Readonly<Record<number, number>>;
  /** Number of most likely alternatives to report with each token (0 = none). */
  topLogprobs?: number;
}

export interface TokenChoice {
  id: number;
  /** Log-probability of the chosen token under the model (before sampling filters). */
  logprob: number;
  topLogprobs?: Array<{ id: number; logprob: number }>;
}

/**
 * Picks tokens one at a time; the RNG makes the same seed give the same text.
 * @example const s = new Sampler({ temperature: 0.8, topK: 40 }, new Rng(1)); s.pick(logits, history)
 */
export class Sampler {
  constructor(readonly options: SamplingOptions, readonly rng: Rng) {
    const t = options.temperature ?? 1;
    if (!(t >= 0)) throw new RangeError(`temperature must be >= 0, got ${t}`);
    if (options.topP !== undefined && !(options.topP > 0 && options.topP <= 1)) throw new RangeError(`top_p must be in (0, 1], got ${options.topP}`);
    if (options.topK !== undefined && !(Number.isInteger(options.topK) && options.topK >= 1)) throw new RangeError(`top_k must be a positive integer, got ${options.topK}`);
    // 0 would divide by zero (repeated tokens to +Infinity: the opposite of a penalty); below 0 flips signs.
    if (options.repetitionPenalty !== undefined && !(Number.isFinite(options.repetitionPenalty) && options.repetitionPenalty > 0)) throw new RangeError(`repetition_penalty must be a number > 0 (1: off), got ${options.repetitionPenalty}`);
    for (const k of ['presencePenalty', 'frequencyPenalty'] as const) {
      if (options[k] !== undefined && !Number.isFinite(options[k])) throw new RangeError(`${k === 'presencePenalty' ? 'presence_penalty' : 'frequency_penalty'} must be a finite number, got ${options[k]}`);
    }
    if (options.topLogprobs !== undefined && !(Number.isInteger(options.topLogprobs) && options.topLogprobs >= 0)) throw new RangeError(`top_logprobs must be a whole number >= 0, got ${options.topLogprobs}`);
    for (const [id, bias] of Object.entries(options.logitBias ?? {})) {
      if (!/^\d+$/.test(id)) throw new RangeError(`logit_bias: '${id}' is not a token id (a whole number >= 0)`);
      if (!Number.isFinite(bias) && bias !== -Infinity) throw new RangeError(`logit_bias for token ${id} must be a number, got ${bias}`);
    }
  }

  /** Chooses the next token from raw logits given the tokens so far (prompt + generated). */
  pick(logits: ArrayLike<number>, history: readonly number[]): TokenChoice {
    const V = logits.length;
    const o = this.options;
    const z = Float64Array.from(logits as ArrayLike<number>);
    const logprobs = logSoftmax(z);
    if (o.repetitionPenalty || o.presencePenalty || o.frequencyPenalty) {
      const counts = new Map<number, number>();
      for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const [id, n] of counts) {
        if (id < 0 || id >= V) continue;
        if (o.repetitionPenalty && o.repetitionPenalty !== 1) z[id] = z[id] > 0 ? z[id] / o.repetitionPenalty : z[id] * o.repetitionPenalty;
        z[id] -= (o.presencePenalty ?? 0) + (o.frequencyPenalty ?? 0) * n;
      }
    }
    if (o.logitBias) for (const [id, bias] of Object.entries(o.logitBias)) if (Number(id) < V) z[Number(id)] += bias;
    const temperature = o.temperature ?? 1;
    let id: number;
    if (temperature === 0) {
      id = 0;
      for (let i = 1; i < V; i++) if (z[i] > z[id]) id = i;
    } else {
      for (let i = 0; i < V; i++) z[i] /= temperature;
      const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => z[b] - z[a] || a - b);
      let keep = o.topK ? Math.min(o.topK, V) : V;
      const probs = softmaxOf(z, order.slice(0, keep));
      if (o.topP !== undefined && o.topP < 1) {
        let cum = 0;
        for (let i = 0; i < keep; i++) {
          cum += probs[i];
          if (cum >= o.topP) { keep = i + 1; break; }
        }
      }
      let total = 0;
      for (let i = 0; i < keep; i++) total += probs[i];
      let r = this.rng.next() * total;
      id = order[keep - 1];
      for (let i = 0; i < keep; i++) {
        r -= probs[i];
        if (r < 0) { id = order[i]; break; }
      }
    }
    const choice: TokenChoice = { id, logprob: logprobs[id] };
    if (o.topLogprobs) {
      const top = Array.from({ length: V }, (_, i) => i).sort((a, b) => logprobs[b] - logprobs[a] || a - b).slice(0, o.topLogprobs);
      choice.topLogprobs = top.map((t) => ({ id: t, logprob: logprobs[t] }));
    }
    return choice;
  }
}

function logSoftmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (const v of z) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return z.map((v) => v - lse);
}

function softmaxOf(z: Float64Array, ids: number[]): Float64Array {
  const max = z[ids[0]];
  const p = new Float64Array(ids.length);
  let sum = 0;
  ids.forEach((id, i) => { p[i] = Math.exp(z[id] - max); sum += p[i]; });
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

export { Rng };
