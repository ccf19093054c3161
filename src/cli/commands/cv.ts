// `moxing cv`: k-fold cross-validation of a model (with its preprocessing) on a CSV file, or a grid search with --grid.

import type { Command } from 'commander';
import { crossValidateTabular, gridSearchTabular } from '../../ml/tabular/cross-validate.js';
import { MODEL_NAMES, modelName } from '../../ml/tabular/models.js';
import type { ParamValues } from '../../ml/tabular/params.js';
import { formatMetrics, gridFrom, paramsFrom, readTable, seedFrom } from '../tabular-support.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface CvFlags { target?: string; model: string; folds: string; set?: string[]; grid?: string[]; seed?: string; json?: boolean }

const showParams = (p: ParamValues): string => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ');

/**
 * Registers `moxing cv <data.csv> --target <col> --model <name> --folds 5 [--set k=v ...] [--grid k=v1,v2 ...] [--seed N] [--json]`.
 * @example registerCv(program);
 */
export function registerCv(program: Command, io: Io = processIo): void {
  program
    .command('cv')
    .description('k-fold cross-validation (stratified for classifiers); prints per-fold and mean metrics, or with --grid every combination\'s scores and the best')
    .argument('<data.csv>', 'data with a header row')
    .option('--target <col>', 'the column to predict (not needed for kmeans)')
    .requiredOption('--model <name>', `one of ${MODEL_NAMES.join(', ')}`)
    .option('--folds <k>', 'number of folds', '5')
    .option('--set <key=value...>', 'model hyperparameters')
    .option('--grid <key=v1,v2...>', 'grid search: values to try for a hyperparameter (repeat the flag for more; every combination is cross-validated on the same folds and ranked by r2, accuracy or silhouette; write MLP layers as 64x32)')
    .option('--seed <n>', 'random seed', '0')
    .option('--json', 'print {"task","metrics": mean,"std","folds": [...]}, or with --grid {"task","rankBy","bestParams","bestScore","results": [{"params","metrics","std"}]}')
    .action((path: string, flags: CvFlags) => {
      try {
        const model = modelName(flags.model);
        const folds = Number(flags.folds);
        if (!Number.isInteger(folds) || folds < 2) throw new Error(`--folds must be an integer >= 2, got '${flags.folds}'`);
        const opts = { target: flags.target ?? null, model, folds, params: paramsFrom(flags.set), seed: seedFrom(flags.seed) };
        if (flags.grid && flags.grid.length > 0) {
          const g = gridSearchTabular(readTable(path), { ...opts, grid: gridFrom(flags.grid) });
          if (flags.json) {
            const results = g.results.map((r) => ({ params: r.params, metrics: r.mean, std: r.std }));
            io.write(`${JSON.stringify({ task: g.task, rankBy: g.rankBy, bestParams: g.bestParams, bestScore: g.bestScore, results })}\n`);
          } else {
            for (const r of g.results) {
              io.write(`${showParams(r.params)}: ${formatMetrics(r.mean)} (${g.rankBy} std ${formatMetrics({ x: r.std[g.rankBy]! }).slice(2)})\n`);
            }
            io.write(`best: ${showParams(g.bestParams)} (mean ${g.rankBy} ${formatMetrics({ x: g.bestScore }).slice(2)} over ${folds} folds)\n`);
          }
          return;
        }
        const r = crossValidateTabular(readTable(path), opts);
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
