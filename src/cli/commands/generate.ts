// moxing generate: stream a GPT's continuation of a prompt to the output (stdout).

import { InvalidArgumentError, type Command } from 'commander';
import { loadRun } from '../../llm/run-dir.js';
import { generate } from '../../llm/generate.js';
import { resolveModelPath } from '../../llm/models.js';
import { StreamDecoder } from '../../llm/stream-decoder.js';
import { finiteNumber, nonNegativeInt, positiveInt, positiveNumber } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface GenerateFlags {
  model: string;
  maxNewTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  stop?: string[];
  seed: number;
  int8?: boolean;
  json?: boolean;
}

/** --top-p: a probability mass in (0, 1]. */
function topP(value: string): number {
  const p = finiteNumber(value);
  if (!(p > 0 && p <= 1)) throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'`);
  return p;
}

export function registerGenerate(program: Command, io: Io = processIo): void {
  program
    .command('generate')
    .description('continue a prompt with a GPT (streams the completion)')
    .argument('<prompt>', 'text to continue')
    .option('--model <run-dir|name>', 'model directory or shipped name', 'moxing-base')
    .option('--max-new-tokens <n>', 'tokens to generate', positiveInt, 100)
    .option('--temperature <t>', 'sampling temperature (0: greedy)', finiteNumber, 0.8)
    .option('--top-k <k>', 'sample among the k most likely tokens', positiveInt)
    .option('--top-p <p>', 'nucleus sampling probability mass, in (0, 1]', topP)
    .option('--repetition-penalty <r>', 'penalize tokens already present (1: off; above 1 penalizes)', positiveNumber)
    .option('--stop <text...>', 'stop when the completion contains this text')
    .option('--seed <n>', 'random seed (same seed, same output)', nonNegativeInt, 0)
    .option('--int8', 'decode with int8 weights (per-channel scales): faster, slightly less exact')
    .option('--json', 'print {"text","tokens","tokensPerSecond"} instead of streaming')
    .action(async (prompt: string, f: GenerateFlags) => {
      if (f.temperature < 0) throw new UserError('--temperature must be >= 0');
      const { model, tokenizer } = await loadRun(resolveModelPath(f.model));
      if (f.int8) model.quantize();
      const ids = tokenizer.encode(prompt);
      if (ids.length === 0) throw new UserError('the prompt is empty');
      // The model reads blockSize tokens: a longer prompt keeps its end, and the prompt and the
      // completion share the context. Said on stderr (stdout is the text), not left to surprise.
      const T = model.config.blockSize;
      const kept = Math.min(ids.length, T - 1);
      if (ids.length > kept) process.stderr.write(`generate: the prompt is ${ids.length} tokens; the model reads ${T}, so it continues from the last ${kept}\n`);
      if (kept + f.maxNewTokens > T) process.stderr.write(`generate: at most ${T - kept} new tokens fit in the ${T}-token context after the prompt (--max-new-tokens ${f.maxNewTokens})\n`);
      const eot = tokenizer.tokenToId('<|endoftext|>');
      const decoder = new StreamDecoder(tokenizer, f.stop ?? []);
      const tokens: number[] = [];
      const t0 = performance.now();
      for await (const t of generate(model, ids, {
        maxNewTokens: f.maxNewTokens, temperature: f.temperature, topK: f.topK, topP: f.topP,
        repetitionPenalty: f.repetitionPenalty, seed: f.seed, stopTokens: eot === undefined ? [] : [eot],
      })) {
        tokens.push(t.id);
        const piece = decoder.push(t.id);
        if (!f.json && piece) io.write(piece);
        if (decoder.stopped) break;
      }
      const tail = decoder.flush();
      const seconds = (performance.now() - t0) / 1000;
      if (f.json) {
        io.write(`${JSON.stringify({ text: decoder.text, tokens, tokensPerSecond: tokens.length / seconds })}\n`);
      } else {
        io.write(`${tail}\n`);
      }
    });
}
