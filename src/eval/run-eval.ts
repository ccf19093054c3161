// One evaluation run, as `moxing eval` and `npm run eval` do it: a model (a GPT directory or shipped
// name) or a baseline (unigram, bigram, bow, retrieval) on a task and a data file.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from '../text/utf8.js';
import { join } from 'node:path';
import { Tokenizer } from '../text/tokenizer.js';
import { DocIndex } from '../text/doc-index.js';
import { loadRun, type LoadedRun } from '../llm/run-dir.js';
import { resolveModelPath } from '../llm/models.js';
import { ask } from '../llm/ask.js';
import { askWithDocs } from '../llm/docs-ask.js';
import { loadClassifier, zeroShotClassify } from '../llm/classify.js';
import { perplexityOfGpt, perplexityOfNgram, scoredSequence, type PerplexityResult } from './perplexity.js';
import { NgramModel } from './ngram.js';
import { evalQa, type QaResult } from './qa.js';
import { evalChoice, parseChoiceItem, type ChoiceResult } from './choice.js';
import { scoreLabels, trainBagOfWords, type ClassifyEvalResult } from './classify.js';
import { readTextColumns } from './csv-columns.js';
import { namingPath } from '../io/path-message.js';

export const EVAL_TASKS = ['perplexity', 'qa', 'choice', 'classify'] as const;
export type EvalTask = (typeof EVAL_TASKS)[number];
export const BASELINES = ['unigram', 'bigram', 'bow', 'retrieval'] as const;
export type EvalResult = PerplexityResult | QaResult | ChoiceResult | ClassifyEvalResult;

export interface EvalOptions {
  model: string;
  task: EvalTask;
  data: string;
  /** Baselines: the text (unigram, bigram) or CSV (bow) they are trained on. */
  train?: string;
  /** n-gram baselines: whose tokens to count (a tokenizer.json or model); default moxing-base's. */
  tokenizer?: string;
  questionCol?: string;
  answerCol?: string;
  choicesCol?: string;
  textCol?: string;
  labelCol?: string;
  /** qa: a document index to answer from. */
  docs?: string;
  /** Only the first n rows (qa, choice, classify) or bytes (perplexity). */
  limit?: number;
  maxNewTokens?: number;
  /** Each prediction as it is made: { input, prediction, gold }. */
  onPrediction?: (p: { input: string; prediction: string; gold: string }) => void;
  onProgress?: (done: number, total: number) => void;
}

function isBaseline(model: string): boolean {
  return (BASELINES as readonly string[]).includes(model) && !existsSync(model);
}

function readText(path: string, limitBytes?: number): string {
  if (!existsSync(path)) throw new Error(`--data ${path}: no such file`);
  if (statSync(path).isDirectory()) throw new Error(`--data ${path}: is a directory, expected a text file`);
  const bytes = readFileSync(path);
  if (!isUtf8(bytes)) throw new Error(`--data ${path}: not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(bytes)})`);
  const text = bytes.toString('utf8');
  if (!text.trim()) throw new Error(`--data ${path}: the file is empty`);
  if (!limitBytes || Buffer.byteLength(text) <= limitBytes) return text;
  // Cut at the last line end within the limit, so no character or line is split.
  const cut = Buffer.from(text).subarray(0, limitBytes).toString('utf8').replace(/\uFFFD$/u, '');
  const nl = cut.lastIndexOf('\n');
  return nl > 0 ? cut.slice(0, nl + 1) : cut;
}

/** --tokenizer: a tokenizer file, a folder holding one (a run, a model), or a shipped model's name. */
function loadTokenizer(spec: string | undefined): Tokenizer {
  if (spec && existsSync(spec)) {
    try {
      return Tokenizer.fromFile(spec); // a file, or a folder with tokenizer.json (or GPT-2's two files)
    } catch (err) {
      const message = (err as Error).message;
      throw new Error(`--tokenizer ${namingPath(spec, message)}`);
    }
  }
  let dir: string;
  try {
    dir = resolveModelPath(spec ?? 'moxing-base');
  } catch {
    throw new Error(`--tokenizer ${spec}: no such file or folder, and not a shipped model`);
  }
  return Tokenizer.fromFile(join(dir, 'tokenizer.json'));
}

function rows<T>(all: T[], limit?: number): T[] {
  return limit ? all.slice(0, limit) : all;
}

/**
 * Runs one evaluation and returns the object `moxing eval --json` prints.
 * @example await runEval({ model: 'moxing-base', task: 'perplexity', data: 'heldout.txt' }) // { task, tokens, nll, bitsPerByte }
 */
