// moxing finetune: adapt a pretrained GPT to a task (classify and ask, which use the result, have their own files).

import type { Command } from 'commander';
import { readCsv } from '../../data/csv.js';
import { column, type Table } from '../../data/table.js';
import { finetuneClassifier, finetuneQA, DEFAULT_FINETUNE, DEFAULT_MAX_WINDOWS, type FinetuneOptions } from '../../llm/finetune.js';
import { resolveModelPath } from '../../llm/models.js';
import { finiteNumber, fraction, nonNegativeInt, positiveInt, precision } from '../options.js';
import { TrainingProgress } from '../progress.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';
import { startTracking } from '../../runs/tracker.js';

/** The text values of a column (numbers become their decimal text; missing cells become ''). */
function textColumn(t: Table, name: string, flag: string): string[] {
  let c;
  try {
    c = column(t, name);
  } catch (err) {
    throw new UserError(`${flag} ${name}: ${(err as Error).message}`);
  }
  return Array.from(c.values as ArrayLike<string | number | null>, (v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v)));
}

interface FinetuneFlags {
  from: string;
  task: string;
  data: string;
  out: string;
  textCol: string;
  labelCol: string;
  questionCol: string;
  answerCol: string;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  valFraction: number;
  seed: number;
  precision: 'fp32' | 'mixed';
  pooling: 'last' | 'mean';
  maxWindows: number;
  freezeBody?: boolean;
  dropout?: number;
  soup: number;
  shuffleSeed?: number;
  json?: boolean;
}

