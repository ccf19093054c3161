// The saved learned state of every estimator, as JSON (serialize.ts's encoding): checked by loadModel,
// so a damaged field is refused at load, by name, rather than failing at the first prediction.

import { z } from 'zod';

type Ctx = z.core.$RefinementCtx;

// encodeNumber writes NaN and ±Infinity as {"$num": "..."}, in scalars and float arrays alike.
const NON_FINITE: ReadonlySet<unknown> = new Set(['NaN', 'Infinity', '-Infinity']);
const isNum = (v: unknown): boolean => typeof v === 'number' || (v !== null && typeof v === 'object' && NON_FINITE.has((v as { $num?: unknown }).$num));
const isInt = (lo: number, hi: number) => (v: unknown): boolean => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const num = z.custom<number | { $num: string }>(isNum, 'expected a number');

/**
 * A typed array as encodeState writes it, `{"$f64": [...]}`: one loop over the values (a zod schema
 * per element is several times slower, and a model can hold millions).
 */
function typed<K extends string>(key: K, name: string, ok: (v: unknown) => boolean, each: string) {
  const shape = { [key]: z.custom<unknown[]>(Array.isArray, `expected an array of ${name} values`) } as unknown as Record<K, z.ZodType<unknown[]>>;
  return z.object(shape, { message: `expected ${name} values {"${key}": [...]}` }).superRefine((o, ctx) => {
    const a = (o as Record<K, unknown[]>)[key];
    for (let i = 0; i < a.length; i++) if (!ok(a[i])) return ctx.addIssue({ code: 'custom', path: [key, i], message: `expected ${each}` });
  });
}
const f64 = typed('$f64', 'float64', isNum, 'a number');
const f32 = typed('$f32', 'float32', isNum, 'a number');
const i32 = typed('$i32', 'int32', isInt(-(2 ** 31), 2 ** 31 - 1), 'an int32 (a whole number in [-2^31, 2^31))');
const u8 = typed('$u8', 'uint8', isInt(0, 255), 'a uint8 (a whole number in [0, 255])');
const count = z.number().int().min(0);
const positive = z.number().int().min(1);
const strings = z.array(z.string());
const classes = z.array(num);

/** Values in a typed-array encoding or an array. */
const len = (v: unknown): number => {
  if (Array.isArray(v)) return v.length;
  const payload = Object.values(v as Record<string, unknown>)[0];
  return Array.isArray(payload) ? payload.length : 0;
};
const ints = (v: unknown): number[] => (v as { $i32: number[] }).$i32;

/** Adds an issue at `path` unless `field` holds `expected` values. */
function sized(ctx: Ctx, path: (string | number)[], field: unknown, expected: number, why: string): void {
  const n = len(field);
  if (n !== expected) ctx.addIssue({ code: 'custom', path, message: `has ${n} values, expected ${expected} (${why})` });
}

// A node's children come after it (both tree builders number nodes as they make them), so checking
// that keeps a damaged tree from looping forever at prediction; a split's feature must be a column.
function checkNodes(ctx: Ctx, path: (string | number)[], feature: number[], left: number[], right: number[], nFeatures: number): void {
  for (let i = 0; i < feature.length; i++) {
    const f = feature[i]!;
    if (f < 0) continue;
    if (f >= nFeatures) return ctx.addIssue({ code: 'custom', path: [...path, 'feature', '$i32', i], message: `splits on feature ${f}, but the model has ${nFeatures} features` });
    for (const [side, c] of [['left', left[i]!], ['right', right[i]!]] as const) {
      if (!(c > i && c < feature.length)) return ctx.addIssue({ code: 'custom', path: [...path, side, '$i32', i], message: `node ${i}'s child ${c} is not a later node of the ${feature.length}` });
    }
  }
}

const tree = z.object({ feature: i32, threshold: f64, left: i32, right: i32, value: f64, nOutputs: positive, nSamples: i32 });
const histTree = z.object({ feature: i32, threshold: f64, missingLeft: u8, catOffset: i32, bits: i32, left: i32, right: i32, value: f64 });
type Tree = z.infer<typeof tree>;
type HistTree = z.infer<typeof histTree>;

