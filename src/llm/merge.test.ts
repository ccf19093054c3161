import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from './gpt.js';
import { saveCheckpoint, readRunConfig, RUN_FORMAT } from './run-dir.js';
import { finetuneClassifier, DEFAULT_FINETUNE } from './finetune.js';
import { loadClassifier } from './classify.js';
import { mergeRuns } from './merge.js';
import type { GPTConfig } from './config.js';

const tmp = mkdtempSync(join(tmpdir(), 'moxing-merge-'));
const texts: string[] = [];
const labels: string[] = [];
for (let i = 0; i < 64; i++) {
  texts.push(`the tea was ${i % 2 ? 'great and lovely' : 'awful and stale'} ${i}`);
  labels.push(i % 2 ? 'great' : 'other');
}
const tokenizer = Tokenizer.train(texts, { vocabSize: 280, specialTokens: ['<|endoftext|>'] });
const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0, bias: true };
const base = join(tmp, 'base');
const o = { ...DEFAULT_FINETUNE, epochs: 1, batchSize: 8, lr: 3e-3, valFraction: 0.25 };

function weights(clf: Awaited<ReturnType<typeof loadClassifier>>): number[][] {
  return [...clf.model.parameters(), ...clf.head.parameters()].map((p) => Array.from(p.dataSync()));
}

test('merging runs that differ only in their shuffle gives the soup finetune --soup makes in one process', async () => {
  await saveCheckpoint(base, { config: { format: RUN_FORMAT, kind: 'gpt', model: config, createdAt: '' }, tokenizer, model: new GPT(config, { seed: 3 }) });
  await finetuneClassifier(base, texts, labels, join(tmp, 'm0'), { ...o });
  await finetuneClassifier(base, texts, labels, join(tmp, 'm1'), { ...o, shuffleSeed: 1 });
  await finetuneClassifier(base, texts, labels, join(tmp, 'soup'), { ...o, soup: 2 });
  const res = await mergeRuns([join(tmp, 'm0'), join(tmp, 'm1')], join(tmp, 'merged'));
  assert.equal(res.task, 'classify');
  assert.equal(res.members.length, 2);

  const [a, b, merged, soup] = await Promise.all(['m0', 'm1', 'merged', 'soup'].map((d) => loadClassifier(join(tmp, d))));
  const [wa, wb, wm, ws] = [a, b, merged, soup].map(weights);
  assert.notDeepEqual(wa, wb);
  // Same members (no dropout, same kernels), same sum order: the same weights to the bit.
  assert.deepEqual(wm, ws);
  wm.forEach((t, i) => t.forEach((v, j) => assert.equal(v, Math.fround((wa[i][j] + wb[i][j]) / 2), `tensor ${i} value ${j}`)));
  const saved = readRunConfig(join(tmp, 'merged'));
  assert.deepEqual(saved.train?.merged, res.members);
  const recipes = saved.train?.members as Array<{ train: { shuffleSeed?: number }; metrics: { accuracy: number } }>;
  assert.deepEqual(recipes.map((r) => r.train.shuffleSeed), [undefined, 1]);
  assert.ok(recipes.every((r) => r.metrics.accuracy >= 0 && r.metrics.accuracy <= 1));
  assert.equal((saved.task as { metrics?: unknown }).metrics, undefined);
  assert.deepEqual((saved.task as { labels: string[] }).labels, ['great', 'other']);
});

test('merge refuses what cannot be averaged, naming the run', async () => {
  await assert.rejects(() => mergeRuns([join(tmp, 'm0')], join(tmp, 'x')), /at least two runs/);
  await assert.rejects(() => mergeRuns([join(tmp, 'm0'), join(tmp, 'm1')], join(tmp, 'm1')), /is one of the runs to merge/);
  await assert.rejects(() => mergeRuns([join(tmp, 'm0'), join(tmp, 'm0')], join(tmp, 'x')), /listed twice/);
  // Another run is not written over (nor a fine-tune's output, before minutes of training).
  await assert.rejects(() => mergeRuns([join(tmp, 'm0'), join(tmp, 'm1')], join(tmp, 'soup')), /soup already holds a model \(config\.json\)/);
  await assert.rejects(() => finetuneClassifier(base, texts, labels, join(tmp, 'm0'), { ...o }), /m0 already holds a model/);
  // A run whose head says other things: different labels.
  await finetuneClassifier(base, texts, labels.map((l) => (l === 'great' ? 'good' : 'bad')), join(tmp, 'other-labels'), { ...o });
  await assert.rejects(() => mergeRuns([join(tmp, 'm0'), join(tmp, 'other-labels')], join(tmp, 'x')), /other-labels: its task .* differs/);
  // The base language model has no classification head, and another width.
  const wide = join(tmp, 'wide');
  const wideConfig = { ...config, nEmbd: 32 };
  await saveCheckpoint(wide, { config: { format: RUN_FORMAT, kind: 'gpt', model: wideConfig, createdAt: '' }, tokenizer, model: new GPT(wideConfig, { seed: 3 }) });
  await assert.rejects(() => mergeRuns([base, wide], join(tmp, 'x')), /wide: its model .* differs/);
  const lm = await mergeRuns([base, base + '/'], join(tmp, 'never')).catch((e: Error) => e);
  assert.match(String(lm), /listed twice/);
});
