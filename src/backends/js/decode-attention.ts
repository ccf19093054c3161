// Reference KV-cache decoding step: append this step's keys and values to each sequence's cache,
// then attend every new position over its cached prefix (causal). See DecodeAttentionParams.

import type { DecodeAttentionParams } from '../backend.js';
import type { FloatArray } from '../../tensor/dtype.js';

export function decodeAttention(
  qkv: FloatArray, kCaches: readonly FloatArray[], vCaches: readonly FloatArray[], out: FloatArray, p: DecodeAttentionParams,
): boolean {
  const { batch: B, t: T, nHead: H, headDim: D, blockSize, scale } = p;
  const C = H * D;
  const C3 = 3 * C;
  const scores = new Float64Array(blockSize);
  for (let b = 0; b < B; b++) {
    const K = kCaches[b]!;
    const V = vCaches[b]!;
    const offset = p.offsets[b]!;
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * C3;
      for (let h = 0; h < H; h++) {
        const dst = (h * blockSize + offset + t) * D; // cache layout (H, blockSize, D)
        for (let d = 0; d < D; d++) {
          K[dst + d] = qkv[row + C + h * D + d];
          V[dst + d] = qkv[row + 2 * C + h * D + d];
        }
      }
    }
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * C3;
      const limit = offset + t + 1; // causal: this position and all before it
      for (let h = 0; h < H; h++) {
        const qi = row + h * D;
        const base = h * blockSize * D;
        const o = (b * T + t) * C + h * D;
        let max = -Infinity;
        for (let j = 0; j < limit; j++) {
          let s = 0;
          const kj = base + j * D;
          for (let d = 0; d < D; d++) s += qkv[qi + d] * K[kj + d];
          s *= scale;
          scores[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j < limit; j++) { scores[j] = Math.exp(scores[j] - max); sum += scores[j]; }
        for (let d = 0; d < D; d++) out[o + d] = 0;
        for (let j = 0; j < limit; j++) {
          const a = scores[j] / sum;
          const vj = base + j * D;
          for (let d = 0; d < D; d++) out[o + d] += a * V[vj + d];
        }
      }
    }
  }
  return true;
}
