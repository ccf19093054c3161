// moxing bench train / bench generate: GPT training and decoding throughput on synthetic tokens.

import type { Command } from 'commander';
import { benchCommand } from './bench.js';
import { benchGenerate, benchTrain } from '../../llm/bench.js';
import { validateConfig, type GPTConfig } from '../../llm/config.js';
import { positiveInt, precision } from '../options.js';
import { initDevices } from '../../backends/devices.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface ShapeFlags {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  vocabSize: number;
  batchSize: number;
  steps: number;
  newTokens: number;
  json?: boolean;
}

function shape(f: ShapeFlags): GPTConfig {
  try {
    return validateConfig({ vocabSize: f.vocabSize, blockSize: f.blockSize, nLayer: f.nLayer, nHead: f.nHead, nEmbd: f.nEmbd, dropout: 0, bias: true });
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

function withShape(cmd: Command): Command {
  return cmd
    .option('--n-layer <n>', 'transformer blocks', positiveInt, 4)
    .option('--n-head <n>', 'attention heads', positiveInt, 4)
    .option('--n-embd <n>', 'embedding width', positiveInt, 128)
    .option('--block-size <n>', 'context length', positiveInt, 128)
    .option('--vocab-size <n>', 'vocabulary size', positiveInt, 256)
    .option('--json', 'print one JSON object');
}

export function registerBenchGpt(program: Command, io: Io = processIo): void {
  const bench = benchCommand(program);
  withShape(bench.command('train').description('GPT training throughput (forward, backward, AdamW) on synthetic tokens'))
    .option('--batch-size <n>', 'sequences per step', positiveInt, 16)
    .option('--steps <n>', 'timed steps (after 2 warm-up steps)', positiveInt, 10)
    .option('--precision <p>', 'fp32, or mixed: f16 matrix products with loss scaling where the device has f16', precision, 'fp32')
    .action(async (f: ShapeFlags & { precision: 'fp32' | 'mixed' }) => {
      const device = (await initDevices()).description;
      const r = { ...(await benchTrain(shape(f), f.batchSize, f.steps, 2, { precision: f.precision })), device, precision: f.precision };
      if (f.json) io.write(`${JSON.stringify(r)}\n`);
      else io.write(`train on ${device} (${f.precision}): ${Math.round(r.tokensPerSecond)} tokens/s, ${r.msPerStep.toFixed(1)} ms/step (${r.parameters.toLocaleString('en-US')} parameters)\n`);
    });
  withShape(bench.command('generate').description('GPT decoding throughput with the KV cache (greedy, batch 1)'))
    .option('--new-tokens <n>', 'tokens to generate', positiveInt, 100)
    .option('--int8', 'int8 weights (per-channel scales) instead of float32')
    .action(async (f: ShapeFlags & { int8?: boolean }) => {
      const device = (await initDevices()).description;
      const r = { ...(await benchGenerate(shape(f), f.newTokens, 3, f.int8)), device };
      if (f.json) io.write(`${JSON.stringify(r)}\n`);
      else io.write(`generate on ${device}: ${Math.round(r.tokensPerSecond)} tokens/s (${r.msPerToken.toFixed(2)} ms/token)\n`);
    });
}
