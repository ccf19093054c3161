// The file `moxing fit` saves: preprocessing and model together, read back with clear errors.

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { checkJson } from '../../io/json-check.js';
import { Classifier, Clusterer, Regressor, type AnyEstimator, type ModelJSON } from '../base.js';
import { loadModel } from '../registry.js';
import type { Json } from '../serialize.js';
import { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { TabularError } from './error.js';
import { MODEL_NAMES, type ModelName, type TabularEstimator, type Task } from './models.js';

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

const modelJson = z.object({
  kind: z.string().min(1),
  version: z.number(),
  params: z.custom<Json>((v) => v !== undefined, 'expected the parameters'),
  state: z.custom<Json>((v) => v !== undefined, 'expected the learned state'),
});

/** A saved file's fields after the format tag and version (checked first, for their own messages). */
const TabularModelFileSchema = z.object({
  format: z.literal(TABULAR_FORMAT),
  formatVersion: z.literal(TABULAR_FORMAT_VERSION),
  model: z.enum(MODEL_NAMES as [ModelName, ...ModelName[]]),
  task: z.enum(['regression', 'classification', 'clustering']),
  target: z.string().nullable(),
  features: z.array(z.object({ name: z.string(), kind: z.enum(['numeric', 'categorical']) })),
  labels: z.array(z.string()).nullable(),
  preprocessor: modelJson,
  estimator: modelJson,
}) satisfies z.ZodType<TabularModelFile>;

/**
 * Checks and restores a saved model file (parsed JSON); errors name the source and the field.
 * @example const m = loadTabular(JSON.parse(readFileSync('model.json', 'utf8')), 'model.json');
 */
export function loadTabular(json: unknown, source = 'model file'): LoadedTabular {
  const head = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  if (head.format !== TABULAR_FORMAT) throw new TabularError(`${source}: not a moxing model file (no "format": "${TABULAR_FORMAT}")`);
  if (head.formatVersion !== TABULAR_FORMAT_VERSION) {
    throw new TabularError(`${source}: model file format version ${String(head.formatVersion)} is not supported (this moxing reads version ${TABULAR_FORMAT_VERSION})`);
  }
  const file = checkJson(TabularModelFileSchema, json, source, undefined, (m) => new TabularError(m));
  if (file.task === 'classification' && file.labels === null) throw new TabularError(`${source}: labels: a classifier's file needs its class labels (it is null)`);
  let pre: AnyEstimator;
  let model: AnyEstimator;
  try {
    pre = loadModel(file.preprocessor);
    model = loadModel(file.estimator);
  } catch (err) {
    throw new TabularError(`${source}: ${(err as Error).message}`);
  }
  if (!(pre instanceof ColumnTransformer)) throw new TabularError(`${source}: preprocessor: expected a ColumnTransformer, got ${pre.kind}`);
  const expected = file.task === 'regression' ? Regressor : file.task === 'classification' ? Classifier : Clusterer;
  if (!(model instanceof expected)) throw new TabularError(`${source}: estimator: a ${model.kind} cannot do the file's task (${file.task})`);
  return { file, pre, model: model as TabularEstimator };
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
    const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory, expected a model file (moxing fit --out writes one)', EACCES: 'permission denied' };
    throw new TabularError(`${path}: ${code && why[code] ? why[code] : `cannot read (${code ?? String(err)})`}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TabularError(`${path}: not a moxing model file (not valid JSON)`);
  }
  return loadTabular(json, path);
}
