// moxing eval: one evaluation (perplexity, qa, choice, classify) of a GPT or a baseline, one JSON
// object per run with --json; progress on stderr.

import type { Command } from 'commander';
import { resolve } from 'node:path';
import { assertWritableTarget, writeFileAtomicSync } from '../../io/atomic-write.js';
import { runEval, EVAL_TASKS, BASELINES, type EvalResult, type EvalTask } from '../../eval/run-eval.js';
import { positiveInt } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface EvalFlags {
  model: string;
  task: string;
  data: string;
  train?: string;
  tokenizer?: string;
  questionCol: string;
  answerCol: string;
  choicesCol: string;
  textCol: string;
  labelCol: string;
  docs?: string;
  limit?: number;
  maxNewTokens: number;
  predictions?: string;
  json?: boolean;
}

/** The result as a line for people. */
export function describeResult(r: EvalResult): string {
  switch (r.task) {
    case 'perplexity': return `${r.tokens} tokens, ${r.nll.toFixed(4)} nats/token (perplexity ${Math.exp(r.nll).toFixed(2)}), ${r.bitsPerByte.toFixed(4)} bits/byte`;
    case 'qa': return `${r.n} questions: exact match ${(100 * r.exactMatch).toFixed(1)}%, F1 ${(100 * r.f1).toFixed(1)}%, contains ${(100 * r.contains).toFixed(1)}%`;
    case 'choice': return `${r.n} items: accuracy ${(100 * r.accuracy).toFixed(1)}%`;
    case 'classify': return `${r.n} texts: accuracy ${(100 * r.accuracy).toFixed(1)}%, macro F1 ${(100 * r.f1).toFixed(1)}%`;
  }
}

export function registerEval(program: Command, io: Io = processIo): void {
  program
    .command('eval')
    .description('evaluate a GPT or a baseline: perplexity (bits per byte), qa (exact match, F1), choice (accuracy by likelihood), classify (accuracy, macro F1)')
    .requiredOption('--model <name|dir>', `a GPT directory or shipped name, or a baseline: ${BASELINES.join(', ')}`)
    .requiredOption('--task <task>', EVAL_TASKS.join(', '))
    .requiredOption('--data <file>', 'perplexity: a text file; the other tasks: a CSV with a header')
    .option('--train <file>', 'baselines: the text (unigram, bigram) or CSV (bow) they learn from')
    .option('--tokenizer <file|model>', 'n-gram baselines: whose tokens to count (default: moxing-base\'s)')
    .option('--question-col <name>', 'qa, choice: the question column', 'question')
    .option('--answer-col <name>', 'qa, choice: the answer column', 'answer')
    .option('--choices-col <name>', "choice: the column of choices separated by '|'", 'choices')
    .option('--text-col <name>', 'classify: the text column', 'text')
    .option('--label-col <name>', 'classify: the label column', 'label')
    .option('--docs <index>', 'qa: answer from a document index (moxing index build)')
    .option('--limit <n>', 'only the first n rows (perplexity: bytes)', positiveInt)
    .option('--max-new-tokens <n>', 'qa: answer length limit', positiveInt, 48)
    .option('--predictions <file.jsonl>', 'write every prediction with its gold answer')
    .option('--json', 'print the result as one JSON object')
    .action(async (f: EvalFlags) => {
      if (!(EVAL_TASKS as readonly string[]).includes(f.task)) throw new UserError(`--task '${f.task}' is not supported (${EVAL_TASKS.join(', ')})`);
      // The predictions are kept in memory and written once, atomically, after the run: a run that
      // fails leaves an earlier file (or the data itself, named by mistake) as it was.
      const predictions: string[] = [];
      if (f.predictions) {
        if (resolve(f.predictions) === resolve(f.data)) throw new UserError(`--predictions ${f.predictions} is the --data file: name another file`);
        try {
          assertWritableTarget(f.predictions);
        } catch (err) {
          throw new UserError(`--predictions ${(err as Error).message}`);
        }
      }
      let last = 0;
      const t0 = Date.now();
      const progress = (done: number, total: number) => {
        const now = Date.now();
        if (now - last < 2000 && done < total) return;
        last = now;
        process.stderr.write(`eval ${f.task} ${f.model}: ${done}/${total} (${((now - t0) / 1000).toFixed(0)} s)\n`);
      };
      let result: EvalResult;
      try {
        result = await runEval({
          model: f.model, task: f.task as EvalTask, data: f.data, train: f.train, tokenizer: f.tokenizer,
          questionCol: f.questionCol, answerCol: f.answerCol, choicesCol: f.choicesCol, textCol: f.textCol, labelCol: f.labelCol,
          docs: f.docs, limit: f.limit, maxNewTokens: f.maxNewTokens, onProgress: progress,
          onPrediction: f.predictions ? (p) => predictions.push(JSON.stringify(p)) : undefined,
        });
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      if (f.predictions) writeFileAtomicSync(f.predictions, predictions.length ? `${predictions.join('\n')}\n` : '');
      io.write(f.json ? `${JSON.stringify(result)}\n` : `${describeResult(result)}\n`);
    });
}
