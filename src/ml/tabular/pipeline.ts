// A model on a table: preprocessing built from the column types and the named model, fitted together.

import { dropColumns, type Table } from '../../data/table.js';
import type { Matrix } from '../matrix.js';
import { ColumnTransformer } from '../preprocessing/column-transformer.js';
import { TABULAR_FORMAT, TABULAR_FORMAT_VERSION, type TabularModelFile } from './model-file.js';
import { tabularMetrics, rankingMetric, type Metrics } from './metrics.js';
import { fitEstimator, makeModel, type ModelName, type TabularEstimator, type Task } from './models.js';
import type { ParamValues } from './params.js';
import { heldOutTarget, targetValues } from './target.js';

/** What a pipeline fits: the model by name, its task and target, hyperparameters and seed. */
export interface TabularSpec {
  model: ModelName;
  task: Task;
  /** The target column (null for clustering). */
  target: string | null;
  params: ParamValues;
  seed: number;
}

interface Fitted {
  pre: ColumnTransformer;
  model: TabularEstimator;
  /** Class labels in the model's order (classification). */
  classes: string[] | null;
  features: Table['columns'];
  encodedFeatures: number;
}

/**
 * Preprocessing and model as one estimator on tables: `fit` learns both from the training rows only
 * (so cross-validation refits the preprocessing in each fold, as scikit-learn's Pipeline does), and
 * `metrics` scores held-out rows. The target is read from the table itself; the `y` that
 * cross-validation passes only decides the folds.
 * @example new TabularPipeline({ model: 'ridge', task: 'regression', target: 'price', params: {}, seed: 0 }).fit(train).metrics(test).r2;
 */
export class TabularPipeline {
  #fitted: Fitted | null = null;

  constructor(readonly spec: TabularSpec) {}

  /** The feature columns of t (all but the target). */
  #features(t: Table): Table {
    return this.spec.target === null ? t : dropColumns(t, [this.spec.target]);
  }

  fit(t: Table, _y?: Float64Array): this {
    const { model: name, task, target, params, seed } = this.spec;
    const feats = this.#features(t);
    const pre = new ColumnTransformer().fit(feats);
    const X = pre.transform(feats);
    const model = makeModel(name, task, params, seed);
    const { y, labels } = target !== null && task !== 'clustering' ? targetValues(t, target, task) : { y: null, labels: null };
    fitEstimator(model, X, y);
    this.#fitted = { pre, model, classes: labels ? labels.state.classes : null, features: feats.columns, encodedFeatures: X.cols };
    return this;
  }

  get fitted(): Fitted {
    if (!this.#fitted) throw new Error('this TabularPipeline is not fitted yet: call fit() first');
    return this.#fitted;
  }

  /** The encoded feature matrix of rows (a table with the training columns). */
  transform(t: Table): Matrix {
    return this.fitted.pre.transform(this.#features(t));
  }

  /** The task's metrics on labelled rows; labels the model never saw count as errors. */
  metrics(t: Table): Metrics {
    const { task, target, seed } = this.spec;
    const y = task === 'clustering' || target === null ? null : heldOutTarget(t, target, task, this.fitted.classes);
    return tabularMetrics(task, this.fitted.model, this.transform(t), y, seed);
  }

  /** The ranking metric (R², accuracy or silhouette): higher is better. */
  score(t: Table, _y?: Float64Array): number {
    return this.metrics(t)[rankingMetric(this.spec.task)]!;
  }

  /** The file `moxing fit` saves. */
  toFile(): TabularModelFile {
    const f = this.fitted;
    return {
      format: TABULAR_FORMAT,
      formatVersion: TABULAR_FORMAT_VERSION,
      model: this.spec.model,
      task: this.spec.task,
      target: this.spec.task === 'clustering' ? null : this.spec.target,
      features: f.features.map((c) => ({ name: c.name, kind: c.kind })),
      labels: f.classes,
      preprocessor: f.pre.toJSON(),
      estimator: f.model.toJSON(),
    };
  }
}
