// Hyperparameter values as text gives them (`--set max_depth=5`, `--grid k=3,5`): typed, camelCased.

import { TabularError } from './error.js';

/** One hyperparameter value parsed from text. */
export type ParamValue = number | string | boolean | null;

/** Hyperparameter values from the command line (`--set key=value`), already parsed. */
export type ParamValues = Record<string, ParamValue>;

/**
 * Parses `key=value` (numbers, true/false, null, else text); snake_case keys become camelCase.
 * @example parseParam('max_depth=5'); // ['maxDepth', 5]
 */
export function parseParam(kv: string): [string, ParamValue] {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new TabularError(`--set expects key=value, got '${kv}'`);
  const key = kv.slice(0, eq).trim().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const raw = kv.slice(eq + 1).trim();
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  if (raw === 'null' || raw === 'none' || raw === 'None') return [key, null];
  if (raw !== '' && Number.isFinite(Number(raw))) return [key, Number(raw)];
  return [key, raw];
}

/**
 * Parses a grid axis `key=v1,v2,...` (each value as in {@link parseParam}).
 * @example parseGridAxis('max_depth=2,4,8'); // ['maxDepth', [2, 4, 8]]
 */
export function parseGridAxis(spec: string): [string, ParamValue[]] {
  const eq = spec.indexOf('=');
  if (eq <= 0 || spec.slice(eq + 1).trim() === '') throw new TabularError(`--grid expects key=v1,v2,..., got '${spec}'`);
  const values = spec.slice(eq + 1).split(',').map((v) => v.trim()).filter((v) => v !== '');
  const parsed = values.map((v) => parseParam(`${spec.slice(0, eq)}=${v}`));
  return [parsed[0]![0], parsed.map(([, v]) => v)];
}
