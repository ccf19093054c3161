// Classical models against a foundation model on one task and one split: bag-of-words naive Bayes
// and logistic regression, a small MLP, a pretrained GPT zero-shot and fine-tuned (Radford et al. 2019;
// Devlin et al. 2019), with parameters, training compute, accuracy/F1 and the train/validation gap.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { column, dropColumns, missingCount, takeTableRows, type Table } from '../data/table.js';
import { trainTestSplit } from '../data/split.js';
import { CountVectorizer, TfidfVectorizer } from '../ml/preprocessing/text.js';
import { ColumnTransformer } from '../ml/preprocessing/column-transformer.js';
import { MultinomialNB } from '../ml/naive-bayes.js';
import { LogisticRegression } from '../ml/logistic.js';
import { MLPClassifier } from '../ml/mlp.js';
import { inferTask } from '../ml/tabular/task.js';
import { fitEstimator, makeModel, type ModelName } from '../ml/tabular/models.js';
import { accuracyScore, f1Score } from '../ml/metrics/classification.js';
import { r2Score, rootMeanSquaredError } from '../ml/metrics/regression.js';
import type { Matrix } from '../ml/matrix.js';
import { loadRun } from '../llm/run-dir.js';
import { sizeReport, countGptParameters } from '../llm/size.js';
import { zeroShotClassify, loadClassifier } from '../llm/classify.js';
import { finetuneClassifier, DEFAULT_FINETUNE } from '../llm/finetune.js';

/** One model's line of the comparison. */
export interface CompareRow {
  model: string;
  family: 'classical' | 'foundation';
  parameters: number;
  /** FLOPs spent on this task (fitting, fine-tuning; 0 for zero-shot): estimates, see the README. */
  trainFlops: number;
  /** FLOPs of the pretraining the model starts from (foundation models), else 0. */
  pretrainFlops: number;
  /** Accuracy (classification) or R² (regression) on the training rows. */
  trainScore: number;
  /** Accuracy or R² on the validation rows. */
  validationScore: number;
  /** Macro F1 (classification) or RMSE (regression) on the validation rows. */
  validationF1: number;
  /** trainScore - validationScore. */
  gap: number;
  seconds: number;
  validationRows: number;
  note?: string;
}

/** What `moxing compare --json` prints. */
export interface CompareResult {
  title: string;
  task: 'sentiment' | 'tabular';
  data: string;
  target: string;
  /** 'accuracy' and 'f1', or 'r2' and 'rmse'. */
  metrics: [string, string];
  rows: number;
  trainRows: number;
  validationRows: number;
  labels: string[] | null;
  /** Validation accuracy of always answering the most common training label (classification), else null. */
  majority: number | null;
  models: CompareRow[];
  verdict: string;
  seconds: number;
}

/** The foundation-model part of a comparison. */
export interface FoundationOptions {
  /** The pretrained run directory (e.g. resolveModelPath('moxing-base')); none: the GPT rows are skipped. */
  baseDir?: string;
  /** Fine-tuning settings. */
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** At most this many training rows for fine-tuning and this many validation rows for the GPTs (CPU time). */
  maxTrainRows?: number;
  maxValidationRows?: number;
  /** Texts are cut to this many characters before the GPT sees them. */
  maxChars?: number;
  /** Words the zero-shot prompt uses for each label (e.g. other -> bad). */
  labelWords?: Record<string, string>;
  skipFinetune?: boolean;
  skipZeroShot?: boolean;
}

/** Options of {@link compareSentiment}. */
export interface SentimentOptions extends FoundationOptions {
  textColumn?: string;
  labelColumn?: string;
  validationFraction?: number;
  seed?: number;
  /** Vocabulary size of the bag-of-words models. */
  maxFeatures?: number;
  onProgress?: (what: string) => void;
}

function classMetrics(y: Float64Array, pred: Float64Array): { accuracy: number; f1: number } {
  return { accuracy: accuracyScore(y, pred), f1: f1Score(y, pred, { average: 'macro' }) };
}

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, (performance.now() - t0) / 1000];
}

const clean = (s: string): string => s.replace(/<br\s*\/?>/gi, ' ').replace(/\s+/g, ' ').trim();

