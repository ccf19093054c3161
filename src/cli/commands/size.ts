// moxing size: what makes a model "large": parameters, FLOPs, memory, training compute and time.

import type { Command } from 'commander';
import { sizeReport, trainingCompute, human, humanDuration } from '../../llm/size.js';
import { measureMatmulGflops } from '../../llm/throughput.js';
import { count } from '../options.js';
import { addShapeOptions, configFromFlags, type ShapeFlags } from '../gpt-shape.js';
import { processIo, type Io } from '../io.js';

interface SizeFlags extends ShapeFlags {
  tokens?: number;
  json?: boolean;
  measure: boolean;
}

export function registerSize(program: Command, io: Io = processIo): void {
  addShapeOptions(program.command('size').description('parameters, FLOPs per token, memory and training compute of a GPT size'))
    .option('--tokens <n>', 'training tokens for the compute estimate (e.g. 300B); default: Chinchilla 20 per parameter', count)
    .option('--no-measure', 'skip measuring this machine\'s throughput')
    .option('--json', 'print one JSON object')
    .action((f: SizeFlags) => {
      // Size arithmetic may explore contexts longer than a preset trains with; GPT-2's vocabulary by default.
      const config = configFromFlags(f, f.preset ? {} : { vocabSize: 50257, blockSize: 1024 }, false);
      const r = sizeReport(config);
      const tokens = f.tokens ?? r.chinchillaTokens;
      const compute = trainingCompute(r, tokens);
      const gflops = f.measure ? measureMatmulGflops() : null;
      const seconds = gflops ? compute / (gflops * 1e9) : null;
      if (f.json) {
        io.write(`${JSON.stringify({ ...r, trainingTokens: tokens, trainingFlops: compute, measuredGflops: gflops, trainingSecondsAtMeasured: seconds })}\n`);
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
      io.write(`${lines.join('\n')}\n`);
    });
}
