// `moxing runs` and `moxing runs show <id>`: the tracked runs in $MOXING_HOME/moxing.db.

import type { Command } from 'commander';
import { RunStore, moxingHome, type Run } from '../../runs/store.js';
import { formatBytes, formatDuration, formatTime, formatValue, metricSummary, table } from '../../runs/format.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

/** Where tracking commands print (the CLI's output) and which environment (MOXING_HOME) they read (the process's by default); tests pass their own. */
export interface TrackingIO extends Io {
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the store of the IO's MOXING_HOME, runs `fn`, closes it; store errors become user errors.
 *
 * @example
 * withStore(io, (store) => store.listRuns());
 */
export function withStore<T>(io: TrackingIO, fn: (store: RunStore) => T): T {
  let store: RunStore;
  try {
    store = RunStore.open(moxingHome(io.env));
  } catch (err) {
    throw new UserError(`cannot open the tracking database in ${moxingHome(io.env)}: ${(err as Error).message}`);
  }
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/**
 * A run by id or unambiguous prefix, or a UserError.
 *
 * @example
 * const run = findRun(store, '3fa9');
 */
export function findRun(store: RunStore, id: string): Run {
  let run: Run | undefined;
  try {
    run = store.getRun(id);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  if (run === undefined) throw new UserError(`no run "${id}" in ${store.file} (moxing runs lists them)`);
  return run;
}

/** How long a run took, or has taken so far (until its last heartbeat if it was interrupted). */
function duration(run: Run): string {
  const end = run.endedAt ?? (run.status === 'running' ? new Date().toISOString() : run.heartbeatAt ?? run.startedAt);
  return formatDuration(Date.parse(end) - Date.parse(run.startedAt));
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new UserError(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

function showRun(store: RunStore, run: Run, io: TrackingIO, json: boolean): void {
  const metrics = store.metricNames(run.id);
  const artifacts = store.artifacts(run.id);
  const models = store.listModels({ runId: run.id });
  const children = store.listRuns({ parentRunId: run.id });
  if (json) {
    io.write(`${JSON.stringify({ run, metrics, artifacts, models, children: children.map((c) => c.id) }, null, 2)}\n`);
    return;
  }
  const rows: [string, string][] = [
    ['status', run.status],
    ['started', formatTime(run.startedAt, true)],
    ['ended', run.endedAt === null ? '-' : formatTime(run.endedAt, true)],
    ['duration', duration(run)],
  ];
  if (run.heartbeatAt !== null && run.endedAt === null) rows.push(['last seen', formatTime(run.heartbeatAt, true)]);
  if (run.pid !== null) rows.push(['process', `pid ${run.pid} on ${run.host ?? '?'}`]);
  if (run.runDir !== null) rows.push(['run dir', run.runDir]);
  if (run.initFrom !== null) rows.push(['init from', run.initFrom]);
  if (run.parentRunId !== null) rows.push(['parent', run.parentRunId]);
  if (children.length > 0) rows.push(['children', children.map((c) => `${c.id} (${c.kind})`).join(', ')]);
  if (run.lastStep !== null) rows.push(['last step', String(run.lastStep)]);
  let out = `run ${run.id}  ${run.kind}${run.name === null ? '' : `  ${run.name}`}\n`;
  out += rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}\n`).join('');
  if (metrics.length > 0) {
    out += '\nmetrics\n';
    out += table(['  NAME', 'LAST', 'POINTS', 'STEPS'], metrics.map((m) => [
      `  ${m.name}`, formatValue(run.summary[m.name] ?? NaN), String(m.count), `${m.firstStep}-${m.lastStep}`,
    ]));
  }
  out += `\nconfig\n${JSON.stringify(run.config, null, 2).replace(/^/gm, '  ')}\n`;
  if (artifacts.length > 0) {
    out += '\nartifacts\n';
    out += table(['  PATH', 'KIND', 'SIZE', 'SHA256'], artifacts.map((a) => [`  ${a.path}`, a.kind ?? '-', formatBytes(a.size), a.sha256.slice(0, 16)]));
  }
  if (models.length > 0) {
    out += '\nregistered models\n';
    out += models.map((m) => `  ${m.name} v${m.version}  ${m.path}\n`).join('');
  }
  io.write(out);
}

/**
 * Registers `runs` (= `runs list`, newest first) and `runs show <id>`.
 *
 * @example
 * // moxing runs --kind pretrain --limit 5
 * // ID        KIND      NAME  STATUS    STEP  METRICS                      STARTED           DURATION
 * // 3fa9c2d1  pretrain  tiny  finished  2000  trainLoss=1.93 valLoss=2.21  2026-11-29 08:44  12m 5s
 * registerRuns(program);
 */
export function registerRuns(program: Command, io: TrackingIO = processIo): void {
  const runs = program
    .command('runs')
    .description('tracked runs (fit, pretrain, train, finetune) in $MOXING_HOME/moxing.db: list, show');

  // `list` is the default, so `moxing runs --json` lists; the list's options live on it rather than on
  // `runs`, or commander would hand `runs show <id> --json` to the list.
  runs
    .command('list', { isDefault: true })
    .description('list runs, newest first')
    .option('--kind <kind>', 'only runs of this kind')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { kind?: string; limit: string; json?: boolean }) => {
      const limit = positiveInt('--limit', opts.limit);
      withStore(io, (store) => {
        const list = store.listRuns({ kind: opts.kind, limit });
        if (opts.json) {
          io.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        if (list.length === 0) {
          io.write(`no runs${opts.kind === undefined ? '' : ` of kind ${opts.kind}`} in ${store.file}\n`);
          return;
        }
        io.write(table(
          ['ID', 'KIND', 'NAME', 'STATUS', 'STEP', 'METRICS', 'STARTED', 'DURATION'],
          list.map((r) => [
            r.id, r.kind, r.name ?? '-', r.status, r.lastStep === null ? '-' : String(r.lastStep),
            metricSummary(r.summary) || '-', formatTime(r.startedAt), duration(r),
          ]),
        ));
      });
    });

  runs
    .command('show')
    .description('one run: status, lineage, metrics, config, artifacts, registered models')
    .argument('<id>', 'run id or an unambiguous prefix of one')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) => {
      withStore(io, (store) => showRun(store, findRun(store, id), io, opts.json === true));
    });
}
