// Fine-tuning a pretrained GPT: a classification head (with or without the body), and supervised
// QA/instruction tuning with the loss on answer tokens only.

import { join, resolve } from 'node:path';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { AdamW } from '../optim/adam.js';
import { GradScaler } from '../optim/grad-scaler.js';
import { optimizerStep } from '../optim/step.js';
import { getPrecision, setPrecision, type Precision } from '../ops/precision.js';
import { warmupCosineSchedule } from '../optim/schedule.js';
import * as F from '../ops/index.js';
import type { Parameter } from '../nn/module.js';
import { saveStateDict } from '../io/state-dict.js';
import { ParameterSoup, restoreParameters, snapshotParameters } from './soup.js';
import { GPTClassifier, type ClassifyTask } from './classify.js';
import { assertNewRunDir, loadRun, saveCheckpoint, RUN_FORMAT, type RunConfig } from './run-dir.js';
import { DEFAULT_CHAT_TEMPLATE, renderChat } from './chat.js';
import { gptOptimizer } from './train.js';
import { ask } from './ask.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { accuracyScore, f1Score } from '../ml/metrics/classification.js';

export interface FinetuneOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  /** Fraction of examples held out for validation. */
  valFraction: number;
  seed: number;
  /** Train the transformer too (true) or only the head (false). */
  trainBody: boolean;
  /** 'mixed': f16 matrix products with loss scaling where the device has f16. */
  precision?: Precision;
  /**
   * Dropout in the transformer while fine-tuning (default: the pretrained model's own, usually 0).
   * A small labelled set is learned by heart in a few epochs; dropout is the usual brake.
   */
  dropout?: number;
  /**
   * classify: fine-tune this many members from the same start, each on its own order of the data,
   * and save the average of their weights (a model soup, src/llm/soup.ts). Default 1.
   */
  soup?: number;
  /**
   * The order the data is seen in (member m of a soup shuffles with shuffleSeed + m). Default: seed,
   * which also draws the validation split and the head's first weights. Runs that differ only here
   * are members of one soup, and `moxing merge` averages them.
   */
  shuffleSeed?: number;
  onStep?: (info: { step: number; total: number; loss: number }) => void;
}

/** Windows of the context a fine-tuned classifier reads per text (a longer text is cut after them). */
export const DEFAULT_MAX_WINDOWS = 4;

export const DEFAULT_FINETUNE: Omit<FinetuneOptions, 'onStep'> = {
  epochs: 3, batchSize: 16, lr: 3e-4, weightDecay: 0.01, valFraction: 0.1, seed: 0, trainBody: true,
};

/** Accuracy and macro-F1 of predictions against labels (scikit-learn's definitions). */
export function accuracyF1(pred: readonly number[], gold: readonly number[]): { accuracy: number; f1: number } {
  return { accuracy: accuracyScore(gold, pred), f1: f1Score(gold, pred, { average: 'macro' }) };
}

function split<T>(items: readonly T[], valFraction: number, seed: number): { train: T[]; val: T[] } {
  const order = new Rng(seed).permutation(items.length);
  const nVal = Math.max(1, Math.round(items.length * valFraction));
  const val: T[] = [];
  const train: T[] = [];
  order.forEach((i, j) => (j < nVal ? val : train).push(items[i]));
  return { train, val };
}

function classifierOptimizer(clf: GPTClassifier, o: FinetuneOptions): AdamW {
  const head = clf.head.parameters();
  if (!o.trainBody) return new AdamW(head, { lr: o.lr, weightDecay: 0 });
  const body = gptOptimizer(clf.model, o);
  // The head learns from scratch: give it its own group (no decay) next to the body's two groups.
  return new AdamW([...body.groups.map((g) => ({ params: g.params, options: g.options })), { params: head as Parameter[], options: { weightDecay: 0 } }], { lr: o.lr, beta1: 0.9, beta2: 0.95 });
}

