// moxing pretrain / moxing train --resume: self-supervised next-token training of a GPT.

import type { Command } from 'commander';
import type { GPTConfig } from '../../llm/config.js';
import { addShapeOptions, configFromFlags, type ShapeFlags } from '../gpt-shape.js';
import { readDataMeta } from '../../llm/data.js';
import { pretrain, resume, DEFAULT_TRAIN, type TrainHooks, type TrainOptions, type TrainResult } from '../../llm/train.js';
import { finiteNumber, fraction, nonNegativeInt, positiveInt, positiveNumber, precision } from '../options.js';
import { TrainingProgress } from '../progress.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';
import { startTracking } from '../../runs/tracker.js';
import type { BudgetPlan } from '../../llm/time-budget.js';

/**
 * A time budget's run has no step count of its own until its plan (src/llm/time-budget.ts); this
 * bound is never reached in practice (a step a millisecond would take 12 days).
 */
const BUDGET_STEP_BOUND = 1_000_000_000;

interface PretrainFlags extends ShapeFlags {
  data: string;
  out: string;
  maxSteps?: number;
  timeBudget?: number;
  batchSize: number;
  gradAccum: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  gradClip: number;
  dropout: number;
  seed: number;
  evalEvery: number;
  evalIters: number;
  initFrom?: string;
  bias: boolean;
  precision: 'fp32' | 'mixed';
  json?: boolean;
}

/** Runs training with progress on stderr, Ctrl-C stopping after a checkpoint, and the --json summary. */
async function withProgress(
  io: Io, json: boolean | undefined, tracking: { kind: 'pretrain' | 'train'; config: Record<string, unknown>; runDir: string; initFrom?: string },
  run: (hooks: TrainHooks) => Promise<TrainResult>,
): Promise<void> {
  const tracker = startTracking(tracking.kind, tracking.config, { runDir: tracking.runDir, initFrom: tracking.initFrom });
  let stop = false;
  let progress = null as TrainingProgress | null;
  let lastTiming = 0;
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('\nstopping after the next step (checkpoint first); Ctrl-C again to quit now\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await run({
      onStep: (m, total) => {
        // total 0: a time budget's first steps, before the plan says how many there will be (5% of
        // the budget: minutes of a long one), said in a line every few seconds.
        if (total > 0) {
          progress ??= new TrainingProgress(total, m.step - 1);
          progress.update(m);
        } else if (Date.now() - lastTiming > 5000) {
          lastTiming = Date.now();
          process.stderr.write(`step ${m.step} loss ${m.trainLoss.toFixed(4)}: timing the first steps for the time budget\n`);
        }
        const { step, ...values } = m;
        tracker.log(step, values);
      },
      onPlan: (p: BudgetPlan) => {
        process.stderr.write(`time budget ${formatMinutes(p.budgetSeconds)}: ${p.steps} steps (${p.stepSeconds.toFixed(3)} s a step, ${p.evalSeconds.toFixed(1)} s an evaluation and checkpoint; timed at step ${p.atStep}, ${p.elapsedSeconds.toFixed(1)} s in)\n`);
      },
      shouldStop: () => stop,
    });
    progress?.stop();
    tracker.artifact(result.runDir, 'run-dir');
    tracker.finish(stop ? 'interrupted' : 'finished');
    const summary = { step: result.step, trainLoss: result.trainLoss, valLoss: result.valLoss, tokensPerSecond: result.tokensPerSecond };
    if (result.upToDate) {
      const scheduled = result.scheduledSteps ?? result.step;
      process.stderr.write(result.step >= scheduled
        ? `the run is already at its last step (${result.step}): nothing to train (a --max-steps above ${result.step} continues it)\n`
        : `--max-steps is not above the run's step ${result.step} (its schedule runs to ${scheduled}): nothing to train\n`);
    }
    if (json) io.write(`${JSON.stringify(summary)}\n`);
    else io.write(`step ${result.step}: train loss ${result.trainLoss.toFixed(4)}, validation loss ${result.valLoss?.toFixed(4) ?? '-'}, ${Math.round(result.tokensPerSecond)} tokens/s; run saved in ${result.runDir}\n`);
  } catch (err) {
    tracker.finish('failed');
    throw err;
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
  }
}

function formatMinutes(seconds: number): string {
  return seconds >= 60 ? `${+(seconds / 60).toFixed(2)} min` : `${+seconds.toFixed(1)} s`;
}

function modelConfig(f: PretrainFlags, vocabSize: number): GPTConfig {
  return configFromFlags(f, { vocabSize, dropout: f.dropout, bias: f.bias });
}

