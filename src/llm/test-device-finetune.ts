// Shared device tests for what runs on a trained GPT: classifier and QA fine-tuning, classification
// (with a head and zero-shot) and embeddings, on a device whose values the host cannot read in place
// (cpu-strict, webgpu). Each gives the cpu's results within the device's float tolerance.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setDefaultDevice } from '../tensor/device.js';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from './gpt.js';
import { loadRun, saveCheckpoint, RUN_FORMAT } from './run-dir.js';
import { DEFAULT_FINETUNE, finetuneClassifier, finetuneQA, type FinetuneOptions } from './finetune.js';
import { loadClassifier, zeroShotClassify } from './classify.js';
import { embed } from './embeddings.js';
import type { GPTConfig } from './config.js';

/** Runs fn with new tensors (and loaded runs) on `device`. */
async function on<T>(device: string, fn: () => Promise<T>): Promise<T> {
  setDefaultDevice(device);
  try {
    return await fn();
  } finally {
    setDefaultDevice('cpu');
  }
}

const near = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

/**
 * Registers the fine-tuning and inference device tests for `device` (already registered).
 * @example deviceFinetuneTests('cpu-strict', 1e-5)
 */
export function deviceFinetuneTests(device: string, tol: number): void {
  test(`fine-tuning, classification and embeddings on ${device} give the cpu's results`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `moxing-device-ft-${device}-`));
    const texts = Array.from({ length: 12 }, (_, i) => `the tea was ${i % 2 ? 'awful' : 'lovely'} ${i}`);
    const labels = texts.map((_, i) => (i % 2 ? 'other' : 'great'));
    const tokenizer = Tokenizer.train([...texts, 'Question: Answer: capital of Paris Lima'], { vocabSize: 280, specialTokens: ['<|endoftext|>'] });
    const config: GPTConfig = { vocabSize: tokenizer.vocabSize, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0, bias: true };
    const base = join(dir, 'base');
    await saveCheckpoint(base, { config: { format: RUN_FORMAT, kind: 'gpt', model: config, createdAt: '' }, tokenizer, model: new GPT(config, { seed: 2 }) });
    const o: FinetuneOptions = { ...DEFAULT_FINETUNE, epochs: 1, batchSize: 4, lr: 3e-3, valFraction: 0.25 };

    const clf = (where: string) => on(where, async () => {
      const r = await finetuneClassifier(base, texts, labels, join(dir, `clf-${where}`), o);
      const head = await loadClassifier(join(dir, `clf-${where}`));
      return { metrics: r.metrics, scores: (await head.classify(['the tea was lovely', 'awful']).then((rs) => rs.map((x) => x.scores.great))) };
    });
    const want = await clf('cpu');
    const got = await clf(device);
    assert.equal(got.metrics.accuracy, want.metrics.accuracy);
    got.scores.forEach((s, i) => near(s, want.scores[i]!, tol, `P(great) of text ${i}`));

    const qa = (where: string) => on(where, () => finetuneQA(base, ['capital of France?', 'capital of Peru?', 'capital of Italy?', 'capital of Chile?'], ['Paris', 'Lima', 'Rome', 'Santiago'], join(dir, `qa-${where}`), o));
    const qaCpu = await qa('cpu');
    const qaDev = await qa(device);
    near(qaDev.metrics.valLoss, qaCpu.metrics.valLoss, tol, 'QA validation loss');
    assert.equal(qaDev.metrics.exactMatch, qaCpu.metrics.exactMatch);

    const reads = (where: string) => on(where, async () => {
      const { model } = await loadRun(base);
      const zs = await zeroShotClassify(model, tokenizer, 'the tea was lovely', ['great', 'other']);
      const [v] = await embed(model, tokenizer, ['the tea']);
      return { zs: zs.scores.great!, v: v! };
    });
    const r0 = await reads('cpu');
    const r1 = await reads(device);
    near(r1.zs, r0.zs, tol, 'zero-shot P(great)');
    assert.equal(r1.v.length, config.nEmbd);
    r1.v.forEach((x, i) => near(x, r0.v[i]!, tol, `embedding ${i}`));
  });
}