export interface ClassifyFinetuneResult {
  labels: string[];
  metrics: {
    accuracy: number; f1: number; trainAccuracy: number; examples: number; valExamples: number;
    /** With a soup: each member's own validation accuracy, before averaging. */
    memberAccuracy?: number[];
  };
  outDir: string;
}

/**
 * Fine-tunes `fromDir`'s GPT to classify texts; saves the body and head.safetensors in `outDir`.
 * @example await finetuneClassifier('models/moxing-base', texts, labels, 'runs/sentiment', { ...DEFAULT_FINETUNE })
 */
export async function finetuneClassifier(
  fromDir: string, texts: readonly string[], labels: readonly string[], outDir: string,
  o: FinetuneOptions, extra: { pooling?: 'last' | 'mean'; maxWindows?: number; textCol?: string; labelCol?: string } = {},
): Promise<ClassifyFinetuneResult> {
  assertNewRunDir(outDir);
  if (texts.length !== labels.length) throw new Error('texts and labels differ in length');
  const names = [...new Set(labels)].sort();
  if (names.length < 2) throw new Error(`the label column has ${names.length} distinct value(s); classification needs at least 2`);
  const base = await loadRun(fromDir, { dropout: o.dropout });
  const task: ClassifyTask = {
    type: 'classify', labels: names, pooling: extra.pooling ?? 'mean', maxLength: base.model.config.blockSize,
    maxWindows: extra.maxWindows ?? DEFAULT_MAX_WINDOWS,
    textCol: extra.textCol, labelCol: extra.labelCol,
  };
  const clf = new GPTClassifier(base.model, base.tokenizer, task, o.seed);
  const examples = texts.map((t, i) => ({ ids: clf.encode(t), y: names.indexOf(labels[i]) }));
  const { train, val } = split(examples, o.valFraction, o.seed);
  const members = o.soup ?? 1;
  if (!Number.isInteger(members) || members < 1) throw new Error(`soup must be a whole number of members, at least 1 (got ${members})`);
  const stepsPerEpoch = Math.ceil(train.length / o.batchSize);
  const total = members * o.epochs * stepsPerEpoch;
  const params = [...base.model.namedParameters('body.'), ...clf.head.namedParameters('head.')] as const;
  const start = members > 1 ? snapshotParameters(params) : null;
  // A single fine-tuning (the default) keeps its weights as they are: no copies, no average.
  const soup = members > 1 ? new ParameterSoup(params) : null;
  const memberAccuracy: number[] = [];
  let done = 0;
  for (let m = 0; m < members; m++) {
    if (start && m > 0) restoreParameters(params, start);
    // Member m shuffles with shuffleSeed + m: member 0 is the plain fine-tuning of the same seeds.
    await trainClassifierMember(clf, train, o, (o.shuffleSeed ?? o.seed) + m, (step, loss) => o.onStep?.({ step: done + step, total, loss }));
    done += o.epochs * stepsPerEpoch;
    if (members > 1) memberAccuracy.push((await evalClassifier(clf, val, names)).accuracy);
    soup?.add();
  }
  soup?.average();
  base.model.eval();
  const valM = await evalClassifier(clf, val, names);
  const trainM = await evalClassifier(clf, train.slice(0, 500), names);
  task.metrics = { accuracy: valM.accuracy, f1: valM.f1, trainAccuracy: trainM.accuracy };
  // Each member's own validation accuracy, to show what the average added.
  memberAccuracy.forEach((a, i) => (task.metrics![`member${i}Accuracy`] = a));
  const config: RunConfig = {
    format: RUN_FORMAT, kind: 'gpt', model: base.model.config, initFrom: base.dir, task: { ...task },
    train: { ...o, onStep: undefined }, createdAt: new Date().toISOString(),
  };
  await saveCheckpoint(outDir, { config, tokenizer: base.tokenizer, model: base.model });
  await saveStateDict(join(outDir, 'head.safetensors'), clf.head.stateDict());
  return {
    labels: names,
    metrics: {
      accuracy: valM.accuracy, f1: valM.f1, trainAccuracy: trainM.accuracy, examples: train.length, valExamples: val.length,
      ...(memberAccuracy.length ? { memberAccuracy } : {}),
    },
    outDir: resolve(outDir),
  };
}

