// `moxing evaluate`: metrics of a saved model on a labelled CSV file.

import type { Command } from 'commander';
import { evaluateTabular } from '../../ml/tabular/predict.js';
import { readModelFile } from '../../ml/tabular/model-file.js';
import { formatMetrics, readTable } from '../tabular-support.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

/**
 * Registers `moxing evaluate <model.json> <test.csv> [--target <col>] [--json]`.
 * @example registerEvaluate(program);
 */
export function registerEvaluate(program: Command, io: Io = processIo): void {
  program
    .command('evaluate')
    .description('score a saved model on labelled data: r2/rmse/mae, accuracy/f1, or inertia/silhouette')
    .argument('<model.json>', 'a model saved by moxing fit')
    .argument('<test.csv>', 'data with the target column')
    .option('--target <col>', 'the target column (default: the one used in fit)')
    .option('--json', 'print {"metrics": {...}}')
    .action((modelPath: string, dataPath: string, flags: { target?: string; json?: boolean }) => {
      try {
        const m = readModelFile(modelPath);
        const data = readTable(dataPath);
        let metrics;
        try {
          metrics = evaluateTabular(m, data, flags.target);
        } catch (err) {
          throw new UserError(`${dataPath}: ${(err as Error).message}`); // which file lacks the column
        }
        io.write(flags.json ? `${JSON.stringify({ metrics })}\n` : `${formatMetrics(metrics)}\n`);
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
    });
}
