// `moxing eval --task classify`: accuracy and macro F1 of predicted labels, for a fine-tuned GPT
// classifier or the bag-of-words logistic regression baseline trained on a given CSV.

import { TfidfVectorizer } from '../ml/preprocessing/text.js';
import { LogisticRegression } from '../ml/logistic.js';
import { accuracyF1 } from '../llm/finetune.js';

/** What `moxing eval --task classify` prints. */
export interface ClassifyEvalResult {
  task: 'classify';
  n: number;
  accuracy: number;
  f1: number;
}

/**
 * Scores predicted labels against gold labels (macro F1 over the labels seen in either).
 * @example scoreLabels(['a', 'b'], ['a', 'a']) // { task: 'classify', n: 2, accuracy: 0.5, f1: ... }
 */
export function scoreLabels(predicted: readonly string[], gold: readonly string[]): ClassifyEvalResult {
  if (predicted.length !== gold.length) throw new Error(`scoreLabels: ${predicted.length} predictions for ${gold.length} labels`);
  const names = [...new Set([...gold, ...predicted])].sort();
  const { accuracy, f1 } = accuracyF1(predicted.map((p) => names.indexOf(p)), gold.map((g) => names.indexOf(g)));
  return { task: 'classify', n: gold.length, accuracy, f1 };
}

/**
 * The bag-of-words baseline: tf-idf of words (min document frequency 2) and logistic regression.
 * @example const predict = trainBagOfWords(trainTexts, trainLabels); predict(['great coffee'])
 */
export function trainBagOfWords(texts: readonly string[], labels: readonly string[]): (texts: readonly string[]) => string[] {
  if (texts.length !== labels.length) throw new Error(`bag of words: ${texts.length} texts, ${labels.length} labels`);
  const names = [...new Set(labels)].sort();
  if (names.length < 2) throw new Error(`bag of words: the training labels have ${names.length} distinct value(s), need 2 or more`);
  const vec = new TfidfVectorizer({ minDf: texts.length >= 20 ? 2 : 1 });
  const X = vec.fitTransform(texts);
  const model = new LogisticRegression({ maxIter: 500 }).fit(X, Float64Array.from(labels, (l) => names.indexOf(l)));
  return (batch) => Array.from(model.predict(vec.transform(batch)), (k) => names[k]);
}