export function registerFinetune(program: Command, io: Io = processIo): void {
  const d = DEFAULT_FINETUNE;
  program
    .command('finetune')
    .description('fine-tune a pretrained GPT: --task classify (a head on pooled states) or --task qa (answers only)')
    .requiredOption('--from <run-dir|name>', 'pretrained model directory or shipped name')
    .requiredOption('--task <task>', 'classify or qa')
    .requiredOption('--data <file.csv>', 'training data (CSV with a header)')
    .requiredOption('--out <dir>', 'directory for the fine-tuned model')
    .option('--text-col <name>', 'classify: the text column', 'text')
    .option('--label-col <name>', 'classify: the label column', 'label')
    .option('--question-col <name>', 'qa: the question column', 'question')
    .option('--answer-col <name>', 'qa: the answer column', 'answer')
    .option('--pooling <how>', 'classify: last (token) or mean pooling', 'mean')
    .option('--max-windows <n>', 'classify: read a long text in up to n windows of the context, pooled together', positiveInt, DEFAULT_MAX_WINDOWS)
    .option('--freeze-body', 'classify: train only the head')
    .option('--epochs <n>', 'passes over the data', positiveInt, d.epochs)
    .option('--batch-size <n>', 'examples per step', positiveInt, d.batchSize)
    .option('--lr <x>', 'peak learning rate', finiteNumber, d.lr)
    .option('--weight-decay <x>', 'AdamW decay on 2-D weights', finiteNumber, d.weightDecay)
    .option('--val-fraction <f>', 'fraction held out for validation', fraction, d.valFraction)
    .option('--seed <n>', 'random seed', nonNegativeInt, d.seed)
    .option('--dropout <p>', 'dropout in the transformer while fine-tuning (default: the pretrained model\'s, usually 0)', fraction)
    .option('--soup <n>', 'classify: fine-tune n members, each on its own order of the data, and save the average of their weights', positiveInt, 1)
    .option('--shuffle-seed <n>', 'classify: the order the data is seen in (default: --seed); runs that differ only here can be merged into a soup', nonNegativeInt)
    .option('--precision <p>', 'fp32, or mixed: f16 matrix products with loss scaling where the device has f16', precision, 'fp32')
    .option('--json', 'print the validation metrics as one JSON object')
    .action(async (f: FinetuneFlags) => {
      if (f.task !== 'classify' && f.task !== 'qa') throw new UserError(`--task '${f.task}' is not supported (classify or qa)`);
      if (f.pooling !== 'last' && f.pooling !== 'mean') throw new UserError(`--pooling '${f.pooling}' is not supported (last or mean)`);
      const from = resolveModelPath(f.from);
      const table = readCsv(f.data);
      let progress: TrainingProgress | null = null;
      // A classify-only setting given to qa would be ignored without a word: refuse it instead.
      if (f.task === 'qa') {
        const given = [f.soup > 1 && '--soup', f.freezeBody && '--freeze-body', f.shuffleSeed !== undefined && '--shuffle-seed'].filter(Boolean);
        if (given.length > 0) throw new UserError(`${given.join(', ')}: classify only (--task qa fine-tunes one model, body and all, in --seed's order)`);
      }
      // The run's settings as tracked: the task's own columns and options only (the other task's defaults mean nothing here).
      const { textCol, labelCol, questionCol, answerCol, pooling, maxWindows, freezeBody, soup, shuffleSeed, ...rest } = f;
      const settings = f.task === 'qa' ? { questionCol, answerCol } : { textCol, labelCol, pooling, maxWindows, freezeBody, soup, shuffleSeed };
      const tracker = startTracking('finetune', { ...rest, ...settings }, { runDir: f.out, initFrom: from });
      const o: FinetuneOptions = {
        epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, weightDecay: f.weightDecay, valFraction: f.valFraction, seed: f.seed,
        trainBody: !f.freezeBody, precision: f.precision, dropout: f.dropout, soup: f.soup, shuffleSeed: f.shuffleSeed,
        onStep: ({ step, total, loss }) => {
          // Progress goes to stderr, so it shows with --json too (stdout keeps the one JSON object), as pretrain's does.
          progress ??= new TrainingProgress(total, 0);
          progress.update({ step, trainLoss: loss, tokensPerSecond: 0 });
          tracker.log(step, { trainLoss: loss });
        },
      };
      try {
        if (f.task === 'classify') {
          const res = await finetuneClassifier(from, textColumn(table, f.textCol, '--text-col'), textColumn(table, f.labelCol, '--label-col'), f.out, o,
            { pooling: f.pooling, maxWindows: f.maxWindows, textCol: f.textCol, labelCol: f.labelCol });
          (progress as TrainingProgress | null)?.stop();
          tracker.log(o.epochs, { valAccuracy: res.metrics.accuracy, valF1: res.metrics.f1 });
          if (f.json) io.write(`${JSON.stringify({ task: 'classify', labels: res.labels, ...res.metrics })}\n`);
          else {
            const members = res.metrics.memberAccuracy;
            const soup = members ? `; the average of ${members.length} members, which alone scored ${members.map((a) => a.toFixed(4)).join(', ')}` : '';
            io.write(`validation accuracy ${res.metrics.accuracy.toFixed(4)}, macro F1 ${res.metrics.f1.toFixed(4)} (${res.metrics.valExamples} held-out examples; labels ${res.labels.join(', ')}${soup}); saved ${res.outDir}\n`);
          }
        } else {
          const res = await finetuneQA(from, textColumn(table, f.questionCol, '--question-col'), textColumn(table, f.answerCol, '--answer-col'), f.out, o);
          (progress as TrainingProgress | null)?.stop();
          tracker.log(o.epochs, { valLoss: res.metrics.valLoss, exactMatch: res.metrics.exactMatch });
          if (f.json) io.write(`${JSON.stringify({ task: 'qa', ...res.metrics })}\n`);
          else io.write(`validation loss ${res.metrics.valLoss.toFixed(4)}, exact match ${(100 * res.metrics.exactMatch).toFixed(1)}% on ${res.metrics.valExamples} held-out questions; saved ${res.outDir}\n`);
        }
        tracker.artifact(f.out, 'run-dir');
        tracker.finish('finished');
      } catch (err) {
        tracker.finish('failed');
        throw err;
      } finally {
        (progress as TrainingProgress | null)?.stop();
      }
    });
}
