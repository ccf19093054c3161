// `moxing compare --task sentiment|tabular`: classical models and a foundation model side by side on one split.

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareSentiment, compareTabular, type CompareResult } from '../../analysis/compare.js';
import { saveLatest } from '../../analysis/results.js';
import { readTable, seedFrom } from '../tabular-support.js';
import { resolveModelPath } from '../../llm/models.js';
import { fraction, positiveInt, finiteNumber } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface CompareFlags {
  task: string; data?: string; target?: string; text?: string; base: string; noGpt?: boolean; gpt: boolean; epochs: number; lr: number; gptTrainRows: number; gptValRows: number;
  maxChars?: number; labelWords?: string; valFraction: number; seed?: string; json?: boolean;
}

/** The package's examples/ directory (next to src/ or dist/). */
function examplesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
}

const sci = (v: number): string => (!Number.isFinite(v) ? '-' : v === 0 ? '0' : v.toExponential(1));
const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '-');

/**
 * The comparison as a markdown table (also used by `moxing report`).
 * @example process.stdout.write(compareTable(result));
 */
export function compareTable(r: CompareResult): string {
  const [m1, m2] = r.metrics;
  const lines = [
    `| model | parameters | training FLOPs (task) | pretraining FLOPs | train ${m1} | validation ${m1} | validation ${m2} | gap | seconds |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of r.models) {
    lines.push(`| ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${sci(m.trainFlops)} | ${sci(m.pretrainFlops)} | ${f3(m.trainScore)} | ${f3(m.validationScore)} | ${m2 === 'rmse' ? m.validationF1.toFixed(0) : f3(m.validationF1)} | ${f3(m.gap)} | ${m.seconds.toFixed(1)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Registers `moxing compare --task sentiment|tabular [--data <csv>] [--base moxing-base]`.
 * @example registerCompare(program);
 */
export function registerCompare(program: Command, io: Io = processIo): void {
  program
    .command('compare')
    .description('classical models vs a foundation model on one task and one split: parameters, training compute, accuracy/F1, train/validation gap')
    .requiredOption('--task <task>', 'sentiment (text classification) or tabular')
    .option('--data <csv>', 'the data (default: examples/reviews/reviews.csv for sentiment, examples/ames_housing/train.csv for tabular)')
    .option('--target <col>', 'the label column (default: score for sentiment, Sale_Price for tabular)')
    .option('--text <col>', 'sentiment: the text column', 'review')
    .option('--base <model>', 'the pretrained GPT (a shipped name or a run directory)', 'moxing-base')
    .option('--no-gpt', 'skip the GPT rows (classical models only)')
    .option('--epochs <n>', 'GPT fine-tuning epochs', positiveInt, 2)
    .option('--lr <x>', 'GPT fine-tuning learning rate', finiteNumber, 3e-4)
    .option('--gpt-train-rows <n>', 'at most this many training rows for fine-tuning (CPU time)', positiveInt, 800)
    .option('--gpt-val-rows <n>', 'at most this many validation rows for the GPT rows', positiveInt, 400)
    .option('--max-chars <n>', 'cut texts to this many characters for the GPT', positiveInt)
    .option('--label-words <map>', 'zero-shot words for labels, e.g. great=great,other=bad')
    .option('--val-fraction <f>', 'validation part of the split', fraction, 0.2)
    .option('--seed <n>', 'random seed', '0')
    .option('--json', 'print the result as one JSON object')
    .action(async (f: CompareFlags) => {
      if (f.task !== 'sentiment' && f.task !== 'tabular') throw new UserError(`--task must be sentiment or tabular, got '${f.task}'`);
      const data = f.data ?? (f.task === 'sentiment' ? join(examplesDir(), 'reviews', 'reviews.csv') : join(examplesDir(), 'ames_housing', 'train.csv'));
      if (!existsSync(data)) throw new UserError(`${data}: no such file`);
      let baseDir: string | undefined;
      if (f.gpt) {
        try {
          baseDir = resolveModelPath(f.base);
        } catch (err) {
          throw new UserError(`${(err as Error).message}; pass --base <run-dir> or --no-gpt`);
        }
      }
      const labelWords: Record<string, string> = {};
      for (const kv of (f.labelWords ?? '').split(',').filter((s) => s.includes('='))) { const [k, v] = kv.split('='); labelWords[k!.trim()] = v!.trim(); }
      const common = {
        baseDir, epochs: f.epochs, lr: f.lr, maxTrainRows: f.gptTrainRows, maxValidationRows: f.gptValRows, maxChars: f.maxChars, labelWords,
        validationFraction: f.valFraction, seed: seedFrom(f.seed), onProgress: (what: string) => process.stderr.write(`${what}...\n`),
      };
      let r: CompareResult;
      try {
        const t = readTable(data);
        r = f.task === 'sentiment'
          ? await compareSentiment(t, { ...common, textColumn: f.text, labelColumn: f.target ?? 'score' })
          : await compareTabular(t, { ...common, target: f.target ?? 'Sale_Price' });
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
      r = { ...r, data };
      saveLatest('compare', { ...r, description: r.verdict });
      if (f.json) io.write(`${JSON.stringify(r)}\n`);
      else io.write(`${r.title}: ${r.trainRows} training and ${r.validationRows} validation rows (${data})\n\n${compareTable(r)}\n${r.verdict}\n`);
    });
}
