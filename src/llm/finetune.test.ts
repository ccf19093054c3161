// Fine-tuning: a classifier learns a separable task; QA targets cover only the answer; zero-shot
// scores are probabilities; embeddings have the model's width; chat prompts follow the template.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from './gpt.js';
import { saveCheckpoint, loadRun, readRunConfig, RUN_FORMAT } from './run-dir.js';
import { finetuneClassifier, finetuneQA, qaExample, DEFAULT_FINETUNE, accuracyF1 } from './finetune.js';
import { loadClassifier, zeroShotClassify } from './classify.js';
import { embed, cosineSimilarity } from './embeddings.js';
import { renderChat } from './chat.js';
import type { GPTConfig } from './config.js';

const tmp = mkdtempSync(join(tmpdir(), 'moxing-ft-'));
const words = ['tea', 'cake', 'coffee', 'bread', 'jam', 'soup', 'rice', 'fish'];
const texts: string[] = [];
const labels: string[] = [];
for (let i = 0; i < 160; i++) {
  const good = i % 2 === 0;
  texts.push(`the ${words[i % 8]} was ${good ? 'great and lovely' : 'awful and stale'} ${words[(i * 3) % 8]}`);
  labels.push(good ? 'great' : 'other');
}
const tokenizer = Tokenizer.train([...texts, 'Question: Answer: capital of', 'Paris Lima Rome'], { vocabSize: 300, specialTokens: ['<|endoftext|>'] });
const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
const baseDir = join(tmp, 'base');

test('classification fine-tuning learns a separable task and saves a loadable classifier', async () => {
  await saveCheckpoint(baseDir, { config: { format: RUN_FORMAT, kind: 'gpt', model: config, createdAt: '' }, tokenizer, model: new GPT(config, { seed: 1 }) });
  const out = join(tmp, 'clf');
  const res = await finetuneClassifier(baseDir, texts, labels, out, { ...DEFAULT_FINETUNE, epochs: 4, batchSize: 16, lr: 3e-3, valFraction: 0.2 });
  assert.deepEqual(res.labels, ['great', 'other']);
  assert.ok(res.metrics.accuracy >= 0.9, `validation accuracy ${res.metrics.accuracy}`);
  const clf = await loadClassifier(out);
  const [r] = await clf.classify(['the tea was great and lovely jam']);
  assert.equal(r.label, 'great');
  assert.ok(Math.abs(r.scores.great + r.scores.other - 1) < 1e-5);
});

test('fine-tuning with dropout trains through it, still learns, and records it; eval is deterministic', async () => {
  const out = join(tmp, 'clf-dropout');
  const losses: number[] = [];
  const plain: number[] = [];
  const o = { ...DEFAULT_FINETUNE, epochs: 4, batchSize: 16, lr: 3e-3, valFraction: 0.2 };
  await finetuneClassifier(baseDir, texts, labels, join(tmp, 'clf-plain'), { ...o, epochs: 1, onStep: ({ loss }) => plain.push(loss) });
  const res = await finetuneClassifier(baseDir, texts, labels, out, { ...o, dropout: 0.2, onStep: ({ loss }) => losses.push(loss) });
  // Same seed, same head and batches: the first loss differs only through the dropout masks.
  assert.notEqual(losses[0], plain[0]);
  assert.ok(Math.abs(losses[0] - plain[0]) < 0.1, `${losses[0]} vs ${plain[0]}`);
  assert.ok(res.metrics.accuracy >= 0.9, `validation accuracy ${res.metrics.accuracy}`);
  assert.equal(readRunConfig(out).model.dropout, 0.2);
  const clf = await loadClassifier(out);
  const [a] = await clf.classify(['the tea was great and lovely jam']);
  const [b] = await clf.classify(['the tea was great and lovely jam']);
  assert.deepEqual(a.scores, b.scores);
  await assert.rejects(() => loadRun(out, { dropout: 1.5 }), /dropout 1.5 is outside \[0, 1\)/);
});

