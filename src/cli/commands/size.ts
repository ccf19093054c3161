// moxing size: what makes a model "large": parameters, FLOPs, memory, training compute and time.

import type { Command } from 'commander';
import { configFromPreset, PRESETS, validateConfig, type GPTConfig } from '../../llm/config.js';
import { sizeReport, trainingCompute, human, humanDuration } from '../../llm/size.js';
import { measureMatmulGflops } from '../../llm/throughput.js';
import { count, positiveInt } from '../options.js';
import { UserError } from '../errors.js';

interface SizeFlags {
  preset?: string;
  nLayer?: number;
  nHead?: number;
  nEmbd?: number;
  blockSize?: number;
  vocabSize?: number;
  tokens?: number;
  json?: boolean;
  measure: boolean;
}

export function registerSize(program: Command): void {
  program
    .command('size')
    .description('parameters, FLOPs per token, memory and training compute of a GPT size')
    .option('--preset <name>', `a named size: ${Object.keys(PRESETS).join(', ')}`)
    .option('--n-layer <n>', 'transformer blocks', positiveInt)
    .option('--n-head <n>', 'attention heads', positiveInt)
    .option('--n-embd <n>', 'embedding width', positiveInt)
    .option('--block-size <n>', 'context length', positiveInt)
    .option('--vocab-size <n>', 'vocabulary size', positiveInt)
    .option('--tokens <n>', 'training tokens for the compute estimate (e.g. 300B); default: Chinchilla 20 per parameter', count)
    .option('--no-measure', 'skip measuring this machine\'s throughput')
    .option('--json', 'print one JSON object')
    .action((f: SizeFlags) => {
      let config: GPTConfig;
      const overrides: Partial<GPTConfig> = {};
      if (f.nLayer) overrides.nLayer = f.nLayer;
      if (f.nHead) overrides.nHead = f.nHead;
      if (f.nEmbd) overrides.nEmbd = f.nEmbd;
      if (f.blockSize) overrides.blockSize = f.blockSize;
      if (f.vocabSize) overrides.vocabSize = f.vocabSize;
      try {
        if (f.preset) {
          const p = PRESETS[f.preset];
          if (!p) throw new Error(`unknown preset '${f.preset}' (choose from ${Object.keys(PRESETS).join(', ')})`);
          // size arithmetic may explore longer contexts than the preset trains with
          config = validateConfig({ ...configFromPreset(f.preset), ...overrides });
        } else {
          if (!f.nLayer || !f.nHead || !f.nEmbd) throw new Error('give --preset P, or --n-layer, --n-head and --n-embd');
          config = validateConfig({ vocabSize: 50257, blockSize: 1024, nLayer: f.nLayer, nHead: f.nHead, nEmbd: f.nEmbd, dropout: 0, bias: true, ...overrides });
        }
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      const r = sizeReport(config);
      const tokens = f.tokens ?? r.chinchillaTokens;
      const compute = trainingCompute(r, tokens);
      const gflops = f.measure ? measureMatmulGflops() : null;
      const seconds = gflops ? compute / (gflops * 1e9) : null;
      if (f.json) {
        process.stdout.write(`${JSON.stringify({ ...r, trainingTokens: tokens, trainingFlops: compute, measuredGflops: gflops, trainingSecondsAtMeasured: seconds })}\n`);
        return;
      }
      const c = config;
      const lines = [
        `GPT ${f.preset ?? 'custom'}: ${c.nLayer} layers, ${c.nHead} heads, width ${c.nEmbd}, context ${c.blockSize}, vocabulary ${c.vocabSize}`,
        `parameters            ${human(r.parameters)} (${r.parameters.toLocaleString('en-US')}; ${human(r.nonEmbeddingParameters)} outside the embeddings)`,
        `FLOPs per token       forward ${human(r.forwardFlopsPerToken, 'FLOP')}, training ${human(r.trainingFlopsPerToken, 'FLOP')} (forward + backward)`,
        `inference memory      weights fp32 ${human(r.memory.weights.fp32, 'B')}, bf16 ${human(r.memory.weights.bf16, 'B')}, int8 ${human(r.memory.weights.int8, 'B')}; KV cache ${human(r.memory.kvCachePerSequence.fp32, 'B')} per sequence (fp32)`,
        `AdamW training memory fp32 ${human(r.memory.adamwTraining.fp32, 'B')}, bf16 mixed ${human(r.memory.adamwTraining.bf16, 'B')}, 8-bit optimizer ${human(r.memory.adamwTraining.int8, 'B')} + activations ${human(r.memory.activationsPerSequence, 'B')} per sequence`,
        `training compute      ${human(compute, 'FLOP')} for ${human(tokens)} tokens${f.tokens ? '' : ' (Chinchilla: 20 tokens per parameter)'}`,
      ];
      if (gflops && seconds !== null) {
        lines.push(`on this machine       ${gflops.toFixed(1)} GFLOP/s measured (matrix multiply): ${humanDuration(seconds)} at full efficiency`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
