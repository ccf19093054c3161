// The moxing command line: one commander program, each command registered from its own file.

import { Command, CommanderError } from 'commander';
import { initDevices } from '../backends/devices.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { processIo, type Io } from './io.js';
import { registerTokenizer } from './commands/tokenizer.js';
import { registerFit } from './commands/fit.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerPredict } from './commands/predict.js';
import { registerCv } from './commands/cv.js';
import { registerSize } from './commands/size.js';
import { registerData } from './commands/data.js';
import { registerPretrain, registerTrain } from './commands/pretrain.js';
import { registerGenerate } from './commands/generate.js';
import { registerInterop } from './commands/interop.js';
import { registerFinetune } from './commands/finetune.js';
import { registerMerge } from './commands/merge.js';
import { registerClassify } from './commands/classify.js';
import { registerAsk } from './commands/ask.js';
import { registerEval } from './commands/eval.js';
import { registerCorpus } from './commands/corpus.js';
import { registerIndex } from './commands/index.js';
import { registerRuns } from './commands/runs.js';
import { registerModels } from './commands/models.js';
import { registerPlot } from './commands/plot.js';
import { registerServe } from './commands/serve.js';
import { registerBench } from './commands/bench.js';
import { registerBenchGpt } from './commands/bench-gpt.js';
import { registerScale } from './commands/scale.js';
import { registerCurve } from './commands/curve.js';
import { registerCompare } from './commands/compare.js';
import { registerReport } from './commands/report.js';

function packageVersion(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const pkg = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Builds the program with every command registered; every command prints its results through `io`.
 * @example const io = captureIo(); await buildProgram(io).parseAsync(['node', 'moxing', 'size', '--json']); io.text;
 */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command();
  program
    .name('moxing')
    .description('moxing: from a model to a large model to a foundation model')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  // Each command file exports register(program); the list is explicit, no registration by side effect.
  registerTokenizer(program, io);
  registerFit(program, io);
  registerEvaluate(program, io);
  registerPredict(program, io);
  registerCv(program, io);
  registerSize(program, io);
  registerData(program, io);
  registerPretrain(program, io);
  registerTrain(program, io);
  registerGenerate(program, io);
  registerInterop(program, io);
  registerFinetune(program, io);
  registerMerge(program, io);
  registerClassify(program, io);
  registerAsk(program, io);
  registerEval(program, io);
  registerCorpus(program, io);
  registerIndex(program, io);
  registerRuns(program, io);
  registerModels(program, io);
  registerPlot(program, io);
  registerServe(program);
  registerBench(program, io);
  registerBenchGpt(program, io);
  registerScale(program, io);
  registerCurve(program, io);
  registerCompare(program, io);
  registerReport(program, io);
  return program;
}

/** Runs the CLI; errors become one line on stderr and exit code 1 (2 for usage errors). */
export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (moxing generate ... | head) closes the pipe: the command then ends
  // quietly, as any Unix tool does, rather than with a stack trace for an unhandled EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`moxing: cannot write the output: ${err.message}\n`);
    process.exit(err.code === 'EPIPE' ? 0 : 1);
  });
  const program = buildProgram();
  try {
    // The fastest kernels this machine has (a GPU through WebGPU, else BLAS and wasm SIMD + threads),
    // once for every command; MOXING_BACKEND overrides. Commands themselves never initialise backends.
    await initDevices();
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (help, version or usage error).
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`moxing: ${message}\n`);
    if (process.env.MOXING_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}