function textsAndLabels(t: Table, textCol: string, labelCol: string): { texts: string[]; labels: string[] } {
  const tc = column(t, textCol);
  const lc = column(t, labelCol);
  if (missingCount(lc) > 0) throw new Error(`label column '${labelCol}' has ${missingCount(lc)} missing values`);
  const texts = Array.from(tc.values as ArrayLike<string | number | null>, (v) => clean(v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v)));
  const labels = Array.from(lc.values as ArrayLike<string | number>, String);
  return { texts, labels };
}

function split(n: number, labels: readonly string[], fraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  try {
    return trainTestSplit(n, { testSize: fraction, seed, stratify: labels });
  } catch {
    return trainTestSplit(n, { testSize: fraction, seed });
  }
}

/**
 * Bag-of-words naive Bayes, tf-idf logistic regression and MLP, then the GPT zero-shot and fine-tuned,
 * all on one stratified split of a text classification table.
 * @example
 * const r = await compareSentiment(readCsv('examples/reviews/reviews.csv'), { baseDir: resolveModelPath('moxing-base') });
 * r.models.map((m) => [m.model, m.validationScore]);
 */
export async function compareSentiment(t: Table, o: SentimentOptions = {}): Promise<CompareResult> {
  const t0 = performance.now();
  const textCol = o.textColumn ?? 'review';
  const labelCol = o.labelColumn ?? 'score';
  const { texts, labels } = textsAndLabels(t, textCol, labelCol);
  const names = [...new Set(labels)].sort();
  if (names.length < 2) throw new Error(`label column '${labelCol}' has ${names.length} distinct value(s); classification needs at least 2`);
  const code = new Map(names.map((l, i) => [l, i]));
  const y = Float64Array.from(labels, (l) => code.get(l)!);
  const seed = o.seed ?? 0;
  const { train, test } = split(texts.length, labels, o.validationFraction ?? 0.2, seed);
  const trT = Array.from(train, (i) => texts[i]!);
  const vaT = Array.from(test, (i) => texts[i]!);
  const yTr = Float64Array.from(train, (i) => y[i]!);
  const yVa = Float64Array.from(test, (i) => y[i]!);
  const maxFeatures = o.maxFeatures ?? 3000;
  const rows: CompareRow[] = [];
  const K = names.length;

  const classical = (model: string, vec: CountVectorizer | TfidfVectorizer, make: () => { fit(X: Matrix, y: Float64Array): unknown; predict(X: Matrix): Float64Array; parameterCount(): number }, flops: (X: Matrix, m: unknown) => number): void => {
    o.onProgress?.(model);
    const [res, seconds] = timed(() => {
      const Xtr = vec.fitTransform(trT);
      const Xva = vec.transform(vaT);
      const m = make();
      m.fit(Xtr, yTr);
      return { tr: classMetrics(yTr, m.predict(Xtr)), va: classMetrics(yVa, m.predict(Xva)), parameters: m.parameterCount(), flops: flops(Xtr, m) };
    });
    rows.push({
      model, family: 'classical', parameters: res.parameters, trainFlops: res.flops, pretrainFlops: 0, trainScore: res.tr.accuracy, validationScore: res.va.accuracy,
      validationF1: res.va.f1, gap: res.tr.accuracy - res.va.accuracy, seconds, validationRows: vaT.length,
    });
  };
  // Naive Bayes: one counting pass over the (n, V) matrix, then K x V log-probabilities.
  classical('naive Bayes (bag of words)', new CountVectorizer({ minDf: 2, maxFeatures }), () => new MultinomialNB(), (X) => X.rows * X.cols + 2 * K * X.cols);
  // Logistic regression (L-BFGS): each iteration a forward and a gradient pass, ~4 n V K' FLOPs.
  classical('logistic regression (tf-idf)', new TfidfVectorizer({ minDf: 2, maxFeatures }), () => new LogisticRegression({ maxIter: 500, C: 10 }),
    (X, m) => 4 * X.rows * X.cols * (K === 2 ? 1 : K) * (m as LogisticRegression).state.nIter);
  // A small MLP: 6 FLOPs per weight per example per epoch (forward + backward).
  classical('MLP 64 hidden (tf-idf)', new TfidfVectorizer({ minDf: 2, maxFeatures }), () => new MLPClassifier({ hiddenLayerSizes: [64], maxIter: 30, seed, earlyStopping: true }),
    (X, m) => 6 * X.rows * (m as MLPClassifier).parameterCount() * (m as MLPClassifier).state.nIter);

  await foundationRows(rows, { trT, vaT, yTr, yVa, names, labelCol, textCol }, o);
  return {
    title: `Classical models vs a foundation model: ${labelCol} from ${textCol}`, task: 'sentiment', data: '', target: labelCol, metrics: ['accuracy', 'f1'],
    rows: texts.length, trainRows: trT.length, validationRows: vaT.length, labels: names, majority: majorityAccuracy(yTr, yVa), models: rows,
    verdict: verdictOf(rows, 'accuracy', majorityAccuracy(yTr, yVa)), seconds: (performance.now() - t0) / 1000,
  };
}

