// Shared plumbing of the tabular CLI commands (fit, evaluate, predict, cv, curve, compare): tables, --set, --seed, metrics lines.

import { readCsv } from '../data/csv.js';
import type { Table } from '../data/table.js';
import { parseGridAxis, parseParam, type ParamValue, type ParamValues } from '../ml/tabular/params.js';

/**
 * Reads a CSV file as a typed table (errors carry the file name and line).
 * @example const t = readTable('train.csv');
 */
export function readTable(path: string): Table {
  return readCsv(path);
}

/**
 * `--set` values as parameters.
 * @example paramsFrom(['max_depth=5', 'k=3']); // { maxDepth: 5, k: 3 }
 */
export function paramsFrom(sets: readonly string[] | undefined): ParamValues {
  const out: ParamValues = {};
  for (const kv of sets ?? []) { const [k, v] = parseParam(kv); out[k] = v; }
  return out;
}

/**
 * `--grid key=v1,v2` axes as a grid (a repeated key is an error).
 * @example gridFrom(['max_depth=2,4', 'min_samples_leaf=1,5']); // { maxDepth: [2, 4], minSamplesLeaf: [1, 5] }
 */
export function gridFrom(axes: readonly string[]): Record<string, ParamValue[]> {
  const out: Record<string, ParamValue[]> = {};
  for (const spec of axes) {
    const [k, values] = parseGridAxis(spec);
    if (Object.hasOwn(out, k)) throw new Error(`--grid ${k} is given twice`);
    out[k] = values;
  }
  return out;
}

/**
 * A seed from `--seed` (an integer).
 * @example seedFrom('42'); // 42
 */
export function seedFrom(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--seed must be a non-negative integer, got '${s}'`);
  return n;
}

/**
 * Formats metrics as `name=value` pairs for humans.
 * @example formatMetrics({ r2: 0.91234 }); // 'r2=0.9123'
 */
export function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m).map(([k, v]) => `${k}=${Math.abs(v) >= 1000 ? v.toFixed(1) : v.toFixed(4)}`).join(' ');
}
