// Embeddings for /v1/embeddings: mean-pooled final hidden states of token ids, scaled to unit length.

import { noGrad } from '../tensor/grad-mode.js';
import type { GPT } from '../llm/gpt.js';
import { padBatch, pool } from '../llm/pooling.js';

/**
 * Unit-length embedding of each token sequence (the mean of src/llm/embeddings.ts, from ids, so the
 * server can check lengths first). Padding sits at the end, where causal attention cannot see it.
 * @example const [v] = embedIds(model, [tokenizer.encode('hello')]); // Float32Array(nEmbd), |v| = 1
 */
export function embedIds(model: GPT, inputs: readonly number[][]): Float32Array[] {
  return noGrad(() => {
    const { ids, lengths } = padBatch(inputs, 0);
    const v = pool(model.hidden(ids), lengths, 'mean'); // (B, C)
    const C = v.shape[1]!;
    return inputs.map((_, b) => {
      const row = Float64Array.from(v.dataSync().subarray(b * C, (b + 1) * C));
      const norm = Math.hypot(...row) || 1;
      return Float32Array.from(row, (x) => x / norm);
    });
  });
}
