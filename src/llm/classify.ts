// Text classification with a GPT: a fine-tuned head on pooled hidden states, or zero-shot by
// comparing the likelihood of each label as a continuation of a prompt (Radford et al. 2019).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/grad-mode.js';
import { Linear } from '../nn/layers.js';
import { loadStateDict } from '../io/state-dict.js';
import { Rng } from '../tensor/random.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { GPT } from './gpt.js';
import { loadRun, type LoadedRun } from './run-dir.js';
import { padBatch, poolGroups, type Pooling } from './pooling.js';

/** What config.json's `task` holds for a fine-tuned classifier. */
export interface ClassifyTask {
  type: 'classify';
  labels: string[];
  pooling: Pooling;
  /** Tokens per window: the model's context. */
  maxLength: number;
  /**
   * Windows read per text: a text longer than maxLength is read in consecutive windows that are
   * pooled together, up to this many (the rest is cut). Absent in models fine-tuned before windows
   * existed: 1, the beginning only.
   */
  maxWindows?: number;
  textCol?: string;
  labelCol?: string;
  metrics?: Record<string, number>;
}

export interface ClassifyResult {
  label: string;
  scores: Record<string, number>;
}

/** A GPT body with a linear head over its pooled final hidden state. */
export class GPTClassifier {
  readonly head: Linear;
  constructor(readonly model: GPT, readonly tokenizer: Tokenizer, readonly task: ClassifyTask, seed = 0) {
    this.head = new Linear(model.config.nEmbd, task.labels.length, { rng: new Rng(seed) });
  }

  /** Token ids of a text, cut to what the classifier reads (maxLength x maxWindows; keeps the beginning). */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text, { allowSpecial: false });
    return ids.length ? ids.slice(0, this.task.maxLength * (this.task.maxWindows ?? 1)) : [this.padId()];
  }

  padId(): number {
    return this.tokenizer.tokenToId('<|endoftext|>') ?? 0;
  }

  /** Pooled features (B, C) of a batch of token sequences, each read in windows of the context (differentiable). */
  features(seqs: readonly number[][]): Tensor {
    const L = this.task.maxLength;
    const windows: number[][] = [];
    const groups: number[] = [];
    seqs.forEach((seq, b) => {
      for (let s = 0; s === 0 || s < seq.length; s += L) {
        windows.push(seq.slice(s, s + L));
        groups.push(b);
      }
    });
    const { ids, lengths } = padBatch(windows, this.padId());
    return poolGroups(this.model.hidden(ids), lengths, groups, seqs.length, this.task.pooling);
  }

  /** Logits (B, labels) for a batch of token sequences (differentiable). */
  logits(seqs: readonly number[][]): Tensor {
    return this.head.forward(this.features(seqs));
  }

  /**
   * Labels and probabilities for texts, in order, on whatever device the model is on: each batch's
   * probabilities are read once, asynchronously (a GPU's cannot be read in place).
   */
  async classify(texts: readonly string[], batchSize = 16): Promise<ClassifyResult[]> {
    const out: ClassifyResult[] = [];
    const K = this.task.labels.length;
    for (let i = 0; i < texts.length; i += batchSize) {
      const batch = texts.slice(i, i + batchSize);
      const probs = await noGrad(() => this.logits(batch.map((t) => this.encode(t))).softmax(-1)).data();
      for (let b = 0; b < batch.length; b++) out.push(toResult(this.task.labels, probs.subarray(b * K, (b + 1) * K)));
    }
    return out;
  }
}

function toResult(labels: readonly string[], probs: ArrayLike<number>): ClassifyResult {
  let best = 0;
  const scores: Record<string, number> = {};
  labels.forEach((l, k) => {
    scores[l] = probs[k];
    if (probs[k] > probs[best]) best = k;
  });
  return { label: labels[best], scores };
}

/**
 * Loads a fine-tuned classifier run (config.task.type 'classify', head.safetensors).
 * @example await (await loadClassifier('models/moxing-sentiment')).classify(['Great coffee!'])
 */
export async function loadClassifier(dir: string, run?: LoadedRun): Promise<GPTClassifier> {
  const loaded = run ?? (await loadRun(dir));
  const task = loaded.config.task as ClassifyTask | undefined;
  if (!task || task.type !== 'classify') throw new Error(`${dir}: not a classification model (fine-tune one with moxing finetune --task classify)`);
  const clf = new GPTClassifier(loaded.model, loaded.tokenizer, task);
  const headPath = join(loaded.dir, 'head.safetensors');
  if (!existsSync(headPath)) throw new Error(`${headPath}: missing (the classification head)`);
  clf.head.loadStateDict((await loadStateDict(headPath)).tensors);
  return clf;
}

/** The prompt used for zero-shot classification; the label follows it. */
export function zeroShotPrompt(text: string, labels: readonly string[]): string {
  return `${text}\nQuestion: which of ${labels.join(', ')}?\nAnswer: `;
}

/**
 * Zero-shot: scores each label by the mean log-probability of its tokens after the prompt, then
 * normalizes across labels (a softmax of the mean log-likelihoods).
 * @example await zeroShotClassify(model, tokenizer, 'I loved it', ['positive', 'negative'])
 */
export async function zeroShotClassify(model: GPT, tokenizer: Tokenizer, text: string, labels: readonly string[]): Promise<ClassifyResult> {
  if (labels.length < 2) throw new Error('zero-shot classification needs at least two labels');
  if (labels.some((l) => l.trim() === '')) throw new Error('zero-shot classification: a label is empty');
  const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
  if (repeated !== undefined) throw new Error(`zero-shot classification: the label '${repeated}' is given twice`);
  const prompt = tokenizer.encode(zeroShotPrompt(text, labels), { allowSpecial: false });
  const T = model.config.blockSize;
  // A label is scored after at least one token of the prompt, inside one context.
  const long = labels.find((l) => tokenizer.encode(l, { allowSpecial: false }).length >= T);
  if (long !== undefined) throw new Error(`zero-shot classification: the label '${long.slice(0, 40)}${long.length > 40 ? '...' : ''}' is ${tokenizer.encode(long, { allowSpecial: false }).length} tokens, and the model reads ${T} at a time (labels must be shorter)`);
  const V = model.config.vocabSize;
  const scores: number[] = [];
  for (const label of labels) {
    const target = tokenizer.encode(label, { allowSpecial: false });
    const keep = Math.max(1, T - target.length);
    const context = prompt.slice(Math.max(0, prompt.length - keep));
    const seq = [...context, ...target].slice(0, T);
    // Only the rows that predict the label's tokens, read once per label (a GPU's values cannot be
    // read in place; all rows would be a context x vocabulary copy on the cpu too).
    const from = context.length - 1;
    const logp = await noGrad(() => model.forward(new Tensor(Int32Array.from(seq), [1, seq.length])).logits.slice(1, from, from + target.length).logSoftmax(-1)).data();
    let sum = 0;
    target.forEach((tok, i) => { sum += logp[i * V + tok]!; });
    scores.push(sum / target.length);
  }
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const z = exps.reduce((a, b) => a + b, 0);
  return toResult(labels, exps.map((e) => e / z));
}
