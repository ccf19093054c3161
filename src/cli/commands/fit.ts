// `moxing fit`: fit a model on a CSV file (preprocessing from the column types), report validation metrics, save.

import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { fitTabular } from '../../ml/tabular/fit.js';
import { MODEL_NAMES, modelName } from '../../ml/tabular/models.js';
import { formatMetrics, paramsFrom, readTable, seedFrom } from '../tabular-support.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';
import { startTracking } from '../../runs/tracker.js';
import { basename, resolve } from 'node:path';

interface FitFlags { target?: string; model: string; set?: string[]; seed?: string; out: string; json?: boolean }
/**
 * Registers `moxing fit <train.csv> --target <col> --model <name> [--set k=v ...] [--seed N] --out model.json [--json]`.
 * @example registerFit(program);
 */
export function registerFit(program: Command, io: Io = processIo): void {
  program
    .command('fit')
    .description('fit a model on a CSV file; prints parameter count and validation metrics, then refits on all rows and saves')
    .argument('<train.csv>', 'training data with a header row')
    .option('--target <col>', 'the column to predict (not needed for kmeans)')
    .requiredOption('--model <name>', `one of ${MODEL_NAMES.join(', ')}`)
    .option('--set <key=value...>', 'model hyperparameters, e.g. --set maxDepth=6 nEstimators=200')
    .option('--seed <n>', 'random seed (splits and models)', '0')
    .requiredOption('--out <model.json>', 'where to save the model')
    .option('--json', 'print one JSON object')
    .action(async (path: string, flags: FitFlags) => {
      try {
        const t0 = performance.now();
        const table = readTable(path);
        const r = fitTabular(table, { target: flags.target ?? null, model: modelName(flags.model), params: paramsFrom(flags.set), seed: seedFrom(flags.seed) });
        await writeFileAtomic(flags.out, JSON.stringify(r.file));
        const seconds = (performance.now() - t0) / 1000;
        // Recorded like every training run: validation metrics, the model file, and the registry entry.
        const tracker = startTracking('fit', { data: path, target: flags.target ?? null, model: flags.model, set: flags.set ?? [], seed: flags.seed }, { runDir: flags.out });
        const numeric = Object.fromEntries(Object.entries(r.metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>;
        tracker.log(1, { ...numeric, parameters: r.parameters });
        tracker.artifact(flags.out, 'model');
        tracker.registerModel({ name: basename(flags.out).replace(/\.json$/, ''), kind: 'classical', path: resolve(flags.out), metrics: numeric });
        tracker.finish('finished');
        if (flags.json) {
          io.write(`${JSON.stringify({
            model: flags.model, kind: r.kind, task: r.task, target: r.file.target, rows: r.rows, validationRows: r.validationRows,
            features: r.features, encodedFeatures: r.encodedFeatures, parameters: r.parameters, metrics: r.metrics, seconds, out: flags.out,
          })}\n`);
        } else {
          io.write(`${r.kind} (${r.task}${r.file.target ? `, target ${r.file.target}` : ''}) on ${r.rows} rows, ${r.features} columns -> ${r.encodedFeatures} features\n`);
          io.write(`parameters: ${r.parameters}\n`);
          if (r.validationRows > 0) io.write(`validation (${r.validationRows} rows held back): ${formatMetrics(r.metrics)}\n`);
          io.write(`refit on all ${r.rows} rows in ${seconds.toFixed(1)} s -> ${flags.out}\n`);
        }
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
    });
}
