// Pipeline: transformers chained in front of a final estimator, fitted and saved as one model.

import { BaseEstimator, type AnyEstimator, type ModelJSON } from './base.js';
import { toVector, type Matrix, type VectorLike } from './matrix.js';
import { r2Score } from './metrics/regression.js';
import { accuracyScore } from './metrics/classification.js';

/** What a pipeline needs from its steps (every estimator of moxing has these methods). */
interface Step {
  readonly kind: string;
  fit(X: unknown, y?: VectorLike): unknown;
  transform?(X: unknown): Matrix;
  predict?(X: unknown): Float64Array;
  predictProba?(X: unknown): Matrix;
  toJSON(): ModelJSON;
  parameterCount(): number;
}

/** Parameters of {@link Pipeline}: the step names. */
export interface PipelineParams {
  names: string[];
}

/** Learned state of {@link Pipeline}: each fitted step. */
export interface PipelineState {
  steps: AnyEstimator[];
}

/**
 * Runs X through every transformer, then the final estimator (which may also be a transformer).
 * @example
 * const pipe = new Pipeline([['columns', new ColumnTransformer()], ['model', new Ridge()]]).fit(table, y);
 * pipe.predict(testTable);
 */
export class Pipeline<In = unknown> extends BaseEstimator<PipelineParams, PipelineState> {
  readonly kind = 'Pipeline';
  readonly #steps: readonly AnyEstimator[];

  constructor(steps: readonly (readonly [string, AnyEstimator])[]) {
    if (steps.length === 0) throw new Error('Pipeline needs at least one step');
    super({ names: [] }, { names: steps.map(([n]) => n) });
    this.#steps = steps.map(([, e]) => e);
  }

  /** The steps, by name. */
  step(name: string): AnyEstimator {
    const i = this.params.names.indexOf(name);
    if (i < 0) throw new Error(`Pipeline has no step '${name}'`);
    return this.#steps[i]!;
  }

  /** The final estimator. */
  get finalEstimator(): AnyEstimator {
    return this.#steps[this.#steps.length - 1]!;
  }

  fit(X: In, y?: VectorLike): this {
    let Z: unknown = X;
    const steps = this.#steps as unknown as Step[];
    for (let s = 0; s < steps.length - 1; s++) {
      const st = steps[s]!;
      if (!st.transform) throw new Error(`Pipeline step '${this.params.names[s]}' (${st.kind}) is not a transformer`);
      st.fit(Z, y);
      Z = st.transform(Z);
    }
    steps[steps.length - 1]!.fit(Z, y);
    return this.setState({ steps: [...this.#steps] });
  }

  /** X after every step but the last. */
  transformUpToLast(X: In): unknown {
    let Z: unknown = X;
    const steps = this.state.steps as unknown as Step[];
    for (let s = 0; s < steps.length - 1; s++) Z = steps[s]!.transform!(Z);
    return Z;
  }

  predict(X: In): Float64Array {
    const last = this.finalStep();
    if (!last.predict) throw new Error(`Pipeline: the final step (${last.kind}) cannot predict`);
    return last.predict(this.transformUpToLast(X));
  }

  predictProba(X: In): Matrix {
    const last = this.finalStep();
    if (!last.predictProba) throw new Error(`Pipeline: the final step (${last.kind}) has no predictProba`);
    return last.predictProba(this.transformUpToLast(X));
  }

  transform(X: In): Matrix {
    const last = this.finalStep();
    if (!last.transform) throw new Error(`Pipeline: the final step (${last.kind}) cannot transform`);
    return last.transform(this.transformUpToLast(X));
  }

  /** Accuracy when the final step is a classifier, R² otherwise. */
  score(X: In, y: VectorLike): number {
    const pred = this.predict(X);
    const yv = toVector(y, pred.length);
    return this.finalStep().predictProba ? accuracyScore(yv, pred) : r2Score(yv, pred);
  }

  parameterCount(): number {
    return (this.state.steps as unknown as Step[]).reduce((s, st) => s + st.parameterCount(), 0);
  }

  override toJSON(): ModelJSON {
    const base = super.toJSON();
    return { ...base, state: { steps: (this.state.steps as unknown as Step[]).map((s) => s.toJSON() as unknown as import('./serialize.js').Json) } };
  }

  private finalStep(): Step {
    const steps = this.state.steps as unknown as Step[];
    return steps[steps.length - 1]!;
  }
}
