// Curves to plot from tracked metric points or from a metrics.jsonl file, and which fields to pick.

import { readFileSync } from 'node:fs';
import type { MetricPoint } from './types.js';
import type { Series } from './plot.js';

/** Field names that are an x axis or a clock, not something to plot: step, epoch, time, elapsedMs... */
const NOT_A_CURVE = /^(step|steps|iter|iters|iteration|epoch|time|timestamp|ts|elapsed|seconds|wall|dt)$|(Time|_time|Ms|_ms|At|_at|Seconds|Secs)$/;

/**
 * Which metrics to draw when none are named: those with "loss" in the name when there are any (so
 * a learning rate or a tokens/s column does not flatten the curves), else every curve-like name.
 *
 * @example
 * defaultMetricNames(['trainLoss', 'valLoss', 'lr', 'elapsedMs']); // ['trainLoss', 'valLoss']
 * defaultMetricNames(['accuracy', 'elapsedMs']);                    // ['accuracy']
 */
export function defaultMetricNames(names: readonly string[]): string[] {
  const curves = names.filter((n) => !NOT_A_CURVE.test(n));
  const losses = curves.filter((n) => /loss/i.test(n));
  return losses.length > 0 ? losses : curves;
}

/**
 * Groups tracked points into one series per metric name, in the order of `names` (default: all).
 *
 * @example
 * seriesFromPoints(store.metrics(run.id), ['trainLoss', 'valLoss']);
 */
export function seriesFromPoints(points: readonly MetricPoint[], names?: readonly string[]): Series[] {
  const byName = new Map<string, [number, number][]>();
  for (const p of points) {
    let list = byName.get(p.name);
    if (list === undefined) byName.set(p.name, (list = []));
    list.push([p.step, p.value]);
  }
  return (names ?? [...byName.keys()]).filter((n) => byName.has(n)).map((name) => ({ name, points: byName.get(name)! }));
}

/**
 * Reads a metrics.jsonl file (one JSON object per line, e.g. {"step": 10, "trainLoss": 3.2}) into
 * rows of numeric fields; blank lines are skipped, a malformed line throws with its line number.
 *
 * @example
 * readMetricsJsonl('runs/base/metrics.jsonl'); // [{ step: 10, trainLoss: 3.2, valLoss: 3.4 }, ...]
 */
export function readMetricsJsonl(path: string): Record<string, number>[] {
  const rows: Record<string, number>[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new Error(`${path}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}:${i + 1}: expected a JSON object`);
    const row: Record<string, number> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v === 'number') row[k] = v;
    rows.push(row);
  });
  return rows;
}

/**
 * One series per named field (default: `defaultMetricNames`), x from the `step` field or else the
 * line number; rows without a field are skipped for that series (validation every N steps).
 *
 * @example
 * seriesFromRows([{ step: 1, trainLoss: 3 }, { step: 2, trainLoss: 2.5, valLoss: 2.7 }]);
 * // [{ name: 'trainLoss', points: [[1, 3], [2, 2.5]] }, { name: 'valLoss', points: [[2, 2.7]] }]
 */
export function seriesFromRows(rows: readonly Record<string, number>[], names?: readonly string[]): Series[] {
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) seen.add(k);
  const pick = names ?? defaultMetricNames([...seen]);
  return pick.filter((n) => seen.has(n)).map((name) => ({
    name,
    points: rows.flatMap((row, i): [number, number][] => (name in row ? [[row.step ?? i + 1, row[name]!]] : [])),
  }));
}
