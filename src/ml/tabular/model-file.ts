// The file `moxing fit` saves: preprocessing and model together, read back with clear errors.

import { readFileSync } from 'node:fs';
import type { ModelJSON } from '../base.js';
import { loadModel } from '../registry.js';
import type { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { TabularError } from './error.js';
import type { ModelName, TabularEstimator, Task } from './models.js';

/** Format tag and version of a saved tabular model file. */
export const TABULAR_FORMAT = 'moxing-tabular-model';
export const TABULAR_FORMAT_VERSION = 1;

/** The saved file: preprocessing and model together. */
export interface TabularModelFile {
  format: typeof TABULAR_FORMAT;
  formatVersion: number;
  model: ModelName;
  task: Task;
  target: string | null;
  /** Feature columns with the type they had in training. */
  features: { name: string; kind: 'numeric' | 'categorical' }[];
  /** Class labels (classification), in the model's class order. */
  labels: string[] | null;
  preprocessor: ModelJSON;
  estimator: ModelJSON;
}

/** A loaded model file, ready to predict. */
export interface LoadedTabular {
  file: TabularModelFile;
  pre: ColumnTransformer;
  model: TabularEstimator;
}

/**
 * Checks and restores a saved model file (parsed JSON).
 * @example const m = loadTabular(JSON.parse(readFileSync('model.json', 'utf8')));
 */
export function loadTabular(json: unknown, source = 'model file'): LoadedTabular {
  const f = json as Partial<TabularModelFile> | null;
  if (f === null || typeof f !== 'object' || f.format !== TABULAR_FORMAT) throw new TabularError(`${source}: not a moxing model file (no "format": "${TABULAR_FORMAT}")`);
  if (f.formatVersion !== TABULAR_FORMAT_VERSION) {
    throw new TabularError(`${source}: model file format version ${String(f.formatVersion)} is not supported (this moxing reads version ${TABULAR_FORMAT_VERSION})`);
  }
  try {
    const pre = loadModel(f.preprocessor) as ColumnTransformer;
    const model = loadModel(f.estimator) as TabularEstimator;
    return { file: f as TabularModelFile, pre, model };
  } catch (err) {
    throw new TabularError(`${source}: ${(err as Error).message}`);
  }
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
    throw new TabularError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TabularError(`${path}: not a moxing model file (not valid JSON)`);
  }
  return loadTabular(json, path);
}
