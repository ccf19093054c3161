// The models of `moxing fit --model <name>`: one table entry per name, with the tasks it does.

import { Clusterer, type Classifier, type ClassifierState, type Regressor } from '../base.js';
import type { Matrix } from '../matrix.js';
import { LinearRegression, Ridge, Lasso } from '../linear.js';
import { LogisticRegression } from '../logistic.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from '../tree.js';
import { RandomForestClassifier, RandomForestRegressor } from '../forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../gbm.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from '../hist-gbm.js';
import { KNeighborsClassifier, KNeighborsRegressor } from '../knn.js';
import { GaussianNB } from '../naive-bayes.js';
import { KMeans } from '../kmeans.js';
import { MLPClassifier, MLPRegressor } from '../mlp.js';
import { TabularError } from './error.js';
import type { ParamValues } from './params.js';

/** What a model does with its target. */
export type Task = 'regression' | 'classification' | 'clustering';

/** A model of the tabular workflow: a regressor, a classifier or a clusterer. */
export type TabularEstimator = Regressor<object, object> | Classifier<object, ClassifierState> | Clusterer<object, object>;

/**
 * Fits a model on X (and y, unless it is a clusterer, which learns from X alone).
 * @example fitEstimator(makeModel('kmeans', 'clustering', { k: 3 }, 0), X, null);
 */
export function fitEstimator(model: TabularEstimator, X: Matrix, y: Float64Array | null): void {
  if (model instanceof Clusterer) model.fit(X);
  else if (y === null) throw new Error(`${model.kind} needs a target to fit`);
  else model.fit(X, y);
}

type Params = Record<string, unknown>;

/** One CLI model: the tasks it does and how to build it (`seed` is merged into `params` for seeded models). */
export interface ModelEntry {
  /** `regression` and/or `classification`, or `clustering` alone. */
  tasks: readonly Task[];
  /** Whether the model takes a `seed` (the fit's `--seed` then reaches it). */
  seeded: boolean;
  make(task: Task, params: Params): TabularEstimator;
}

/** `--set hidden_layer_sizes=64,32` (or 64x32) arrives as text, or a number for one layer: make it a list. */
function mlpParams(p: Params): Params {
  const h = p.hiddenLayerSizes;
  if (typeof h === 'number') return { ...p, hiddenLayerSizes: [h] };
  if (typeof h === 'string') return { ...p, hiddenLayerSizes: h.split(/[,x ]+/).filter(Boolean).map(Number) };
  return p;
}

const both = ['regression', 'classification'] as const;

/**
 * Every CLI model by name. Adding a model is one entry here: inference of the task, the error
 * messages and `--model` help all read this table.
 */
export const MODELS = {
  linear: { tasks: ['regression'], seeded: false, make: (_, p) => new LinearRegression(p) },
  ridge: { tasks: ['regression'], seeded: false, make: (_, p) => new Ridge(p) },
  lasso: { tasks: ['regression'], seeded: false, make: (_, p) => new Lasso(p) },
  logistic: { tasks: ['classification'], seeded: false, make: (_, p) => new LogisticRegression({ maxIter: 1000, ...p }) },
  tree: { tasks: both, seeded: true, make: (t, p) => (t === 'regression' ? new DecisionTreeRegressor(p) : new DecisionTreeClassifier(p)) },
  forest: { tasks: both, seeded: true, make: (t, p) => (t === 'regression' ? new RandomForestRegressor(p) : new RandomForestClassifier(p)) },
  gbm: { tasks: both, seeded: true, make: (t, p) => (t === 'regression' ? new GradientBoostingRegressor(p) : new GradientBoostingClassifier(p)) },
  hgb: { tasks: both, seeded: true, make: (t, p) => (t === 'regression' ? new HistGradientBoostingRegressor(p) : new HistGradientBoostingClassifier(p)) },
  knn: { tasks: both, seeded: false, make: (t, p) => (t === 'regression' ? new KNeighborsRegressor(p) : new KNeighborsClassifier(p)) },
  'naive-bayes': { tasks: ['classification'], seeded: false, make: (_, p) => new GaussianNB(p) },
  kmeans: { tasks: ['clustering'], seeded: true, make: (_, p) => new KMeans({ k: 8, ...p }) },
  mlp: { tasks: both, seeded: true, make: (t, p) => (t === 'regression' ? new MLPRegressor(mlpParams(p)) : new MLPClassifier(mlpParams(p))) },
} satisfies Record<string, ModelEntry>;

/** One of {@link MODEL_NAMES}. */
export type ModelName = keyof typeof MODELS;

/** The model names of `moxing fit --model`. */
export const MODEL_NAMES = Object.keys(MODELS) as readonly ModelName[];

/**
 * The tasks a model does.
 * @example tasksOf('tree'); // ['regression', 'classification']
 */
export function tasksOf(name: ModelName): readonly Task[] {
  return MODELS[name].tasks;
}

/**
 * Checks a model name from the command line.
 * @example modelName('forest'); // 'forest'
 */
export function modelName(name: string): ModelName {
  if (!Object.hasOwn(MODELS, name)) throw new TabularError(`unknown model '${name}'; models are: ${MODEL_NAMES.join(', ')}`);
  return name as ModelName;
}

/**
 * The estimator behind a CLI model name (`task` in params is the task override, not a model parameter).
 * @example makeModel('forest', 'regression', { nEstimators: 200 }, 0);
 */
export function makeModel(name: ModelName, task: Task, params: ParamValues, seed: number): TabularEstimator {
  const entry: ModelEntry = MODELS[modelName(name)];
  const p: Params = { ...params };
  delete p.task;
  try {
    return entry.make(task, entry.seeded ? { seed, ...p } : p);
  } catch (err) {
    throw new TabularError(`model '${name}': ${(err as Error).message}`);
  }
}
