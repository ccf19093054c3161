// npm run bench:int8: int8 weight decoding against float32 on GPT-2's shape (speed), and the quality
// cost on moxing-base: loss on text it never saw (Moby-Dick, not in its corpus).
// Usage: node --experimental-wasm-relaxed-simd --import tsx bench/int8.ts

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackends } from '../src/backends/index.js';
import { benchGenerate } from '../src/llm/bench.js';
import { configFromPreset } from '../src/llm/config.js';
import { loadRun } from '../src/llm/run-dir.js';
import { resolveModelPath } from '../src/llm/models.js';
import { noGrad } from '../src/tensor/grad-mode.js';
import { Tensor } from '../src/tensor/tensor.js';
import type { GPT } from '../src/llm/gpt.js';

initBackends();
const shape = configFromPreset('gpt2');
const fp32 = await benchGenerate(shape, 32, 2);
const int8 = await benchGenerate(shape, 32, 2, true);
process.stdout.write(`gpt2 shape (124M), batch 1, ${fp32.tokens} tokens: float32 ${fp32.msPerToken.toFixed(1)} ms/token, int8 ${int8.msPerToken.toFixed(1)} ms/token -> ${(fp32.msPerToken / int8.msPerToken).toFixed(2)}x faster\n`);

function meanLoss(model: GPT, ids: number[], T: number, windows: number): number {
  let total = 0;
  noGrad(() => {
    for (let w = 0; w < windows; w++) {
      const start = w * T;
      const x = new Tensor(Int32Array.from(ids.slice(start, start + T)), [1, T]);
      const y = new Tensor(Int32Array.from(ids.slice(start + 1, start + T + 1)), [1, T]);
      total += model.forward(x, y).loss!.itemSync();
    }
  });
  return total / windows;
}

const text = join(process.cwd(), '..', 'shared', 'datasets', 'moby_dick', 'moby_dick.txt');
if (existsSync(text)) {
  const run = await loadRun(resolveModelPath('moxing-base'));
  const T = run.model.config.blockSize;
  const ids = run.tokenizer.encode(readFileSync(text, 'utf8').slice(0, 200_000), { allowSpecial: false });
  const windows = Math.min(100, Math.floor((ids.length - 1) / T));
  const before = meanLoss(run.model, ids, T, windows);
  run.model.quantize();
  const after = meanLoss(run.model, ids, T, windows);
  process.stdout.write(`moxing-base on held-out Moby-Dick (${windows} windows of ${T}): loss float32 ${before.toFixed(4)}, int8 ${after.toFixed(4)} (delta ${(after - before).toFixed(4)})\n`);
}
process.stdout.write(`${JSON.stringify({ float32MsPerToken: fp32.msPerToken, int8MsPerToken: int8.msPerToken, speedup: fp32.msPerToken / int8.msPerToken })}\n`);