function checkTree(ctx: Ctx, path: (string | number)[], t: Tree, nFeatures: number, nOutputs?: number): void {
  const n = len(t.feature);
  if (n === 0) return ctx.addIssue({ code: 'custom', path: [...path, 'feature'], message: 'a tree needs at least its root node' });
  for (const k of ['threshold', 'left', 'right', 'nSamples'] as const) sized(ctx, [...path, k], t[k], n, 'one per node');
  sized(ctx, [...path, 'value'], t.value, n * t.nOutputs, 'nOutputs per node');
  if (nOutputs !== undefined && t.nOutputs !== nOutputs) ctx.addIssue({ code: 'custom', path: [...path, 'nOutputs'], message: `is ${t.nOutputs}, expected ${nOutputs} (one per class)` });
  checkNodes(ctx, path, ints(t.feature), ints(t.left), ints(t.right), nFeatures);
}

function checkHistTree(ctx: Ctx, path: (string | number)[], t: HistTree, nFeatures: number): void {
  const n = len(t.feature);
  if (n === 0) return ctx.addIssue({ code: 'custom', path: [...path, 'feature'], message: 'a tree needs at least its root node' });
  for (const k of ['threshold', 'missingLeft', 'catOffset', 'left', 'right', 'value'] as const) sized(ctx, [...path, k], t[k], n, 'one per node');
  // A categorical split reads 8 words of `bits` from its offset.
  const bad = ints(t.catOffset).findIndex((o) => o >= 0 && o + 8 > len(t.bits));
  if (bad >= 0) ctx.addIssue({ code: 'custom', path: [...path, 'catOffset', '$i32', bad], message: `points past the end of bits (${len(t.bits)} words)` });
  checkNodes(ctx, path, ints(t.feature), ints(t.left), ints(t.right), nFeatures);
}

const linear = z.object({ coef: f64, intercept: num, nIter: count });
const treeState = z.object({ tree, featureImportances: f64, nFeatures: count });
const forest = z.object({ trees: z.array(tree).min(1), featureImportances: f64, nFeatures: count });
const boosting = z.object({ init: f64, trees: z.array(tree), nFeatures: count });
const histBoosting = z.object({ baseline: f64, trees: z.array(histTree), nIter: count, nFeatures: count, validationLoss: z.array(num) });
const knn = z.object({ X: f64, y: f64, nFeatures: positive })
  .superRefine((s, ctx) => sized(ctx, ['X'], s.X, len(s.y) * s.nFeatures, 'nFeatures per training row'));
const dense = z.object({ weight: f32, bias: f32 });
const mlp = z.object({ sizes: z.array(positive).min(2), layers: z.array(dense), nIter: count, lossCurve: z.array(num), bestValidationScore: num.nullable() });
function checkMlp(s: z.infer<typeof mlp>, ctx: Ctx): void {
  if (s.layers.length !== s.sizes.length - 1) return ctx.addIssue({ code: 'custom', path: ['layers'], message: `has ${s.layers.length} layers, expected ${s.sizes.length - 1} (one between each pair of sizes)` });
  s.layers.forEach((l, i) => {
    sized(ctx, ['layers', i, 'weight'], l.weight, s.sizes[i]! * s.sizes[i + 1]!, `(out, in) = (${s.sizes[i + 1]}, ${s.sizes[i]})`);
    sized(ctx, ['layers', i, 'bias'], l.bias, s.sizes[i + 1]!, 'one per output');
  });
}
const scaler = z.object({ mean: f64, scale: f64 }).superRefine((s, ctx) => sized(ctx, ['scale'], s.scale, len(s.mean), 'one per column, as mean'));
const imputer = z.object({ statistics: f64 });
const oneHot = z.object({ categories: z.array(strings), infrequent: z.array(z.boolean()), rare: z.array(strings), nFeatures: count })
  .superRefine((s, ctx) => {
    for (const k of ['categories', 'infrequent', 'rare'] as const) sized(ctx, [k], s[k], s.nFeatures, 'one per input column');
  });
