// npm run bench:gpt: GPT training and decoding throughput, moxing next to PyTorch (Debian
// python3-torch, CPU) in the same run, with ratios against PyTorch's best thread setting; and the
// nanoGPT CPU recipe (4 layers, 4 heads, 128 wide, block 64, batch 12, 2000 steps) time to finish.
// Usage: node --experimental-wasm-relaxed-simd --import tsx bench/gpt.ts [--full-recipe]

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { initBackends } from '../src/backends/index.js';
import { benchGenerate, benchTrain } from '../src/llm/bench.js';
import type { GPTConfig } from '../src/llm/config.js';

const python = '/usr/bin/python3';
const config: GPTConfig = { vocabSize: 256, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true };
const batch = 16;

function torch(mode: 'train' | 'generate', threads: number, c: GPTConfig, b: number, repeats = 3): number | null {
  if (!existsSync(python)) return null;
  const args = ['bench/gpt_ref.py', mode, '--n-layer', String(c.nLayer), '--n-head', String(c.nHead), '--n-embd', String(c.nEmbd),
    '--block-size', String(c.blockSize), '--vocab-size', String(c.vocabSize), '--batch-size', String(b), '--threads', String(threads), '--steps', '10', '--repeats', String(repeats)];
  try {
    // PyTorch's best CPU setting here: OpenMP threads for its ops, OpenBLAS single-threaded (two pools fight).
    const out = execFileSync(python, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: '1' } });
    return (JSON.parse(out.trim().split('\n').pop()!) as { tokensPerSecond: number }).tokensPerSecond;
  } catch (err) {
    process.stderr.write(`pytorch ${mode} (${threads} threads) unavailable: ${(err as Error).message.split('\n')[0]}\n`);
    return null;
  }
}

const backends = initBackends();
process.stdout.write(`backends: ${[backends.blas ? 'blas' : null, backends.wasm ? 'wasm' : null, 'js'].filter(Boolean).join(', ')}\n`);
const shape = `${config.nLayer} layers, ${config.nHead} heads, ${config.nEmbd} wide, block ${config.blockSize}, batch ${batch}, vocab ${config.vocabSize}`;

const train = await benchTrain(config, batch, 10);
const torchTrain = [1, 2].map((t) => ({ t, tps: torch('train', t, config, batch) }));
const bestTorch = Math.max(...torchTrain.map((r) => r.tps ?? 0));
process.stdout.write(`\ntraining (${shape})\n`);
process.stdout.write(`  moxing            ${Math.round(train.tokensPerSecond)} tokens/s (${train.msPerStep.toFixed(1)} ms/step)\n`);
for (const r of torchTrain) if (r.tps) process.stdout.write(`  pytorch ${r.t} thread${r.t > 1 ? 's' : ' '}  ${Math.round(r.tps)} tokens/s\n`);
if (bestTorch > 0) process.stdout.write(`  ratio moxing / pytorch best: ${(train.tokensPerSecond / bestTorch).toFixed(2)}x\n`);

// Best of 10 decodes on both sides: the JIT of the first passes is not what a server sees.
const DECODE_REPEATS = 10;
const gen = await benchGenerate(config, 100, DECODE_REPEATS);
const torchGen = [1, 2].map((t) => torch('generate', t, config, 1, DECODE_REPEATS)).filter((v): v is number => v !== null);
process.stdout.write(`\ngeneration with KV cache (batch 1, ${gen.tokens} tokens)\n  moxing            ${Math.round(gen.tokensPerSecond)} tokens/s\n`);
if (torchGen.length) process.stdout.write(`  pytorch best      ${Math.round(Math.max(...torchGen))} tokens/s; ratio ${(gen.tokensPerSecond / Math.max(...torchGen)).toFixed(2)}x\n`);

// nanoGPT's CPU recipe (shakespeare_char on a laptop)
const recipe: GPTConfig = { vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true };
const full = process.argv.includes('--full-recipe');
const t0 = performance.now();
const r = await benchTrain(recipe, 12, full ? 2000 : 30, 2);
// The full recipe is timed end to end (every step, the two warm-up steps too); the short one extrapolates its median step.
const seconds = full ? (performance.now() - t0) / 1000 : (r.msPerStep * 2000) / 1000;
process.stdout.write(`\nnanoGPT CPU recipe (4 layers, 4 heads, 128 wide, block 64, batch 12): ${r.msPerStep.toFixed(1)} ms/step -> 2000 steps in ${(seconds / 60).toFixed(2)} min${full ? '' : ' (extrapolated from 30 steps; --full-recipe runs all 2000)'}\n`);
process.stdout.write(`${JSON.stringify({ train: train.tokensPerSecond, pytorchTrainBest: bestTorch || null, generate: gen.tokensPerSecond, recipeMinutes: seconds / 60 })}\n`);
