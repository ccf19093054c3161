// moxing-chat and moxing-sentiment from the base scripts/gpu/pretrain.ts trained, in the same GPU call
// (scripts/gpu/check.sh --train, when pack.sh --finetune carried their data): the fine-tunes of
// scripts/shipped/train-v2.sh, with its settings, each packed in BF16 into <out>/<name>/ as soon as it
// is done, so a call that runs out of time still brings back what finished. On the GPU they are
// seconds to minutes; on the two cores here, hours for a base of millions of parameters.
// Usage: node finetune.mjs --base DIR --data DIR --out DIR [--members 3] [--precision fp32|mixed] [--limit N]
//   --data: chat.csv (question, answer), reviews.csv (review, score) and reviews-data/ (token shards
//   of the reviews' text, for the continued pretraining before the classifier). --limit N reads the
//   first N pairs and reviews only, and pretrains on the reviews for 10 steps (a rehearsal on SwiftShader).

import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { initDevices } from '../../src/backends/devices.js';
import type { Precision } from '../../src/ops/precision.js';
import { DEFAULT_TRAIN, pretrain } from '../../src/llm/train.js';
import { DEFAULT_FINETUNE, finetuneClassifier, finetuneQA } from '../../src/llm/finetune.js';
import { loadRun, saveCheckpoint } from '../../src/llm/run-dir.js';

const { values: a } = parseArgs({
  options: {
    base: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
    members: { type: 'string', default: '3' }, precision: { type: 'string', default: 'fp32' },
    limit: { type: 'string' },
  },
});
if (!a.base || !a.data || !a.out) throw new Error('usage: finetune.mjs --base DIR --data DIR --out DIR [--members 3] [--precision fp32|mixed]');
const precision = a.precision as Precision;
const started = performance.now();
const say = (line: string): void => { process.stdout.write(`${line} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`); };
type Row = Record<string, string>;
const limit = a.limit ? Number(a.limit) : Infinity;
const csv = (file: string): Row[] => (parse(readFileSync(join(a.data!, file), 'utf8'), { columns: true, skip_empty_lines: true, relax_quotes: true }) as Row[]).slice(0, limit);

/**
 * A run packed as shipped: BF16 weights (and the classifier's head), no optimizer state; written
 * beside its place and renamed into it, so a call cut off meanwhile leaves no half-packed model.
 */
async function pack(run: string, name: string): Promise<void> {
  const loaded = await loadRun(run);
  const dir = join(a.out!, name);
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await saveCheckpoint(tmp, { config: loaded.config, tokenizer: loaded.tokenizer, model: loaded.model, dtype: 'BF16', state: loaded.state ?? undefined });
  if (existsSync(join(run, 'head.safetensors'))) copyFileSync(join(run, 'head.safetensors'), join(tmp, 'head.safetensors'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  say(`packed ${name}`);
}

const device = await initDevices();
say(`device: ${device.description}`);
const work = join(a.out!, 'runs');

// moxing-chat: one epoch over the reading and closed-book pairs and the capital/element pairs.
const chat = csv('chat.csv');
const qa = await finetuneQA(a.base!, chat.map((r) => r.question!), chat.map((r) => r.answer!), join(work, 'chat'), {
  ...DEFAULT_FINETUNE, epochs: 1, batchSize: 32, lr: 1e-3, weightDecay: 0.01, valFraction: 0.02, seed: 0, precision,
});
say(`chat: ${chat.length} pairs, validation loss ${qa.metrics.valLoss.toFixed(4)}, exact match ${qa.metrics.exactMatch.toFixed(3)}`);
await pack(join(work, 'chat'), 'moxing-chat');

// moxing-sentiment: 200 steps more of pretraining on the reviews' text, then a soup of classifiers.
const reviewsBase = join(work, 'base-reviews');
await pretrain({
  ...DEFAULT_TRAIN, dataDir: join(a.data!, 'reviews-data'), maxSteps: Number.isFinite(limit) ? 10 : 200, batchSize: 32, lr: 5e-4, minLr: 5e-5, warmupSteps: 20,
  evalEvery: 50, evalIters: 4, seed: 0, precision,
}, null, reviewsBase, {}, a.base!);
say(`reviews pretraining: ${Number.isFinite(limit) ? 10 : 200} steps`);
const reviews = csv('reviews.csv');
const clf = await finetuneClassifier(reviewsBase, reviews.map((r) => r.review!), reviews.map((r) => r.score!), join(work, 'sentiment'), {
  ...DEFAULT_FINETUNE, epochs: 3, batchSize: 16, lr: 3e-4, dropout: 0.1, valFraction: 0.2, seed: 0, soup: Number(a.members), precision,
}, { pooling: 'mean', maxWindows: 4, textCol: 'review', labelCol: 'score' });
say(`sentiment: validation accuracy ${clf.metrics.accuracy.toFixed(4)}, F1 ${clf.metrics.f1.toFixed(4)}${clf.metrics.memberAccuracy?.length ? ` (members ${clf.metrics.memberAccuracy.map((x) => x.toFixed(4)).join(', ')})` : ''}`);
await pack(join(work, 'sentiment'), 'moxing-sentiment');
process.exit(0);
