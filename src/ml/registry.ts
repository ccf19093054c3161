// The estimators by name: restoring saved models (loadModel) and the model names of the CLI.

import { MODEL_VERSION, type AnyEstimator, type ModelJSON } from './base.js';
import { decodeState, type Json } from './serialize.js';
import { STATE_SCHEMAS } from './state-schemas.js';
import { checkJson } from '../io/json-check.js';
import { ElasticNet, Lasso, LinearRegression, Ridge } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { DecisionTreeClassifier, DecisionTreeRegressor } from './tree.js';
import { RandomForestClassifier, RandomForestRegressor } from './forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gbm.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from './hist-gbm.js';
import { KMeans } from './kmeans.js';
import { KNeighborsClassifier, KNeighborsRegressor } from './knn.js';
import { GaussianNB, MultinomialNB } from './naive-bayes.js';
import { PCA } from './pca.js';
import { MLPClassifier, MLPRegressor } from './mlp.js';
import { CNNClassifier } from './cnn.js';
import { Pipeline } from './pipeline.js';
import { MinMaxScaler, StandardScaler } from './preprocessing/scalers.js';
import { SimpleImputer } from './preprocessing/imputer.js';
import { OneHotEncoder } from './preprocessing/one-hot.js';
import { ColumnTransformer } from './preprocessing/column-transformer.js';
import { PolynomialFeatures } from './preprocessing/polynomial.js';
import { CountVectorizer, TfidfVectorizer } from './preprocessing/text.js';
import { LabelEncoder } from './preprocessing/label-encoder.js';

type Ctor = new (params?: Record<string, unknown>) => AnyEstimator;

const extra = new Map<string, Ctor>();

/** Every estimator class by its `kind`. */
export const ESTIMATORS: Readonly<Record<string, Ctor>> = {
  LinearRegression, Ridge, Lasso, ElasticNet, LogisticRegression,
  DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier, RandomForestRegressor,
  GradientBoostingClassifier, GradientBoostingRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor, KMeans, KNeighborsClassifier, KNeighborsRegressor,
  GaussianNB, MultinomialNB, PCA, StandardScaler, MinMaxScaler, SimpleImputer, OneHotEncoder, ColumnTransformer,
  PolynomialFeatures, CountVectorizer, TfidfVectorizer, LabelEncoder, MLPClassifier, MLPRegressor, CNNClassifier,
} as unknown as Record<string, Ctor>;

/**
 * Adds an estimator class defined elsewhere (e.g. the neural models) so loadModel can restore it.
 * @example registerEstimator('MLPClassifier', MLPClassifier);
 */
export function registerEstimator(kind: string, ctor: new (params?: never) => AnyEstimator): void {
  extra.set(kind, ctor as unknown as Ctor);
}

/** A saved model that cannot be restored (wrong shape, unknown kind, other version). */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/**
 * Restores an estimator from `toJSON()` output (or its JSON text parsed).
 * @example const same = loadModel(JSON.parse(JSON.stringify(model)));
 */
export function loadModel(json: unknown): AnyEstimator {
  if (json === null || typeof json !== 'object') throw new ModelFormatError('not a model: expected an object {kind, version, params, state}');
  const { kind, version, params, state } = json as Partial<ModelJSON>;
  if (typeof kind !== 'string') throw new ModelFormatError('not a model: no "kind"');
  if (version !== MODEL_VERSION) throw new ModelFormatError(`${kind} was saved in model format version ${String(version)}; this moxing reads version ${MODEL_VERSION}`);
  if (kind === 'Pipeline') {
    const names = (decodeState((params ?? null) as Json) as { names?: unknown } | null)?.names;
    const saved = (state as { steps?: unknown } | null | undefined)?.steps;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new ModelFormatError('Pipeline: "params.names" must be the steps\' names (an array of strings)');
    if (!Array.isArray(saved) || saved.length !== names.length) throw new ModelFormatError(`Pipeline: "state.steps" must be the ${names.length} saved steps, one per name in "params.names"`);
    const steps = saved.map((s, i) => {
      try {
        return [names[i] as string, loadModel(s)] as const;
      } catch (err) {
        throw new ModelFormatError(`Pipeline: state.steps.${i} ('${names[i]}'): ${(err as Error).message}`);
      }
    });
    const pipe = new Pipeline(steps);
    return pipe.setState({ steps: steps.map(([, e]) => e) });
  }
  const ctor = ESTIMATORS[kind] ?? extra.get(kind);
  if (!ctor) throw new ModelFormatError(`unknown model kind '${kind}'`);
  // A fitted model's state is an object; null or a number would fail only at the first prediction.
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new ModelFormatError(`${kind}: "state" must be an object (the fitted model), got ${state === null ? 'null' : Array.isArray(state) ? 'an array' : typeof state}`);
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new ModelFormatError(`${kind}: "params" must be an object`);
  // Each field's type and size, checked here: a damaged one would fail only at the first prediction,
  // with an error about the input rather than the file (or give wrong predictions, or never end).
  const schema = STATE_SCHEMAS[kind];
  if (schema) checkJson(schema, state, kind, 'state', (m) => new ModelFormatError(m));
  const est = new ctor(decodeState(params as Json) as Record<string, unknown>);
  return est.setState(decodeState(state as Json) as object);
}
