// `moxing plot <run-id|metrics.jsonl>... --out loss.png|loss.svg`: loss curves to a file, no dashboard needed.

import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { renderSvg, svgToPng, type Series } from '../../runs/plot.js';
import { defaultMetricNames, readMetricsJsonl, seriesFromPoints, seriesFromRows } from '../../runs/series.js';
import { databasePath, moxingHome } from '../../runs/store.js';
import { UserError } from '../errors.js';
import { findRun, withStore, type TrackingIO } from './runs.js';
import { processIo } from '../io.js';
import { namingPath } from '../../io/path-message.js';

interface PlotOpts {
  out: string;
  metric?: string[];
  logY?: boolean;
  title?: string;
  width: string;
  height: string;
  scale: string;
}

/** The curves of one source (a metrics.jsonl file or a run directory, else a tracked run id) and a title for them. */
function load(source: string, names: readonly string[] | undefined, io: TrackingIO): { label: string; title: string; series: Series[] } {
  // A run directory stands for its metrics.jsonl (and is labelled by its own name).
  let file = source;
  const runIdLike = /^[0-9a-f]+$/.test(source);
  if (existsSync(source) && statSync(source).isDirectory()) {
    file = join(source, 'metrics.jsonl');
    // A folder named like a run id (cafe/) that is not a run directory: the id is meant.
    if (!existsSync(file) && !runIdLike) throw new UserError(`${source}: a directory without metrics.jsonl (not a training run directory)`);
  }
  if (existsSync(file) && statSync(file).isFile()) {
    let rows: Record<string, number>[];
    try {
      rows = readMetricsJsonl(file);
    } catch (err) {
      throw new UserError((err as Error).message);
    }
    return { label: basename(source), title: source, series: seriesFromRows(rows, names) };
  }
  // Run ids are hex prefixes: a name with a slash or an extension was meant as a file.
  if (/[/\\]|\.\w+$/.test(source)) throw new UserError(`${source}: no such file (plot reads metrics.jsonl files, run directories and tracked run ids)`);
  if (!existsSync(databasePath(moxingHome(io.env)))) {
    throw new UserError(`"${source}" is neither a file nor a tracked run (no tracking database in ${moxingHome(io.env)})`);
  }
  return withStore(io, (store) => {
    const run = findRun(store, source);
    const pick = names ?? defaultMetricNames(store.metricNames(run.id).map((m) => m.name));
    const series = seriesFromPoints(store.metrics(run.id, { names: pick }), pick);
    return { label: run.id, title: `run ${run.id} (${run.kind}${run.name === null ? '' : `, ${run.name}`})`, series };
  });
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name} must be a positive number, got "${value}"`);
  return n;
}

/**
 * Registers `plot`: every source's curves (named metrics, else its losses) on one chart.
 *
 * @example
 * // moxing plot 3fa9c2d1 --out loss.png
 * // moxing plot runs/base/metrics.jsonl 3fa9 --metric valLoss --log-y --out compare.svg
 * registerPlot(program);
 */
export function registerPlot(program: Command, io: TrackingIO = processIo): void {
  program
    .command('plot')
    .description('draw loss curves of tracked runs or metrics.jsonl files to a PNG or SVG file')
    .argument('<sources...>', 'run ids (or unambiguous prefixes), metrics.jsonl files or run directories')
    .requiredOption('--out <file>', 'the image to write: .png or .svg')
    .option('--metric <names...>', 'metrics to draw (default: those named like "loss", else every numeric field but step and time)')
    .option('--log-y', 'log-scale y axis')
    .option('--title <text>', 'chart title (default: the run or file)')
    .option('--width <px>', 'chart width', '800')
    .option('--height <px>', 'chart height', '480')
    .option('--scale <k>', 'PNG pixels per chart pixel', '2')
    .action(async (sources: string[], opts: PlotOpts) => {
      const format = extname(opts.out).toLowerCase();
      if (format !== '.png' && format !== '.svg') throw new UserError(`--out must end in .png or .svg, got "${opts.out}"`);
      const [width, height, scale] = [positive('--width', opts.width), positive('--height', opts.height), positive('--scale', opts.scale)];
      const loaded = sources.map((s) => load(s, opts.metric, io));
      // One source: curves named by metric; several: prefixed by run id or file name to tell them apart.
      const series = loaded.flatMap((l) => l.series.map((s) => (loaded.length === 1 ? s : { ...s, name: `${l.label}: ${s.name}` })));
      if (series.every((s) => s.points.length === 0)) {
        throw new UserError(`nothing to plot in ${sources.join(', ')}${opts.metric ? ` for --metric ${opts.metric.join(' ')}` : ''}`);
      }
      const svg = renderSvg(series, {
        width, height, logY: opts.logY === true, xLabel: 'step',
        yLabel: series.every((s) => /loss/i.test(s.name)) ? 'loss' : undefined,
        title: opts.title ?? (loaded.length === 1 ? loaded[0]!.title : undefined),
      });
      const bytes = format === '.svg' ? svg : await svgToPng(svg, { scale });
      try {
        await writeFileAtomic(opts.out, bytes);
      } catch (err) {
        const message = (err as Error).message;
        throw new UserError(namingPath(opts.out, message));
      }
      const points = series.reduce((n, s) => n + s.points.length, 0);
      io.write(`wrote ${opts.out}: ${series.map((s) => s.name).join(', ')} (${points} points)\n`);
    });
}
