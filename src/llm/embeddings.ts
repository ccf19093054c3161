// Text embeddings from a GPT: the mean of the final hidden states over the text's tokens.

import { noGrad } from '../tensor/grad-mode.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { GPT } from './gpt.js';
import { padBatch, pool } from './pooling.js';

/**
 * One vector (nEmbd floats) per text, mean-pooled; use cosine similarity to compare, or feed the
 * vectors to classical estimators as features.
 * @example const [a, b] = await embed(model, tokenizer, ['a cat', 'a kitten']); cosineSimilarity(a, b)
 */
export async function embed(model: GPT, tokenizer: Tokenizer, texts: readonly string[], batchSize = 16): Promise<Float32Array[]> {
  const T = model.config.blockSize;
  const pad = tokenizer.tokenToId('<|endoftext|>') ?? 0;
  const C = model.config.nEmbd;
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batchSize) {
    const seqs = texts.slice(i, i + batchSize).map((t) => {
      const ids = tokenizer.encode(t, { allowSpecial: false }).slice(0, T);
      return ids.length ? ids : [pad];
    });
    const { ids, lengths } = padBatch(seqs, pad);
    // One read per batch, on whatever device the model is on.
    const v = await noGrad(() => pool(model.hidden(ids), lengths, 'mean')).data();
    for (let b = 0; b < seqs.length; b++) out.push(Float32Array.from(v.subarray(b * C, (b + 1) * C)));
  }
  return out;
}

/** Cosine similarity of two vectors. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / (Math.sqrt(na * nb) || 1);
}