const vectorizer = z.object({ vocabulary: strings, idf: f64.nullable() })
  .superRefine((s, ctx) => { if (s.idf) sized(ctx, ['idf'], s.idf, s.vocabulary.length, 'one per vocabulary term'); });

/** K weight rows for `classes`: 1 for two classes (the second's), else one per class. */
const rowsFor = (nClasses: number): number => (nClasses === 2 ? 1 : nClasses);

/**
 * Each estimator kind's saved state (its `toJSON().state`); loadModel checks a file against it.
 * @example STATE_SCHEMAS.Ridge!.safeParse(new Ridge().fit(X, y).toJSON().state).success; // true
 */
export const STATE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  LinearRegression: linear, Ridge: linear, Lasso: linear, ElasticNet: linear,
  LogisticRegression: z.object({ classes, coef: f64, intercept: f64, nIter: count, converged: z.boolean() }).superRefine((s, ctx) => {
    const K = rowsFor(s.classes.length);
    sized(ctx, ['intercept'], s.intercept, K, `one per weight row for ${s.classes.length} classes`);
    if (len(s.coef) % K !== 0) ctx.addIssue({ code: 'custom', path: ['coef'], message: `has ${len(s.coef)} values, not ${K} rows of one weight per feature` });
  }),
  DecisionTreeRegressor: treeState.superRefine((s, ctx) => checkTree(ctx, ['tree'], s.tree, s.nFeatures, 1)),
  DecisionTreeClassifier: treeState.extend({ classes }).superRefine((s, ctx) => checkTree(ctx, ['tree'], s.tree, s.nFeatures, s.classes.length)),
  RandomForestRegressor: forest.superRefine((s, ctx) => s.trees.forEach((t, i) => checkTree(ctx, ['trees', i], t, s.nFeatures, 1))),
  RandomForestClassifier: forest.extend({ classes }).superRefine((s, ctx) => s.trees.forEach((t, i) => checkTree(ctx, ['trees', i], t, s.nFeatures, s.classes.length))),
  GradientBoostingRegressor: boosting.superRefine((s, ctx) => s.trees.forEach((t, i) => checkTree(ctx, ['trees', i], t, s.nFeatures, 1))),
  GradientBoostingClassifier: boosting.extend({ classes }).superRefine((s, ctx) => {
    sized(ctx, ['init'], s.init, rowsFor(s.classes.length), `one score per class for ${s.classes.length} classes (1 for two)`);
    s.trees.forEach((t, i) => checkTree(ctx, ['trees', i], t, s.nFeatures, 1));
  }),
  HistGradientBoostingRegressor: histBoosting.superRefine((s, ctx) => s.trees.forEach((t, i) => checkHistTree(ctx, ['trees', i], t, s.nFeatures))),
  HistGradientBoostingClassifier: histBoosting.extend({ classes }).superRefine((s, ctx) => {
    sized(ctx, ['baseline'], s.baseline, rowsFor(s.classes.length), `one score per class for ${s.classes.length} classes (1 for two)`);
    s.trees.forEach((t, i) => checkHistTree(ctx, ['trees', i], t, s.nFeatures));
  }),
  KMeans: z.object({ centers: f64, inertia: num, nIter: count, nFeatures: positive }).superRefine((s, ctx) => {
    if (len(s.centers) === 0 || len(s.centers) % s.nFeatures !== 0) ctx.addIssue({ code: 'custom', path: ['centers'], message: `has ${len(s.centers)} values, not rows of ${s.nFeatures} (nFeatures)` });
  }),
  KNeighborsRegressor: knn,
  KNeighborsClassifier: z.object({ classes, X: f64, y: f64, nFeatures: positive })
    .superRefine((s, ctx) => sized(ctx, ['X'], s.X, len(s.y) * s.nFeatures, 'nFeatures per training row')),
  GaussianNB: z.object({ classes, theta: f64, variance: f64, classPrior: f64, nFeatures: count }).superRefine((s, ctx) => {
    const K = s.classes.length;
    for (const k of ['theta', 'variance'] as const) sized(ctx, [k], s[k], K * s.nFeatures, '(classes, nFeatures)');
    sized(ctx, ['classPrior'], s.classPrior, K, 'one per class');
  }),
  MultinomialNB: z.object({ classes, featureLogProb: f64, classLogPrior: f64, nFeatures: count }).superRefine((s, ctx) => {
    sized(ctx, ['featureLogProb'], s.featureLogProb, s.classes.length * s.nFeatures, '(classes, nFeatures)');
    sized(ctx, ['classLogPrior'], s.classLogPrior, s.classes.length, 'one per class');
  }),
  PCA: z.object({ mean: f64, components: f64, explainedVariance: f64, explainedVarianceRatio: f64, nFeatures: count }).superRefine((s, ctx) => {
    sized(ctx, ['mean'], s.mean, s.nFeatures, 'one per feature');
    const k = len(s.explainedVariance);
    sized(ctx, ['explainedVarianceRatio'], s.explainedVarianceRatio, k, 'one per component, as explainedVariance');
    sized(ctx, ['components'], s.components, k * s.nFeatures, '(components, nFeatures)');
  }),
  StandardScaler: scaler,
  MinMaxScaler: z.object({ dataMin: f64, dataMax: f64 }).superRefine((s, ctx) => sized(ctx, ['dataMax'], s.dataMax, len(s.dataMin), 'one per column, as dataMin')),
  SimpleImputer: imputer,
  OneHotEncoder: oneHot,
  ColumnTransformer: z.object({ numeric: strings, categorical: strings, imputer: imputer.nullable(), scaler: scaler.nullable(), encoder: oneHot.nullable(), featureNames: strings })
    .superRefine((s, ctx) => {
      const p = s.numeric.length;
      if ((s.imputer === null) !== (p === 0)) ctx.addIssue({ code: 'custom', path: ['imputer'], message: `is ${s.imputer === null ? 'null' : 'set'}, but there are ${p} numeric columns` });
      if (s.imputer) sized(ctx, ['imputer', 'statistics'], s.imputer.statistics, p, 'one per numeric column');
      if (s.scaler) sized(ctx, ['scaler', 'mean'], s.scaler.mean, p, 'one per numeric column');
      if ((s.encoder === null) !== (s.categorical.length === 0)) ctx.addIssue({ code: 'custom', path: ['encoder'], message: `is ${s.encoder === null ? 'null' : 'set'}, but there are ${s.categorical.length} categorical columns` });
      if (s.encoder && s.encoder.nFeatures !== s.categorical.length) ctx.addIssue({ code: 'custom', path: ['encoder', 'nFeatures'], message: `is ${s.encoder.nFeatures}, expected ${s.categorical.length} (one per categorical column)` });
    }),
  // Each monomial is the list of its factors' columns ([] the constant, [0, 0] x0²).
  PolynomialFeatures: z.object({ nFeatures: count, powers: z.array(z.array(count)) }).superRefine((s, ctx) => {
    const bad = s.powers.findIndex((r) => r.some((j) => j >= s.nFeatures));
    if (bad >= 0) ctx.addIssue({ code: 'custom', path: ['powers', bad], message: `names a column past the model's ${s.nFeatures} features` });
  }),
  CountVectorizer: vectorizer,
  TfidfVectorizer: vectorizer,
  LabelEncoder: z.object({ classes: strings }),
  MLPRegressor: mlp.extend({ yMean: num, yScale: num }).superRefine(checkMlp),
  MLPClassifier: mlp.extend({ classes }).superRefine(checkMlp),
  CNNClassifier: z.object({ classes, weights: z.record(z.string(), f32), nIter: count, lossCurve: z.array(num), bestValidationScore: num.nullable() }),
};
