// moxing-sentiment against bag-of-words logistic regression on the held-back 20% of the fine-food
// reviews it was fine-tuned on (the same split: seed 0, as `moxing finetune --val-fraction 0.2`).
// Usage: node --experimental-wasm-relaxed-simd --import tsx scripts/shipped/compare-sentiment.ts

import { join } from 'node:path';
import { initBackends } from '../../src/backends/index.js';
import { readCsv } from '../../src/data/csv.js';
import { column } from '../../src/data/table.js';
import { Rng } from '../../src/tensor/random.js';
import { CountVectorizer, TfidfVectorizer } from '../../src/ml/preprocessing/text.js';
import { LogisticRegression } from '../../src/ml/logistic.js';
import { accuracyScore, f1Score } from '../../src/ml/metrics/classification.js';
import { loadClassifier } from '../../src/llm/classify.js';
import { resolveModelPath } from '../../src/llm/models.js';

initBackends();
const table = readCsv(join(process.cwd(), '..', 'shared', 'datasets', 'fine_food_reviews', 'train.csv'));
const texts = (column(table, 'review').values as ReadonlyArray<string | null>).map((v) => v ?? '');
const labels = (column(table, 'score').values as ReadonlyArray<string | null>).map((v) => v ?? '');
const names = [...new Set(labels)].sort();
const y = labels.map((l) => names.indexOf(l));
// The fine-tuning split: the first round(n * 0.2) of a seed-0 permutation are held back.
const order = new Rng(0).permutation(texts.length);
const nVal = Math.round(texts.length * 0.2);
const val = Array.from(order.subarray(0, nVal));
const train = Array.from(order.subarray(nVal));
const pick = <T>(a: readonly T[], idx: number[]) => idx.map((i) => a[i]);
const yTrain = Float64Array.from(pick(y, train));
const yVal = pick(y, val);

const rows: Array<[string, number, number]> = [];
for (const [name, vec] of [['bag of words (counts)', new CountVectorizer({ minDf: 2 })], ['bag of words (tf-idf)', new TfidfVectorizer({ minDf: 2 })]] as const) {
  const Xtr = vec.fitTransform(pick(texts, train));
  const Xva = vec.transform(pick(texts, val));
  const pred = Array.from(new LogisticRegression({ maxIter: 500 }).fit(Xtr, yTrain).predict(Xva));
  rows.push([`logistic regression, ${name}`, accuracyScore(yVal, pred), f1Score(yVal, pred, { average: 'macro' })]);
}
const clf = await loadClassifier(resolveModelPath('moxing-sentiment'));
const gpt = (await clf.classify(pick(texts, val))).map((r) => names.indexOf(r.label));
rows.push(['moxing-sentiment (fine-tuned GPT)', accuracyScore(yVal, gpt), f1Score(yVal, gpt, { average: 'macro' })]);
process.stdout.write(`held-back reviews: ${val.length} (train ${train.length})\n| model | accuracy | macro F1 |\n|---|---|---|\n`);
for (const [name, acc, f1] of rows) process.stdout.write(`| ${name} | ${acc.toFixed(3)} | ${f1.toFixed(3)} |\n`);