interface LabelledIds {
  ids: number[];
  y: number;
}

/** One fine-tuning of the classifier from its current weights: a fresh optimizer, the data shuffled by `seed`. */
async function trainClassifierMember(
  clf: GPTClassifier, train: readonly LabelledIds[], o: FinetuneOptions, seed: number, onStep: (step: number, loss: number) => void,
): Promise<void> {
  const opt = classifierOptimizer(clf, o);
  const total = o.epochs * Math.ceil(train.length / o.batchSize);
  const schedule = warmupCosineSchedule({ lr: o.lr, minLr: o.lr / 10, warmupSteps: Math.min(20, Math.floor(total / 10)), decaySteps: total });
  const rng = new Rng(seed);
  clf.model.train(o.trainBody);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = rng.permutation(train.length);
    for (let s = 0; s < train.length; s += o.batchSize) {
      const batch = Array.from(order.subarray(s, s + o.batchSize), (i) => train[i]);
      opt.setLr(schedule(step));
      const { loss } = await withPrecision(o.precision, () => {
        const logits = o.trainBody ? clf.logits(batch.map((e) => e.ids)) : headOnlyLogits(clf, batch.map((e) => e.ids));
        const labels = F.toDevice(new Tensor(Int32Array.from(batch, (e) => e.y), [batch.length]), logits.dev);
        return optimizerStep(F.crossEntropy(logits, labels), opt, opt.allParams(), 1, scalerFor(o));
      });
      step++;
      onStep(step, loss);
    }
  }
  clf.model.eval();
}

/** Accuracy and macro-F1 of the classifier on labelled examples (dropout off). */
async function evalClassifier(clf: GPTClassifier, set: readonly LabelledIds[], names: readonly string[]): Promise<{ accuracy: number; f1: number }> {
  const pred = (await clf.classify(set.map((e) => clf.tokenizer.decode(e.ids)))).map((r) => names.indexOf(r.label));
  return accuracyF1(pred, set.map((e) => e.y));
}

function headOnlyLogits(clf: GPTClassifier, seqs: number[][]): Tensor {
  // The body is frozen: compute pooled features without a graph, then the head with one.
  const feats = noGrad(() => clf.features(seqs));
  return clf.head.forward(feats.detach());
}

export interface QaFinetuneResult {
  metrics: { trainLoss: number; valLoss: number; exactMatch: number; valExamples: number };
  outDir: string;
}

/** Token ids of one QA example with targets only on the answer (and the end marker). */
export function qaExample(tokenizer: Tokenizer, question: string, answer: string, blockSize: number): { ids: number[]; targets: number[] } {
  const prompt = tokenizer.encode(renderChat([{ role: 'user', content: question }]), { allowSpecial: false });
  const reply = tokenizer.encode(`${answer}${DEFAULT_CHAT_TEMPLATE.end}`, { allowSpecial: false });
  // Too long for the context: drop the start of the prompt first (the answer is what is learned).
  const replyKept = reply.slice(0, blockSize);
  const kept = prompt.slice(Math.max(0, prompt.length - (blockSize + 1 - replyKept.length)));
  const seq = [...kept, ...replyKept];
  const ids = seq.slice(0, -1);
  // position i predicts seq[i + 1]; only answer tokens count
  const targets = seq.slice(1).map((tok, i) => (i + 1 >= kept.length ? tok : -1));
  return { ids, targets };
}

/** Normalizes an answer for exact match: trimmed, lower-case, no trailing period. */
export function normalizeAnswer(s: string): string {
  return s.trim().toLowerCase().replace(/[.!]+$/, '').trim();
}

/**
 * Supervised fine-tuning for question answering: loss on answer tokens only, chat template stored.
 * Reports validation loss and exact match of greedy answers on the held-out questions.
 */