export function registerPretrain(program: Command, io: Io = processIo): void {
  const d = DEFAULT_TRAIN;
  addShapeOptions(program.command('pretrain'), 'vocabulary size (default: the tokenizer\'s)')
    .description('pretrain a GPT on prepared token data (next-token prediction)')
    .requiredOption('--data <dir>', 'data directory from `moxing data prepare`')
    .requiredOption('--out <run-dir>', 'run directory to create')
    .option('--no-bias', 'no biases in linear layers and layer norms')
    .option('--init-from <run-dir>', 'start from this run\'s weights with a fresh schedule (continued pretraining)')
    .option('--max-steps <n>', 'optimizer steps (with --time-budget: at most this many)', positiveInt)
    .option('--time-budget <minutes>', 'train for about this long (wall clock, evaluations and checkpoints included): the first steps are timed and the schedule is set to the steps that fit', positiveNumber)
    .option('--batch-size <n>', 'sequences per micro-batch', positiveInt, d.batchSize)
    .option('--grad-accum <n>', 'micro-batches per step', positiveInt, d.gradAccum)
    .option('--lr <x>', 'peak learning rate', finiteNumber, d.lr)
    .option('--min-lr <x>', 'final learning rate of the cosine', finiteNumber, d.minLr)
    .option('--warmup-steps <n>', 'linear warmup steps', nonNegativeInt, d.warmupSteps)
    .option('--weight-decay <x>', 'AdamW decay on 2-D weights', finiteNumber, d.weightDecay)
    .option('--grad-clip <x>', 'clip the global gradient norm (0: off)', finiteNumber, d.gradClip)
    .option('--dropout <p>', 'dropout probability', fraction, 0)
    .option('--seed <n>', 'random seed', nonNegativeInt, d.seed)
    .option('--eval-every <n>', 'validate (and checkpoint) every n steps', positiveInt, d.evalEvery)
    .option('--eval-iters <n>', 'validation batches per evaluation', positiveInt, d.evalIters)
    .option('--precision <p>', 'fp32, or mixed: f16 matrix products with loss scaling where the device has f16', precision, 'fp32')
    .option('--json', 'last stdout line: {"step","trainLoss","valLoss","tokensPerSecond"}')
    .action(async (f: PretrainFlags) => {
      if (f.maxSteps === undefined && f.timeBudget === undefined) throw new UserError('pretrain needs --max-steps <n>, --time-budget <minutes>, or both');
      const meta = readDataMeta(f.data);
      if (f.initFrom && (f.preset || f.nLayer || f.nHead || f.nEmbd)) {
        throw new UserError('--init-from takes the model shape from that run: drop --preset/--n-layer/--n-head/--n-embd');
      }
      const options: TrainOptions = {
        dataDir: f.data, maxSteps: f.maxSteps ?? BUDGET_STEP_BOUND, batchSize: f.batchSize, gradAccum: f.gradAccum, lr: f.lr, minLr: f.minLr,
        warmupSteps: f.warmupSteps, weightDecay: f.weightDecay, gradClip: f.gradClip, seed: f.seed, evalEvery: f.evalEvery,
        evalIters: f.evalIters, precision: f.precision,
        ...(f.timeBudget !== undefined ? { timeBudgetSeconds: f.timeBudget * 60 } : {}),
      };
      const config = f.initFrom ? null : modelConfig(f, meta.vocabSize);
      const tracking = { kind: 'pretrain' as const, config: { ...options, model: config ?? undefined }, runDir: f.out, initFrom: f.initFrom };
      await withProgress(io, f.json, tracking, (hooks) => pretrain(options, config, f.out, hooks, f.initFrom));
    });
}

export function registerTrain(program: Command, io: Io = processIo): void {
  program
    .command('train')
    .description('continue a pretraining run from its last checkpoint')
    .requiredOption('--resume <run-dir>', 'run directory to continue')
    .option('--max-steps <n>', 'train until this step (default: the run\'s own)', positiveInt)
    .option('--precision <p>', 'fp32 or mixed (default: the run\'s own)', precision)
    .option('--json', 'last stdout line: {"step","trainLoss","valLoss","tokensPerSecond"}')
    .action(async (f: { resume: string; maxSteps?: number; precision?: 'fp32' | 'mixed'; json?: boolean }) => {
      const tracking = { kind: 'train' as const, config: { resume: f.resume, maxSteps: f.maxSteps }, runDir: f.resume, initFrom: f.resume };
      await withProgress(io, f.json, tracking, (hooks) => resume(f.resume, { maxSteps: f.maxSteps, precision: f.precision }, hooks));
    });
}
