// The latest result of each analysis (curve, scale, compare), kept in $MOXING_HOME/analysis/ for `moxing report`.

import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { moxingHome } from '../runs/store.js';

/** The analyses whose last result is kept. */
export type AnalysisKind = 'curve-validation' | 'curve-learning' | 'scale' | 'compare';

/**
 * Where a kind's latest result lives.
 * @example latestPath('scale'); // ~/.moxing/analysis/scale.json
 */
export function latestPath(kind: AnalysisKind, env: NodeJS.ProcessEnv = process.env): string {
  return join(moxingHome(env), 'analysis', `${kind}.json`);
}

/**
 * Saves a result as the latest of its kind (atomically; failures only warn: an analysis never fails for this).
 * @example saveLatest('compare', result);
 */
export function saveLatest(kind: AnalysisKind, result: object, env: NodeJS.ProcessEnv = process.env): string | null {
  const path = latestPath(kind, env);
  try {
    mkdirSync(join(moxingHome(env), 'analysis'), { recursive: true });
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ savedAt: new Date().toISOString(), result }, null, 1)}\n`);
    renameSync(`${path}.tmp`, path);
    return path;
  } catch (err) {
    process.stderr.write(`moxing: could not keep the result for 'moxing report' (${(err as Error).message})\n`);
    return null;
  }
}

/**
 * The latest result of a kind, or null; `file` reads an explicit JSON file (a saved `--json` output) instead.
 * @example const scale = loadLatest<ScaleResult>('scale');
 */
export function loadLatest<T>(kind: AnalysisKind, file?: string, env: NodeJS.ProcessEnv = process.env): { result: T; savedAt: string | null; path: string } | null {
  const path = file ?? latestPath(kind, env);
  if (!existsSync(path)) {
    if (file) throw new Error(`${file}: no such file`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const wrapped = json as { savedAt?: string; result?: T };
  if (wrapped && typeof wrapped === 'object' && 'result' in wrapped && wrapped.result !== undefined) return { result: wrapped.result, savedAt: wrapped.savedAt ?? null, path };
  return { result: json as T, savedAt: null, path };
}
