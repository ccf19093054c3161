// `moxing cv`: k-fold cross-validation of a model (with its preprocessing) on a CSV file.

import type { Command } from 'commander';
import { crossValidateTabular, MODEL_NAMES, type ModelName } from '../../ml/tabular.js';
import { formatMetrics, paramsFrom, readTable, seedFrom } from '../tabular-support.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

/**
 * Registers `moxing cv <data.csv> --target <col> --model <name> --folds 5 [--set k=v ...] [--seed N] [--json]`.
 * @example registerCv(program);
 */
export function registerCv(program: Command, io: Io = processIo): void {
  program
    .command('cv')
    .description('k-fold cross-validation (stratified for classifiers); prints per-fold and mean metrics')
    .argument('<data.csv>', 'data with a header row')
    .option('--target <col>', 'the column to predict (not needed for kmeans)')
    .requiredOption('--model <name>', `one of ${MODEL_NAMES.join(', ')}`)
    .option('--folds <k>', 'number of folds', '5')
    .option('--set <key=value...>', 'model hyperparameters')
    .option('--seed <n>', 'random seed', '0')
    .option('--json', 'print {"metrics": mean, "std": ..., "folds": [...]}')
    .action((path: string, flags: { target?: string; model: string; folds: string; set?: string[]; seed?: string; json?: boolean }) => {
      try {
        if (!(MODEL_NAMES as readonly string[]).includes(flags.model)) throw new Error(`unknown model '${flags.model}'; models are: ${MODEL_NAMES.join(', ')}`);
        const folds = Number(flags.folds);
        if (!Number.isInteger(folds) || folds < 2) throw new Error(`--folds must be an integer >= 2, got '${flags.folds}'`);
        const r = crossValidateTabular(readTable(path), {
          target: flags.target ?? null, model: flags.model as ModelName, folds, params: paramsFrom(flags.set), seed: seedFrom(flags.seed),
        });
        if (flags.json) io.write(`${JSON.stringify({ task: r.task, metrics: r.mean, std: r.std, folds: r.folds })}\n`);
        else {
          r.folds.forEach((f, i) => io.write(`fold ${i + 1}: ${formatMetrics(f)}\n`));
          io.write(`mean: ${formatMetrics(r.mean)}\nstd:  ${formatMetrics(r.std)}\n`);
        }
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
    });
}
