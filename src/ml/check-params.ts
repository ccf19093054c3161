// Hyper-parameters checked by name when an estimator is made: the same name means the same kind of
// value across the estimators here (a count, a rate, a fraction, one of a few strings), so one table
// serves them all. A value out of range used to be taken as it was: maxDepth -1 grew stumps that
// predicted a constant, C 0 predicted one class, an unknown activation predicted zeros.

type Rule = { ok: (v: unknown) => boolean; want: string };

const whole = (min: number): Rule => ({ ok: (v) => Number.isInteger(v) && (v as number) >= min, want: `a whole number >= ${min}` });
const atLeastZero: Rule = { ok: (v) => Number.isFinite(v) && (v as number) >= 0, want: 'a finite number >= 0' };
const positive: Rule = { ok: (v) => Number.isFinite(v) && (v as number) > 0, want: 'a finite number > 0' };
const finite: Rule = { ok: (v) => Number.isFinite(v), want: 'a finite number' };
const oneOf = (...values: Array<string | null>): Rule => ({ ok: (v) => values.includes(v as string | null), want: `one of ${values.map((x) => (x === null ? 'null' : `'${x}'`)).join(', ')}` });
const wholeOrNone = (min: number): Rule => ({ ok: (v) => v === null || v === Infinity || (Number.isInteger(v) && (v as number) >= min), want: `null (no limit) or a whole number >= ${min}` });

const RULES: Record<string, Rule> = {
  nEstimators: whole(1), maxIter: whole(1), nNeighbors: whole(1), k: whole(1), nInit: whole(1), batchSize: whole(1),
  kernelSize: whole(1), nIterNoChange: whole(1), maxLeafNodes: whole(2),
  minSamplesLeaf: whole(1), minSamplesSplit: whole(2), maxBins: whole(2), degree: whole(1), seed: whole(0),
  maxDepth: wholeOrNone(1),
  nJobs: { ok: (v) => v === -1 || (Number.isInteger(v) && (v as number) >= 1), want: 'a whole number >= 1, or -1 (every core)' },
  alpha: atLeastZero, l2: atLeastZero, l2Regularization: atLeastZero, tol: atLeastZero, varSmoothing: atLeastZero,
  C: positive, learningRate: positive, learningRateInit: positive,
  fillValue: finite,
  subsample: { ok: (v) => Number.isFinite(v) && (v as number) > 0 && (v as number) <= 1, want: 'a fraction in (0, 1]' },
  validationFraction: { ok: (v) => Number.isFinite(v) && (v as number) > 0 && (v as number) < 1, want: 'a fraction in (0, 1)' },
  l1Ratio: { ok: (v) => Number.isFinite(v) && (v as number) >= 0 && (v as number) <= 1, want: 'a fraction in [0, 1]' },
  criterion: oneOf('gini', 'entropy', 'squared_error'),
  activation: oneOf('relu', 'tanh', 'logistic', 'gelu'),
  weights: oneOf('uniform', 'distance'),
  init: oneOf('k-means++', 'random'),
  strategy: oneOf('mean', 'median', 'most_frequent', 'constant'),
  numericStrategy: oneOf('mean', 'median'),
  analyzer: oneOf('word', 'char', 'char_wb'),
  handleUnknown: oneOf('ignore', 'error'),
  norm: oneOf('l2', 'l1', null),
};

/**
 * Throws, naming the estimator, the parameter and what it takes, for the first value out of range.
 * @example checkParams('KMeans', { k: 2.5 }); // throws "KMeans: k must be a whole number >= 1, got 2.5"
 */
export function checkParams(owner: string, params: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(params)) {
    const rule = RULES[name];
    if (rule && !rule.ok(value)) throw new RangeError(`${owner}: ${name} must be ${rule.want}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
}
