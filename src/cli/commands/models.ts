// `moxing models`: the model registry (every registered version, or the latest of each name).

import type { Command } from 'commander';
import { formatTime, metricSummary, table } from '../../runs/format.js';
import { withStore, type TrackingIO } from './runs.js';
import { processIo } from '../io.js';

/**
 * Registers `models`.
 *
 * @example
 * // moxing models --latest
 * // NAME         VERSION  KIND  METRICS       RUN       CREATED           PATH
 * // moxing-base  2        gpt   valLoss=2.21  3fa9c2d1  2026-11-29 09:02  /home/me/runs/base
 * registerModels(program);
 */
export function registerModels(program: Command, io: TrackingIO = processIo): void {
  program
    .command('models')
    .description('list registered models (name, version, kind, metrics, the run that made them)')
    .option('--name <name>', 'only versions of this model')
    .option('--latest', 'only the newest version of each model')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { name?: string; latest?: boolean; json?: boolean }) => {
      withStore(io, (store) => {
        const models = store.listModels({ name: opts.name, latest: opts.latest === true });
        if (opts.json) {
          io.write(`${JSON.stringify(models, null, 2)}\n`);
        } else if (models.length === 0) {
          io.write(`no registered models${opts.name === undefined ? '' : ` named ${opts.name}`} in ${store.file}\n`);
        } else {
          io.write(table(
            ['NAME', 'VERSION', 'KIND', 'METRICS', 'RUN', 'CREATED', 'PATH'],
            models.map((m) => [m.name, String(m.version), m.kind, metricSummary(m.metrics) || '-', m.runId ?? '-', formatTime(m.createdAt), m.path]),
          ));
        }
      });
    });
}