interface SplitTexts { trT: string[]; vaT: string[]; yTr: Float64Array; yVa: Float64Array; names: string[]; labelCol: string; textCol: string }

/** The GPT rows: zero-shot (no task training) and fine-tuned (body and head) on the same split. */
async function foundationRows(rows: CompareRow[], s: SplitTexts, o: FoundationOptions & { seed?: number; onProgress?: (what: string) => void }): Promise<void> {
  if (!o.baseDir) return;
  if (!existsSync(o.baseDir)) throw new Error(`${o.baseDir}: no such model directory`);
  const maxChars = o.maxChars ?? 400;
  const cut = (x: string): string => x.slice(0, maxChars);
  const nVa = Math.min(s.vaT.length, o.maxValidationRows ?? 400);
  const nTr = Math.min(s.trT.length, o.maxTrainRows ?? 800);
  // The first rows of a shuffled split are themselves a random sample.
  const vaT = s.vaT.slice(0, nVa).map(cut);
  const yVa = Array.from(s.yVa.subarray(0, nVa));
  const base = await loadRun(o.baseDir);
  const cfg = base.model.config;
  const size = sizeReport(cfg);
  const st = base.state;
  const tr = base.config.train as { maxSteps?: number; batchSize?: number; gradAccum?: number } | undefined;
  const thisRun = st && st.tokensSeen > 0 ? st.tokensSeen : tr?.maxSteps && tr.batchSize ? tr.maxSteps * tr.batchSize * (tr.gradAccum ?? 1) * cfg.blockSize : 0;
  // A continued run's weights also carry what its ancestors read (config.json's tokensBefore).
  const pretrainTokens = thisRun + (base.config.tokensBefore ?? 0);
  const pretrainFlops = pretrainTokens * size.trainingFlopsPerToken;
  const pNote = pretrainTokens > 0 ? '' : ' (pretraining compute unknown: the run records no tokens)';
  const K = s.names.length;
  if (!o.skipZeroShot) {
    o.onProgress?.('GPT zero-shot');
    const words = s.names.map((l) => o.labelWords?.[l] ?? l);
    const t0 = performance.now();
    const pred: number[] = [];
    for (const x of vaT) pred.push(words.indexOf((await zeroShotClassify(base.model, base.tokenizer, x, words)).label));
    const seconds = (performance.now() - t0) / 1000;
    const m = classMetrics(Float64Array.from(yVa), Float64Array.from(pred));
    rows.push({
      model: `GPT zero-shot (${o.baseDir.split('/').pop()})`, family: 'foundation', parameters: size.parameters, trainFlops: 0, pretrainFlops,
      trainScore: NaN, validationScore: m.accuracy, validationF1: m.f1, gap: NaN, seconds, validationRows: nVa,
      note: `labels as the words ${words.join(' / ')}; no task training, so no train score${pNote}`,
    });
  }
  if (!o.skipFinetune) {
    o.onProgress?.('GPT fine-tuned');
    const dir = mkdtempSync(join(tmpdir(), 'moxing-compare-'));
    try {
      const trT = s.trT.slice(0, nTr).map(cut);
      const trL = Array.from(s.yTr.subarray(0, nTr), (c) => s.names[c]!);
      const epochs = o.epochs ?? 2;
      const t0 = performance.now();
      // A token of validation is kept by finetuneClassifier (valFraction): the smallest it allows.
      const res = await finetuneClassifier(o.baseDir, trT, trL, dir, {
        ...DEFAULT_FINETUNE, epochs, batchSize: o.batchSize ?? 16, lr: o.lr ?? 3e-4, valFraction: Math.max(1 / trT.length, 0.02), seed: o.seed ?? 0,
      });
      const clf = await loadClassifier(dir);
      const pred = (await clf.classify(vaT)).map((r) => s.names.indexOf(r.label));
      const seconds = (performance.now() - t0) / 1000;
      const m = classMetrics(Float64Array.from(yVa), Float64Array.from(pred));
      let tokens = 0;
      for (const x of trT) tokens += Math.min(cfg.blockSize, Math.max(1, base.tokenizer.encode(x, { allowSpecial: false }).length));
      const parameters = countGptParameters(cfg) + cfg.nEmbd * K + K;
      rows.push({
        model: 'GPT fine-tuned (body + head)', family: 'foundation', parameters, trainFlops: epochs * tokens * size.trainingFlopsPerToken, pretrainFlops,
        trainScore: res.metrics.trainAccuracy, validationScore: m.accuracy, validationF1: m.f1, gap: res.metrics.trainAccuracy - m.accuracy, seconds, validationRows: nVa,
        note: `${trT.length} training texts, ${epochs} epochs, texts cut to ${maxChars} characters${pNote}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Validation accuracy of always predicting the most common training class. */
function majorityAccuracy(yTr: Float64Array, yVa: Float64Array): number {
  const counts = new Map<number, number>();
  for (const v of yTr) counts.set(v, (counts.get(v) ?? 0) + 1);
  let top = 0;
  let best = -1;
  for (const [k, c] of counts) if (c > best) { best = c; top = k; }
  return yVa.filter((v) => v === top).length / Math.max(1, yVa.length);
}

function verdictOf(rows: readonly CompareRow[], metric: string, majority: number | null = null): string {
  if (rows.length === 0) return 'no models ran';
  const best = rows.reduce((a, b) => (b.validationScore > a.validationScore ? b : a));
  const cheapest = rows.filter((r) => r.family === 'classical').reduce<CompareRow | null>((a, b) => (a === null || b.parameters < a.parameters ? b : a), null);
  const parts = [`best validation ${metric}: ${best.model} (${best.validationScore.toFixed(3)}, ${best.parameters.toLocaleString('en-US')} parameters)`];
  if (cheapest && cheapest !== best) parts.push(`${cheapest.model} reaches ${cheapest.validationScore.toFixed(3)} with ${cheapest.parameters.toLocaleString('en-US')} parameters`);
  const gpt = rows.filter((r) => r.family === 'foundation');
  const zs = gpt.find((r) => r.trainFlops === 0);
  if (majority !== null) parts.push(`always answering the most common label gives ${majority.toFixed(3)}`);
  if (zs) {
    parts.push(majority !== null && zs.validationScore <= majority + 0.01
      ? `zero-shot, the GPT gets ${zs.validationScore.toFixed(3)}, no better than that baseline: this base model is too small or too briefly pretrained to read the task from a prompt`
      : `zero-shot, the GPT gets ${zs.validationScore.toFixed(3)} without seeing one labelled example: what pretraining alone brings`);
  }
  const ft = gpt.find((r) => r.trainFlops > 0);
  if (ft && cheapest) parts.push(`fine-tuned it gets ${ft.validationScore.toFixed(3)} after ${(ft.pretrainFlops + ft.trainFlops).toExponential(1)} FLOPs in all, against ${cheapest.trainFlops.toExponential(1)} for ${cheapest.model}`);
  const overfit = rows.filter((r) => Number.isFinite(r.gap) && r.gap > 0.1).map((r) => r.model);
  if (overfit.length) parts.push(`train/validation gap above 0.1 (memorizing): ${overfit.join(', ')}`);
  if (gpt.length === 0) parts.push('no foundation model was given (--base), so only the classical models ran');
  return `${parts.join('; ')}.`;
}

/** Options of {@link compareTabular}. */
export interface TabularCompareOptions extends FoundationOptions {
  target: string;
  validationFraction?: number;
  seed?: number;
  onProgress?: (what: string) => void;
}

/**
 * The classical lineup (linear/logistic, tree, forest, gbm, MLP) on one split of a CSV table, and
 * for classification the GPT fine-tuned and zero-shot on the rows written as text ("col: value; ...").
 * @example await compareTabular(readCsv('examples/ames_housing/train.csv'), { target: 'Sale_Price' });
 */
export async function compareTabular(t: Table, o: TabularCompareOptions): Promise<CompareResult> {
  const t0 = performance.now();
  const task = inferTask('tree', t, o.target, {}) as 'regression' | 'classification';
  const tc = column(t, o.target);
  if (missingCount(tc) > 0) throw new Error(`target column '${o.target}' has ${missingCount(tc)} missing values`);
  const labelsText = Array.from(tc.values as ArrayLike<string | number>, String);
  const names = task === 'classification' ? [...new Set(labelsText)].sort() : null;
  const y = task === 'classification' ? Float64Array.from(labelsText, (l) => names!.indexOf(l)) : Float64Array.from(tc.values as Float64Array);
  const seed = o.seed ?? 0;
  const { train, test } = split(t.nRows, task === 'classification' ? labelsText : [], o.validationFraction ?? 0.2, seed);
  const feats = dropColumns(t, [o.target]);
  const pre = new ColumnTransformer().fit(takeTableRows(feats, train));
  const Xtr = pre.transform(takeTableRows(feats, train));
  const Xva = pre.transform(takeTableRows(feats, test));
  const yTr = Float64Array.from(train, (i) => y[i]!);
  const yVa = Float64Array.from(test, (i) => y[i]!);
  const lineup: Array<[string, ModelName, Record<string, number | string>]> = [
    [task === 'classification' ? 'logistic regression' : 'ridge regression', task === 'classification' ? 'logistic' : 'ridge', {}],
    ['decision tree (maxDepth 8)', 'tree', { maxDepth: 8 }],
    ['random forest (100 trees)', 'forest', { nEstimators: 100 }],
    ['gradient boosting', 'gbm', {}],
    ['MLP 64 hidden', 'mlp', { hiddenLayerSizes: 64, maxIter: 100 }],
  ];
  const rows: CompareRow[] = [];
  const score = (p: Float64Array, yy: Float64Array): [number, number] => (task === 'classification'
    ? [accuracyScore(yy, p), f1Score(yy, p, { average: 'macro' })] : [r2Score(yy, p), rootMeanSquaredError(yy, p)]);
  for (const [label, name, params] of lineup) {
    o.onProgress?.(label);
    const [res, seconds] = timed(() => {
      const m = makeModel(name, task, params, seed);
      fitEstimator(m, Xtr, yTr);
      return { tr: score(m.predict(Xtr), yTr), va: score(m.predict(Xva), yVa), parameters: m.parameterCount() };
    });
    rows.push({
      model: label, family: 'classical', parameters: res.parameters, trainFlops: NaN, pretrainFlops: 0, trainScore: res.tr[0], validationScore: res.va[0],
      validationF1: res.va[1], gap: res.tr[0] - res.va[0], seconds, validationRows: test.length, note: 'training FLOPs are not estimated for tree and tabular models',
    });
  }
  if (task === 'classification' && o.baseDir) {
    // Rows as text: the GPT reads "Age: 30; Home: rent; ..." (the foundation-model way to take tabular data).
    const cols = feats.columns;
    const asText = (i: number): string => cols.map((c) => `${c.name}: ${c.kind === 'numeric' ? (Number.isNaN(c.values[i]!) ? '?' : String(c.values[i])) : (c.values[i] ?? '?')}`).join('; ');
    await foundationRows(rows, {
      trT: Array.from(train, asText), vaT: Array.from(test, asText), yTr, yVa, names: names!, labelCol: o.target, textCol: 'row as text',
    }, { ...o, maxChars: o.maxChars ?? 600 });
  }
  const metric = task === 'classification' ? 'accuracy' : 'r2';
  const majority = task === 'classification' ? majorityAccuracy(yTr, yVa) : null;
  let verdict = verdictOf(rows, metric, majority);
  if (task === 'regression') verdict += ' The GPT rows need a classification target: the GPT heads here classify.';
  return {
    title: `Classical models${task === 'classification' && o.baseDir ? ' vs a foundation model' : ''}: ${o.target} (${task})`, task: 'tabular', data: '', target: o.target,
    metrics: task === 'classification' ? ['accuracy', 'f1'] : ['r2', 'rmse'], rows: t.nRows, trainRows: train.length, validationRows: test.length,
    labels: names, majority, models: rows, verdict, seconds: (performance.now() - t0) / 1000,
  };
}
