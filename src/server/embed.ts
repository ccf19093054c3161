// Embeddings for /v1/embeddings: mean-pooled final hidden states of token ids, scaled to unit length.

import { noGrad } from '../tensor/grad-mode.js';
import type { GPT } from '../llm/gpt.js';
import { padBatch, pool } from '../llm/pooling.js';

/**
 * Unit-length embedding of each token sequence (the mean of src/llm/embeddings.ts, from ids, so the
 * server can check lengths first). Padding sits at the end, where causal attention cannot see it.
 * @example const [v] = await embedIds(model, [tokenizer.encode('hello')]); // Float32Array(nEmbd), |v| = 1
 */
export async function embedIds(model: GPT, inputs: readonly number[][]): Promise<Float32Array[]> {
  const { ids, lengths } = padBatch(inputs, 0);
  // (B, C), read once, on whatever device the model is on.
  const v = await noGrad(() => pool(model.hidden(ids), lengths, 'mean')).data();
  const C = model.config.nEmbd;
  return inputs.map((_, b) => {
    const row = Float64Array.from(v.subarray(b * C, (b + 1) * C));
    const norm = Math.hypot(...row) || 1;
    return Float32Array.from(row, (x) => x / norm);
  });
}
