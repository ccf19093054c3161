import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerTokens, contains, exactMatch, normalizeAnswer, scoreAnswers, tokenF1 } from './answer-metrics.js';

test('normalisation follows SQuAD: case, punctuation, articles, whitespace', () => {
  assert.equal(normalizeAnswer('The  Eiffel Tower!'), 'eiffel tower');
  assert.equal(normalizeAnswer('  An apple, a day. '), 'apple day');
  assert.equal(normalizeAnswer('来对白头吟。'), '来对白头吟');
  assert.equal(exactMatch('Paris.', 'paris'), 1);
  assert.equal(exactMatch('Lyon', 'Paris'), 0);
});

test('token F1 by hand', () => {
  // prediction tokens [capital, is, paris] (article dropped), gold [paris]: P = 1/3, R = 1, F1 = 0.5
  assert.equal(tokenF1('the capital is Paris', 'Paris'), 0.5);
  // repeated tokens count once per gold occurrence: P = 1/2, R = 1/1 -> 2/3
  assert.ok(Math.abs(tokenF1('paris paris', 'paris') - 2 / 3) < 1e-12);
  assert.equal(tokenF1('', ''), 1);
  assert.equal(tokenF1('x', ''), 0);
});

test('Chinese is scored per character', () => {
  assert.deepEqual(answerTokens('来对白头吟'), ['来', '对', '白', '头', '吟']);
  // 3 of 5 characters right, prediction of 5: P = R = 3/5
  assert.ok(Math.abs(tokenF1('来对黄头诗', '来对白头吟') - 0.6) < 1e-12);
  assert.deepEqual(answerTokens('李白 wrote 静夜思'), ['李', '白', 'wrote', '静', '夜', '思']);
});

test('contains matches whole words, or CJK substrings', () => {
  assert.equal(contains('It is Paris, France', 'paris'), 1);
  assert.equal(contains('Parisian', 'paris'), 0);
  assert.equal(contains('作者是杜甫。', '杜甫'), 1);
  assert.equal(contains('anything', ''), 0);
});

test('scoreAnswers averages', () => {
  assert.deepEqual(scoreAnswers(['Paris', 'Rome'], ['paris', 'Madrid']), { n: 2, exactMatch: 0.5, f1: 0.5, contains: 0.5 });
  assert.throws(() => scoreAnswers(['a'], []), /1 predictions for 0 answers/);
});