export async function runEval(o: EvalOptions): Promise<EvalResult> {
  const baseline = isBaseline(o.model);
  let run: LoadedRun | null = null;
  const gpt = async (): Promise<LoadedRun> => (run ??= await loadRun(resolveModelPath(o.model)));
  switch (o.task) {
    case 'perplexity': {
      const text = readText(o.data, o.limit);
      if (baseline) {
        if (o.model !== 'unigram' && o.model !== 'bigram') throw new Error(`--model ${o.model}: the perplexity baselines are unigram and bigram`);
        if (!o.train) throw new Error(`--model ${o.model} needs --train <text file> to count n-grams on`);
        const tok = loadTokenizer(o.tokenizer);
        const ids = scoredSequence(tok, readText(o.train));
        return perplexityOfNgram(NgramModel.train(ids, o.model === 'unigram' ? 1 : 2, tok.vocabSize), tok, text);
      }
      const { model, tokenizer } = await gpt();
      return perplexityOfGpt(model, tokenizer, text, { onProgress: o.onProgress });
    }
    case 'qa': {
      const cols = readTextColumns(o.data, { '--question-col': o.questionCol ?? 'question', '--answer-col': o.answerCol ?? 'answer' });
      const questions = rows(cols['--question-col'], o.limit);
      const answers = rows(cols['--answer-col'], o.limit);
      const index = o.docs ? DocIndex.load(o.docs) : null;
      let answer: (q: string) => Promise<string> | string;
      if (baseline) {
        if (o.model !== 'retrieval') throw new Error(`--model ${o.model}: the qa baseline is retrieval (with --docs <index>)`);
        if (!index) throw new Error('--model retrieval needs --docs <index>');
        answer = (q) => index.answer(q).answer;
      } else {
        const { model, tokenizer, config } = await gpt();
        const opts = { maxNewTokens: o.maxNewTokens ?? 48 };
        answer = index
          ? async (q) => (await askWithDocs(model, tokenizer, index, q, config.chatTemplate, opts)).answer
          : (q) => ask(model, tokenizer, q, config.chatTemplate, opts);
      }
      const { result } = await evalQa(answer, questions, answers, (done, total, last) => {
        o.onPrediction?.({ input: last.question, prediction: last.answer, gold: last.gold });
        o.onProgress?.(done, total);
      });
      return result;
    }
    case 'choice': {
      if (baseline) throw new Error(`--model ${o.model}: choice has no baseline; give a GPT`);
      const cols = readTextColumns(o.data, { '--question-col': o.questionCol ?? 'question', '--choices-col': o.choicesCol ?? 'choices', '--answer-col': o.answerCol ?? 'answer' });
      let items;
      try {
        items = rows(cols['--question-col'].map((q, i) => parseChoiceItem(q, cols['--choices-col'][i]!, cols['--answer-col'][i]!, i + 1)), o.limit);
      } catch (err) {
        throw new Error(`${o.data}: ${(err as Error).message}`);
      }
      const { model, tokenizer, config } = await gpt();
      return evalChoice(model, tokenizer, items, config.chatTemplate, o.onProgress);
    }
    case 'classify': {
      const cols = readTextColumns(o.data, { '--text-col': o.textCol ?? 'text', '--label-col': o.labelCol ?? 'label' });
      const texts = rows(cols['--text-col'], o.limit);
      const gold = rows(cols['--label-col'], o.limit);
      let predicted: string[];
      if (baseline) {
        if (o.model !== 'bow') throw new Error(`--model ${o.model}: the classify baseline is bow (bag-of-words logistic regression, with --train <csv>)`);
        if (!o.train) throw new Error('--model bow needs --train <csv> with the same --text-col and --label-col');
        const tr = readTextColumns(o.train, { '--text-col': o.textCol ?? 'text', '--label-col': o.labelCol ?? 'label' });
        predicted = trainBagOfWords(tr['--text-col'], tr['--label-col'])(texts);
      } else {
        const loaded = await gpt();
        const isClassifier = (loaded.config.task as { type?: string } | undefined)?.type === 'classify';
        predicted = [];
        if (isClassifier) {
          const clf = await loadClassifier(loaded.dir, loaded);
          // A classifier can only say its own labels: with none of them in the data, every answer is
          // wrong by construction (another label column, or another model, was meant).
          const own = new Set(clf.task.labels);
          if (!gold.some((g) => own.has(g))) {
            const seen = [...new Set(gold)].slice(0, 5);
            throw new Error(`--label-col ${o.labelCol ?? 'label'}: none of the data's labels (${seen.join(', ')}${new Set(gold).size > 5 ? ', ...' : ''}) is one the model gives (${clf.task.labels.join(', ')})`);
          }
          for (let i = 0; i < texts.length; i += 32) {
            predicted.push(...(await clf.classify(texts.slice(i, i + 32))).map((r) => r.label));
            o.onProgress?.(Math.min(texts.length, i + 32), texts.length);
          }
        } else {
          // A model without a head: zero-shot over the labels the data uses (all its rows, not only
          // the --limit scored: the first rows may all have one label).
          const labels = [...new Set(cols['--label-col'])].sort();
          for (const [i, t] of texts.entries()) {
            predicted.push((await zeroShotClassify(loaded.model, loaded.tokenizer, t, labels)).label);
            o.onProgress?.(i + 1, texts.length);
          }
        }
      }
      predicted.forEach((p, i) => o.onPrediction?.({ input: texts[i], prediction: p, gold: gold[i] }));
      return scoreLabels(predicted, gold);
    }
    default:
      throw new Error(`--task '${String(o.task)}' is not supported (${EVAL_TASKS.join(', ')})`);
  }
}
