// `moxing predict`: predictions of a saved model for the rows of a CSV file, as CSV.

import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { predictTabular } from '../../ml/tabular/predict.js';
import { readModelFile } from '../../ml/tabular/model-file.js';
import { readTable } from '../tabular-support.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Registers `moxing predict <model.json> <data.csv> [--out preds.csv] [--json]`.
 * @example registerPredict(program);
 */
export function registerPredict(program: Command, io: Io = processIo): void {
  program
    .command('predict')
    .description('predict with a saved model: one "prediction" column, in row order')
    .argument('<model.json>', 'a model saved by moxing fit')
    .argument('<data.csv>', 'rows to predict (the target column may be absent)')
    .option('--out <preds.csv>', 'write the predictions here instead of stdout')
    .option('--json', 'print {"predictions": [...]} (or {"rows", "out"} with --out)')
    .action(async (modelPath: string, dataPath: string, flags: { out?: string; json?: boolean }) => {
      try {
        const m = readModelFile(modelPath);
        const data = readTable(dataPath);
        let preds;
        try {
          preds = predictTabular(m, data);
        } catch (err) {
          throw new UserError(`${dataPath}: ${(err as Error).message}`); // which file lacks the column
        }
        const csv = `prediction\n${preds.map((p) => `${csvCell(p)}\n`).join('')}`;
        if (flags.out) {
          await writeFileAtomic(flags.out, csv);
          io.write(flags.json ? `${JSON.stringify({ rows: preds.length, out: flags.out })}\n` : `wrote ${preds.length} predictions to ${flags.out}\n`);
        } else io.write(flags.json ? `${JSON.stringify({ predictions: preds })}\n` : csv);
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
    });
}