export async function finetuneQA(
  fromDir: string, questions: readonly string[], answers: readonly string[], outDir: string, o: FinetuneOptions,
): Promise<QaFinetuneResult> {
  assertNewRunDir(outDir);
  const base = await loadRun(fromDir, { dropout: o.dropout });
  const { model, tokenizer } = base;
  const T = model.config.blockSize;
  const pairs = questions.map((q, i) => ({ q, a: answers[i] }));
  const { train, val } = split(pairs, o.valFraction, o.seed);
  const encoded = train.map((p) => qaExample(tokenizer, p.q, p.a, T));
  const opt = gptOptimizer(model, o);
  const steps = o.epochs * Math.ceil(encoded.length / o.batchSize);
  const schedule = warmupCosineSchedule({ lr: o.lr, minLr: o.lr / 10, warmupSteps: Math.min(20, Math.floor(steps / 10)), decaySteps: steps });
  const rng = new Rng(o.seed);
  const lossOf = (batch: Array<{ ids: number[]; targets: number[] }>): Tensor => {
    const L = Math.max(...batch.map((e) => e.ids.length));
    const ids = new Int32Array(batch.length * L);
    const tg = new Int32Array(batch.length * L).fill(-1);
    batch.forEach((e, b) => { ids.set(e.ids, b * L); tg.set(e.targets, b * L); });
    return model.forward(new Tensor(ids, [batch.length, L]), new Tensor(tg, [batch.length, L]), { ignoreIndex: -1 }).loss!;
  };
  model.train();
  let step = 0;
  let trainLoss = NaN;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = rng.permutation(encoded.length);
    for (let s = 0; s < encoded.length; s += o.batchSize) {
      opt.setLr(schedule(step));
      const batch = Array.from(order.subarray(s, s + o.batchSize), (i) => encoded[i]);
      trainLoss = (await withPrecision(o.precision, () => optimizerStep(lossOf(batch), opt, model.parameters(), 1, scalerFor(o)))).loss;
      step++;
      o.onStep?.({ step, total: steps, loss: trainLoss });
    }
  }
  model.eval();
  const valEncoded = val.map((p) => qaExample(tokenizer, p.q, p.a, T));
  // Summed where the model is and read once (a GPU's values cannot be read in place).
  const valSum = noGrad(() => {
    let sum: Tensor | null = null;
    for (let s = 0; s < valEncoded.length; s += o.batchSize) {
      const batch = valEncoded.slice(s, s + o.batchSize);
      const part = lossOf(batch).mul(batch.length);
      sum = sum ? sum.add(part) : part;
    }
    return sum;
  });
  const valLoss = (valSum ? await valSum.item() : 0) / Math.max(1, valEncoded.length);
  let hits = 0;
  for (const p of val) if (normalizeAnswer(await ask(model, tokenizer, p.q)) === normalizeAnswer(p.a)) hits++;
  const exactMatch = hits / Math.max(1, val.length);
  const config: RunConfig = {
    format: RUN_FORMAT, kind: 'gpt', model: model.config, initFrom: base.dir, chatTemplate: DEFAULT_CHAT_TEMPLATE,
    task: { type: 'qa', metrics: { valLoss, exactMatch, valExamples: val.length } }, train: { ...o, onStep: undefined },
    createdAt: new Date().toISOString(),
  };
  await saveCheckpoint(outDir, { config, tokenizer, model });
  return { metrics: { trainLoss, valLoss, exactMatch, valExamples: val.length }, outDir: resolve(outDir) };
}

const scalers = new WeakMap<FinetuneOptions, GradScaler>();

/** One loss scaler per fine-tuning run under mixed precision (null in fp32). */
function scalerFor(o: FinetuneOptions): GradScaler | null {
  if (o.precision !== 'mixed') return null;
  let s = scalers.get(o);
  if (!s) scalers.set(o, (s = new GradScaler()));
  return s;
}

/** Runs `fn` with the matmul precision set, restoring the previous one after. */
async function withPrecision<T>(p: Precision | undefined, fn: () => Promise<T>): Promise<T> {
  const previous = getPrecision();
  setPrecision(p ?? 'fp32');
  try {
    return await fn();
  } finally {
    setPrecision(previous);
  }
}