test('a soup trains its members from the same start on their own shuffles and saves their average', async () => {
  const o = { ...DEFAULT_FINETUNE, epochs: 2, batchSize: 16, lr: 3e-3, valFraction: 0.2 };
  const plain: number[] = [];
  const souped: number[] = [];
  await finetuneClassifier(baseDir, texts, labels, join(tmp, 'clf-one'), { ...o, onStep: ({ loss }) => plain.push(loss) });
  const totals = new Set<number>();
  const res = await finetuneClassifier(baseDir, texts, labels, join(tmp, 'clf-soup'), {
    ...o, soup: 2, onStep: ({ loss, total }) => (souped.push(loss), totals.add(total)),
  });
  // Member 0 is the plain fine-tuning, step for step; member 1 starts again from the same weights.
  assert.equal(souped.length, 2 * plain.length);
  assert.deepEqual([...totals], [souped.length]);
  assert.deepEqual(souped.slice(0, plain.length), plain);
  const second = souped[plain.length];
  assert.notEqual(second, plain[0]);
  assert.ok(Math.abs(second - plain[0]) < 0.2, `the second member's first loss ${second} is not near the first's ${plain[0]}`);
  assert.equal(res.metrics.memberAccuracy?.length, 2);
  assert.ok(res.metrics.accuracy >= 0.9, `soup validation accuracy ${res.metrics.accuracy}`);
  const saved = readRunConfig(join(tmp, 'clf-soup'));
  assert.equal(saved.train?.soup, 2);
  const one = await loadClassifier(join(tmp, 'clf-one'));
  const soup = await loadClassifier(join(tmp, 'clf-soup'));
  const text = 'the rice was great and lovely fish';
  assert.equal((await soup.classify([text]))[0]!.label, 'great');
  assert.notDeepEqual((await soup.classify([text]))[0]!.scores, (await one.classify([text]))[0]!.scores);
  await assert.rejects(() => finetuneClassifier(baseDir, texts, labels, join(tmp, 'clf-bad'), { ...o, soup: 0 }), /soup must be a whole number of members, at least 1 \(got 0\)/);
});

test('zero-shot scores and embeddings', async () => {
  const model = new GPT(config, { seed: 2 });
  const r = await zeroShotClassify(model, tokenizer, 'the tea was great', ['great', 'other']);
  assert.ok(['great', 'other'].includes(r.label));
  assert.ok(Math.abs(r.scores.great + r.scores.other - 1) < 1e-9);
  const [a, b, c] = await embed(model, tokenizer, ['the tea', 'the tea', 'fish soup was awful']);
  assert.equal(a.length, config.nEmbd);
  assert.ok(Math.abs(cosineSimilarity(a, b) - 1) < 1e-6);
  assert.ok(cosineSimilarity(a, c) < 0.9999);
});

test('QA examples put targets on the answer only; the chat template renders turns', async () => {
  const { ids, targets } = qaExample(tokenizer, 'capital of Peru?', 'Lima', 64);
  const prompt = tokenizer.encode(renderChat([{ role: 'user', content: 'capital of Peru?' }]));
  assert.equal(ids.length, targets.length);
  assert.ok(targets.slice(0, prompt.length - 1).every((t) => t === -1));
  assert.deepEqual(tokenizer.decode(targets.filter((t) => t >= 0)), 'Lima\n');
  // Over the context: the start of the prompt goes, the answer stays.
  const short = qaExample(tokenizer, 'capital of Peru?', 'Lima', 8);
  assert.equal(short.ids.length, 8);
  assert.equal(tokenizer.decode(short.targets.filter((t) => t >= 0)), 'Lima\n');
  assert.equal(renderChat([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi?' }, { role: 'assistant', content: 'Hello.' }, { role: 'user', content: 'Name?' }]),
    'Be brief.\nQuestion: Hi?\nAnswer: Hello.\nQuestion: Name?\nAnswer: ');
  const qs = Array.from({ length: 24 }, (_, i) => `capital of ${['Peru', 'France', 'Italy'][i % 3]}?`);
  const as = Array.from({ length: 24 }, (_, i) => ['Lima', 'Paris', 'Rome'][i % 3]);
  const res = await finetuneQA(baseDir, qs, as, join(tmp, 'qa'), { ...DEFAULT_FINETUNE, epochs: 30, batchSize: 8, lr: 3e-3, valFraction: 0.25 });
  assert.ok(res.metrics.exactMatch >= 0.5, `exact match ${res.metrics.exactMatch} (the questions repeat, so it should memorize them)`);
  assert.deepEqual(accuracyF1([0, 1, 1], [0, 1, 0]), { accuracy: 2 / 3, f1: (2 / 3 + 2 / 3) / 2 });
});
