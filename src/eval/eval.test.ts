// Evaluation: perplexity windows equal a direct loss, n-gram baselines by hand, choice items parse,
// classification scores, QA over retrieval alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from '../llm/gpt.js';
import type { GPTConfig } from '../llm/config.js';
import { DocIndex } from '../text/doc-index.js';
import { sumNll } from './model-reads.js';
import { perplexityOfGpt, perplexityOfNgram, scoredSequence } from './perplexity.js';
import { NgramModel } from './ngram.js';
import { evalChoice, parseChoiceItem, pickChoice } from './choice.js';
import { scoreLabels, trainBagOfWords } from './classify.js';
import { evalQa } from './qa.js';

const text = 'the cat sat on the mat. the dog sat on the log. 猫坐在垫子上。';
const tokenizer = Tokenizer.train([text, 'Question: Answer: yes no'], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
const model = new GPT(config, { seed: 3 });

test('perplexity over sliding windows scores each token once, as one window would', async () => {
  const seq = scoredSequence(tokenizer, text);
  assert.ok(seq.length > 2 * config.blockSize, 'the text spans several windows');
  const r = await perplexityOfGpt(model, tokenizer, text, { stride: config.blockSize, batchSize: 3 });
  assert.equal(r.tokens, seq.length - 1);
  // Stride = blockSize: windows are disjoint, so the total is the sum over independent chunks.
  let total = 0;
  for (let b = 0; b < seq.length - 1; b += config.blockSize) {
    const e = Math.min(b + config.blockSize, seq.length - 1);
    total += (await sumNll(model, { ids: [seq.slice(b, e)], targets: [seq.slice(b + 1, e + 1)] })).nll;
  }
  assert.ok(Math.abs(r.nll * r.tokens - total) < 1e-3 * total);
  assert.ok(Math.abs(r.bitsPerByte - total / Math.LN2 / Buffer.byteLength(text)) < 1e-3 * r.bitsPerByte);
  // An untrained model is near uniform: about ln(vocab) nats a token.
  assert.ok(Math.abs(r.nll - Math.log(config.vocabSize)) < 0.5, `nll ${r.nll}`);
  // Overlapping windows (more context per token) still score every token once.
  const half = await perplexityOfGpt(model, tokenizer, text);
  assert.equal(half.tokens, r.tokens);
});

test('sumNll: the mean loss times the scored count', async () => {
  const none = await sumNll(model, { ids: [[1, 2]], targets: [[-1, -1]] });
  assert.deepEqual(none, { nll: 0, count: 0 });
  const a = await sumNll(model, { ids: [[5, 6, 7]], targets: [[-1, 7, 8]] });
  const b = await sumNll(model, { ids: [[5, 6, 7], [9, 10]], targets: [[-1, 7, 8], [10, 11]] });
  const c = await sumNll(model, { ids: [[9, 10]], targets: [[10, 11]] });
  assert.equal(a.count, 2);
  assert.ok(Math.abs(b.nll - (a.nll + c.nll)) < 1e-4);
});

test('n-gram baselines by hand', () => {
  // ids 0 1 0 1 0 2 over a vocabulary of 4: unigram counts 3, 2, 1, 0 of 6
  const ids = [0, 1, 0, 1, 0, 2];
  const uni = NgramModel.train(ids, 1, 4);
  assert.equal(uni.prob(9, 0), (3 + 1) / (6 + 4));
  assert.equal(uni.prob(0, 3), 1 / 10);
  const bi = NgramModel.train(ids, 2, 4, 0.5);
  // after 0: followers 1 (x2), 2 (x1), n = 3, two distinct: p(1|0) = (2 - .5)/3 + (.5 * 2 / 3) * p_uni(1)
  assert.ok(Math.abs(bi.prob(0, 1) - (1.5 / 3 + (1 / 3) * (3 / 10))) < 1e-12);
  assert.ok(Math.abs(bi.prob(0, 3) - (1 / 3) * (1 / 10)) < 1e-12);
  assert.equal(bi.prob(2, 0), uni.prob(2, 0)); // 2 never precedes anything: back off
  let sum = 0;
  for (let t = 0; t < 4; t++) sum += bi.prob(0, t);
  assert.ok(Math.abs(sum - 1) < 1e-12, 'a distribution');
  const seq = scoredSequence(tokenizer, text);
  const lm = NgramModel.train(seq, 2, tokenizer.vocabSize);
  const r = perplexityOfNgram(lm, tokenizer, text);
  assert.equal(r.tokens, seq.length - 1);
  assert.ok(r.bitsPerByte > 0 && r.bitsPerByte < perplexityOfNgram(NgramModel.train(seq, 1, tokenizer.vocabSize), tokenizer, text).bitsPerByte);
  assert.throws(() => NgramModel.train([5], 1, 4), /outside the vocabulary of 4/);
});

test('choice items: text, letter or number answers; the pick is the lowest loss per byte', async () => {
  assert.deepEqual(parseChoiceItem('2 + 2?', '3|4|5', 'B', 1), { question: '2 + 2?', choices: ['3', '4', '5'], answer: 1 });
  assert.equal(parseChoiceItem('q', 'yes | no', 'no', 1).answer, 1);
  assert.equal(parseChoiceItem('q', 'a|b', '1', 1).answer, 0);
  assert.throws(() => parseChoiceItem('q', 'only', 'only', 4), /data row 4: 1 choices/);
  assert.throws(() => parseChoiceItem('q', 'a|b', 'c', 5), /data row 5: answer 'c'/);
  const item = { question: 'the cat sat on the', choices: ['mat', 'log', 'dog'], answer: 0 };
  const picked = await pickChoice(model, tokenizer, item);
  const r = await evalChoice(model, tokenizer, [item, { ...item, answer: picked }]);
  assert.equal(r.n, 2);
  assert.equal(r.accuracy, picked === 0 ? 1 : 0.5);
});

test('classification scores and the bag-of-words baseline', () => {
  const s = scoreLabels(['a', 'b', 'a', 'a'], ['a', 'b', 'b', 'a']);
  assert.equal(s.accuracy, 0.75);
  // a: P 2/3 R 1 F1 .8; b: P 1 R .5 F1 2/3; macro (0.8 + 2/3) / 2
  assert.ok(Math.abs(s.f1 - (0.8 + 2 / 3) / 2) < 1e-12);
  const texts = ['great tasty', 'lovely great', 'awful stale', 'stale bad', 'great lovely tasty', 'bad awful'];
  const labels = ['pos', 'pos', 'neg', 'neg', 'pos', 'neg'];
  const predict = trainBagOfWords(texts, labels);
  assert.deepEqual(predict(['tasty and great', 'so stale']), ['pos', 'neg']);
  assert.throws(() => trainBagOfWords(['x'], ['a']), /1 distinct value/);
});

test('qa by retrieval alone scores the extracted answers', async () => {
  const ix = DocIndex.fromTexts([{ source: 'g.txt', text: 'cat (noun): a small feline\ndog (noun): a loyal canine\n' }]);
  const { result, predictions } = await evalQa((q) => ix.answer(q).answer, ['What is a dog?', 'What is a cat?'], ['a loyal canine', 'feline']);
  assert.deepEqual(predictions, ['a loyal canine', 'a small feline']);
  assert.equal(result.task, 'qa');
  assert.equal(result.exactMatch, 0.5);
  assert.equal(result.contains, 1);
});
