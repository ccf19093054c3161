// Shared plumbing of the ml CLI commands: reading tables and model files with one-line errors, --set values.

import { readFileSync } from 'node:fs';
import { readCsv } from '../data/csv.js';
import type { Table } from '../data/table.js';
import { loadTabular, parseParam, type LoadedTabular, type ParamValues } from './tabular.js';

/**
 * Reads a CSV file as a typed table (errors carry the file name and line).
 * @example const t = readTable('train.csv');
 */
export function readTable(path: string): Table {
  return readCsv(path);
}

/**
 * Reads and checks a model file written by `moxing fit`.
 * @example const m = readModelFile('model.json');
 */
export function readModelFile(path: string): LoadedTabular {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not a moxing model file (not valid JSON)`);
  }
  return loadTabular(json, path);
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
