// The training loop (nanoGPT's, typed): AdamW with decay on 2-D weights only, warmup + cosine,
// gradient accumulation and clipping, periodic validation, journaled checkpoints, exact resume.

import { existsSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { Rng } from '../tensor/random.js';
import { noGrad } from '../tensor/grad-mode.js';
import { AdamW } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { GradScaler } from '../optim/grad-scaler.js';
import { getPrecision, setPrecision, type Precision } from '../ops/precision.js';
import type { Tensor } from '../tensor/tensor.js';
import { warmupCosineSchedule } from '../optim/schedule.js';
import type { Parameter } from '../nn/module.js';
import { Tokenizer } from '../text/tokenizer.js';
import { GPT } from './gpt.js';
import type { GPTConfig } from './config.js';
import { TokenLoader, readDataMeta, DataError } from './data.js';
import { type RunConfig, type TrainState, RUN_FORMAT, loadOptimizerState, loadRun, readRunConfig, saveCheckpoint, RunDirError } from './run-dir.js';
import { trainOptionsFrom } from './train-options.js';
import { deviceFaultOf, withFaultContext } from '../backends/fault.js';
import { BUDGET_WARM_STEPS, planBudgetSteps, probeDone, type BudgetPlan } from './time-budget.js';

/** Hyper-parameters of a pretraining run (stored in config.json under `train`). */
export interface TrainOptions {
  dataDir: string;
  maxSteps: number;
  batchSize: number;
  gradAccum: number;
  lr: number;
  minLr: number;
  warmupSteps: number;
  /** Step where the cosine reaches minLr (default maxSteps). */
  decaySteps?: number;
  weightDecay: number;
  gradClip: number;
  seed: number;
  evalEvery: number;
  evalIters: number;
  /** Checkpoint every this many steps (default: at each evaluation and at the end). */
  checkpointEvery?: number;
  /**
   * 'mixed': GEMMs on f16 inputs where the device has them (fp32 storage, optimizer state and
   * reductions), with dynamic loss scaling; 'fp32' (default) everywhere else.
   */
  precision?: Precision;
  /**
   * Wall-clock seconds for the run (src/llm/time-budget.ts): its first steps are timed, then
   * maxSteps is set to the steps that fit (never more than maxSteps was) and the cosine ends there.
   */
  timeBudgetSeconds?: number;
}

export const DEFAULT_TRAIN: Omit<TrainOptions, 'dataDir' | 'maxSteps'> = {
  batchSize: 16, gradAccum: 1, lr: 1e-3, minLr: 1e-4, warmupSteps: 50, weightDecay: 0.1, gradClip: 1,
  seed: 0, evalEvery: 100, evalIters: 20,
};

/** One line of metrics.jsonl. */
export interface StepMetrics {
  step: number;
  trainLoss: number;
  valLoss?: number;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
  tokensSeen: number;
  elapsedSeconds: number;
}

export interface TrainHooks {
  /** After every optimizer step (and its evaluation, if any); maxSteps is 0 while a time budget's plan is not made yet. */
  onStep?: (m: StepMetrics, maxSteps: number) => void;
  /** When a time budget's steps are planned. */
  onPlan?: (plan: BudgetPlan) => void;
  /** After a checkpoint is written. */
  onCheckpoint?: (step: number) => void;
  /** Checked between steps: return true to stop after a checkpoint (e.g. SIGINT). */
  shouldStop?: () => boolean;
}

export interface TrainResult {
  step: number;
  trainLoss: number;
  valLoss: number | null;
  tokensPerSecond: number;
  runDir: string;
  /** Set when the run was already at its last step (or at the --max-steps given): nothing was trained. */
  upToDate?: boolean;
  /** With upToDate: the steps the run's own schedule has (above step when a smaller --max-steps stopped it). */
  scheduledSteps?: number;
}

/** AdamW groups as GPT-2/nanoGPT: weight decay on matrices (ndim >= 2), none on biases and norms. */
export function gptOptimizer(model: GPT, o: Pick<TrainOptions, 'lr' | 'weightDecay'>): AdamW {
  const decay: Parameter[] = [];
  const noDecay: Parameter[] = [];
  for (const p of model.parameters()) (p.ndim >= 2 ? decay : noDecay).push(p);
  return new AdamW(
    [{ params: decay, options: { weightDecay: o.weightDecay } }, { params: noDecay, options: { weightDecay: 0 } }],
    { lr: o.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8 },
  );
}

/**
 * One plain training step recorded on the model's device (forward, backward, gradient norm clipped
 * at `clip`, optimizer step): its loss, not read, for throughput probes that choose when to wait.
 * @example const loss = recordStep(model, opt, x, y); await loss.item();
 */
export function recordStep(model: GPT, opt: AdamW, x: Tensor, y: Tensor, clip = 1): Tensor {
  const { loss } = model.forward(x, y);
  loss!.backward();
  clipGradNorm(model.parameters(), clip);
  opt.step();
  opt.zeroGrad();
  return loss!;
}

/** Mean validation loss over `iters` batches drawn with a fixed seed (the same windows every time). */
export async function evaluate(model: GPT, loader: TokenLoader, batchSize: number, iters: number, seed: number): Promise<number> {
  const wasTraining = model.training;
  model.eval();
  const rng = new Rng(seed + 1_000_003);
  // Summed on the device, read once.
  const total = noGrad(() => {
    let sum: Tensor | null = null;
    for (let i = 0; i < iters; i++) {
      const [x, y] = loader.batch(batchSize, model.config.blockSize, rng);
      const l = model.forward(x, y).loss!;
      sum = sum ? sum.add(l) : l;
    }
    return sum;
  });
  model.train(wasTraining);
  return total ? (await total.item()) / iters : NaN;
}

interface Session {
  runDir: string;
  config: RunConfig;
  tokenizer: Tokenizer;
  model: GPT;
  optimizer: AdamW;
  state: TrainState;
  options: TrainOptions;
}

function checkTokenizerMatches(dataDir: string, tokenizer: Tokenizer, what: string): void {
  const meta = readDataMeta(dataDir);
  const dataTok = join(dataDir, 'tokenizer.json');
  const same = existsSync(dataTok) && JSON.stringify(Tokenizer.fromFile(dataTok).toJSON()) === JSON.stringify(tokenizer.toJSON());
  if (!same || meta.vocabSize !== tokenizer.vocabSize) {
    throw new DataError(`${dataDir} was prepared with a different tokenizer than ${what} (vocabulary ${meta.vocabSize} vs ${tokenizer.vocabSize}); prepare the data with the run's tokenizer.json`);
  }
}

/** The run's metrics.jsonl lines up to `step` (parsed and as written); unreadable lines are left out. */
function metricsUpTo(runDir: string, step: number): { lines: string[]; rows: StepMetrics[] } {
  const path = join(runDir, 'metrics.jsonl');
  const lines: string[] = [];
  const rows: StepMetrics[] = [];
  if (!existsSync(path)) return { lines, rows };
  for (const l of readFileSync(path, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    try {
      const m = JSON.parse(l) as StepMetrics;
      if (m.step <= step) { lines.push(l); rows.push(m); }
    } catch {
      // a line torn by a killed process
    }
  }
  return { lines, rows };
}

function trimMetrics(runDir: string, step: number): void {
  // Lines written after the last checkpoint by a killed process would duplicate steps on resume.
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return;
  const { lines } = metricsUpTo(runDir, step);
  // Atomically: a run stopped here keeps its whole curve rather than a torn one.
  writeFileAtomicSync(path, lines.length ? `${lines.join('\n')}\n` : '');
}

/**
 * What resuming a run at or past its last step returns (nothing to train): the losses its metrics
 * recorded last, and no throughput.
 */
function finishedRun(runDir: string, step: number, scheduledSteps: number): TrainResult {
  const { rows } = metricsUpTo(runDir, step);
  const last = rows.at(-1);
  const withVal = rows.filter((m) => m.valLoss !== undefined);
  return { step, trainLoss: last?.trainLoss ?? Number.NaN, valLoss: withVal.at(-1)?.valLoss ?? null, tokensPerSecond: 0, runDir, upToDate: true, scheduledSteps };
}

/**
 * Starts a new run in `outDir`: a fresh GPT (or the weights of `initFrom`, with a fresh schedule).
 * @example await pretrain({ dataDir: 'data/austen', maxSteps: 500, ...DEFAULT_TRAIN }, configFromPreset('micro', { vocabSize }), 'runs/austen')
 */
export async function pretrain(
  options: TrainOptions, modelConfig: GPTConfig | null, outDir: string, hooks: TrainHooks = {}, initFrom?: string,
): Promise<TrainResult> {
  const runDir = resolve(outDir);
  if (existsSync(join(runDir, 'config.json'))) {
    throw new RunDirError(`${runDir} already holds a run; use 'moxing train --resume ${outDir}' to continue it, or choose another --out`);
  }
  const meta = readDataMeta(options.dataDir);
  let model: GPT;
  let tokenizer: Tokenizer;
  let initRun: string | undefined;
  let tokensBefore: number | undefined;
  if (initFrom) {
    const base = await loadRun(initFrom);
    checkTokenizerMatches(options.dataDir, base.tokenizer, `the --init-from run ${initFrom}`);
    model = base.model;
    tokenizer = base.tokenizer;
    initRun = base.dir;
    tokensBefore = (base.config.tokensBefore ?? 0) + (base.state?.tokensSeen ?? 0);
    model.rng.setState(new Rng(options.seed).getState());
  } else {
    if (!modelConfig) throw new Error('pretrain: a model config (or initFrom) is required');
    if (modelConfig.vocabSize < meta.vocabSize) {
      throw new DataError(`--vocab-size ${modelConfig.vocabSize} is smaller than the data's tokenizer vocabulary ${meta.vocabSize}`);
    }
    tokenizer = Tokenizer.fromFile(join(options.dataDir, 'tokenizer.json'));
    model = new GPT(modelConfig, { seed: options.seed });
  }
  const config: RunConfig = {
    format: RUN_FORMAT, kind: 'gpt', model: model.config, train: { ...options, dataDir: resolve(options.dataDir) },
    initFrom: initRun, tokensBefore, createdAt: new Date().toISOString(),
  };
  const state: TrainState = {
    step: 0, modelRng: model.rng.getState(), dataRng: new Rng(options.seed).getState(), tokensSeen: 0, bestValLoss: null,
  };
  // Both shards must hold a window before anything is written: a run folder left behind by a data
  // error would then refuse the corrected command ("already holds a run").
  for (const split of ['train', 'val'] as const) {
    const loader = new TokenLoader(options.dataDir, split);
    try {
      loader.checkFits(model.config.blockSize);
    } finally {
      loader.close();
    }
  }
  const optimizer = gptOptimizer(model, options);
  // A copy: a time budget's plan sets maxSteps on the run's options, not on the caller's object.
  const session: Session = { runDir, config, tokenizer, model, optimizer, state, options: { ...options } };
  await saveCheckpoint(runDir, { config, tokenizer, model, optimizer: optimizer.getState(), state });
  writeFileSync(join(runDir, 'metrics.jsonl'), '');
  return runLoop(session, hooks);
}

/**
 * Continues a run from its last checkpoint: same data order, dropout masks and optimizer state,
 * so the loss curve continues exactly as if never interrupted.
 * @example await resume('runs/austen', { maxSteps: 1000 })
 */
export async function resume(runDir: string, overrides: { maxSteps?: number; precision?: Precision } = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  runDir = resolve(runDir);
  const config = readRunConfig(runDir);
  if (!config.train) throw new RunDirError(`${runDir}: config.json has no training settings to resume`);
  const loaded = await loadRun(runDir);
  if (!loaded.state) throw new RunDirError(`${runDir}: state.json is missing: nothing to resume`);
  const options = trainOptionsFrom(config.train, join(runDir, 'config.json'), (m) => new RunDirError(m));
  const scheduledSteps = options.maxSteps;
  if (overrides.maxSteps !== undefined) {
    options.maxSteps = overrides.maxSteps;
    // Saved with the next checkpoint, so a later plain resume keeps the new schedule (its cosine
    // ends at the new length) instead of going back to the first one.
    config.train = { ...config.train, maxSteps: overrides.maxSteps };
  }
  if (overrides.precision !== undefined) options.precision = overrides.precision;
  // A finished run (or a --max-steps not above its step) has nothing to train: said, not an error, so
  // that scripts which resume until done can run again. Its files are left as they are.
  if (loaded.state.step >= options.maxSteps) return finishedRun(runDir, loaded.state.step, scheduledSteps);
  checkTokenizerMatches(options.dataDir, loaded.tokenizer, `the run ${runDir}`);
  const model = loaded.model;
  model.train();
  const optimizer = gptOptimizer(model, options);
  const optState = await loadOptimizerState(runDir);
  if (optState) optimizer.setState(optState);
  trimMetrics(runDir, loaded.state.step);
  return runLoop({ runDir, config, tokenizer: loaded.tokenizer, model, optimizer, state: loaded.state, options }, hooks);
}

async function runLoop(s: Session, hooks: TrainHooks): Promise<TrainResult> {
  const { model, optimizer, options: o, state } = s;
  const train = new TokenLoader(o.dataDir, 'train');
  const val = new TokenLoader(o.dataDir, 'val');
  const T = model.config.blockSize;
  const scheduleFor = (steps: number) => warmupCosineSchedule({ lr: o.lr, minLr: o.minLr, warmupSteps: o.warmupSteps, decaySteps: o.decaySteps ?? steps });
  let schedule = scheduleFor(o.maxSteps);
  // A time budget not yet planned (a new run, or one resumed from a checkpoint before its plan): the
  // budget counts from here. Its steps before the plan are on the warmup or the start of a cosine
  // over maxSteps, where the rate barely depends on the length.
  let budgetPending = o.timeBudgetSeconds !== undefined && !(state.extra?.timeBudget);
  const budgetFrom = state.step;
  let timedSteps = 0;
  let timedSeconds = 0;
  const dataRng = new Rng(0);
  dataRng.setState(state.dataRng);
  model.rng.setState(state.modelRng);
  model.train();
  const metricsPath = join(s.runDir, 'metrics.jsonl');
  const started = Date.now();
  let lastLoss = NaN;
  let lastVal: number | null = null;
  let tokPerSec = 0;
  // A device fault (a lost GPU, out of device memory) names the step and the last checkpoint. Nothing
  // is saved after one: the error leaves the loop, and a checkpoint the fault interrupted stays an
  // incomplete journal that the next open discards, so the run dir keeps its last good checkpoint.
  let lastSaved = state.step;
  let doing = '';
  const faulted = (err: unknown): unknown => {
    const fault = deviceFaultOf(err);
    if (!fault) return err;
    return withFaultContext(fault, `${doing}; the last checkpoint (step ${lastSaved}) in ${s.runDir} is kept: resume it with 'moxing train --resume ${s.runDir}' (on the cpu if the GPU is gone)`);
  };
  const checkpoint = async (): Promise<void> => {
    state.dataRng = dataRng.getState();
    state.modelRng = model.rng.getState();
    await saveCheckpoint(s.runDir, { config: s.config, tokenizer: s.tokenizer, model, optimizer: optimizer.getState(), state });
    lastSaved = state.step;
    hooks.onCheckpoint?.(state.step);
  };
  const tokensPerStep = o.batchSize * o.gradAccum * T;
  // Steps whose values must be read before the next is recorded: an evaluation or checkpoint follows.
  const boundary = (step: number): boolean => step % o.evalEvery === 0 || step === o.maxSteps
    || (o.checkpointEvery !== undefined && step % o.checkpointEvery === 0) || budgetPending;
  /**
   * Reads a recorded step's values and logs it; at a boundary (`full`) also evaluates, checkpoints
   * and plans the budget; with `stop`, makes sure the run ends on a checkpoint of this step.
   */
  const logStep = async (r: Recorded, full: boolean, stop = false, nextStarted?: number): Promise<void> => {
    doing = `at training step ${r.step}`;
    const [loss, gradNorm] = r.read ?? await readScalars(r.lossT, r.normT);
    // A step's time runs from the start of its recording to the start of the next one's (the pace
    // of a pipelined loop), or to its values' arrival when it is read at once: the steps' times add
    // up to the training time, evaluations and checkpoints left out.
    const stepSeconds = ((nextStarted ?? performance.now()) - r.started) / 1000;
    tokPerSec = tokensPerStep / stepSeconds;
    if (budgetPending && r.step > budgetFrom + BUDGET_WARM_STEPS) { timedSteps++; timedSeconds += stepSeconds; }
    const planNow = full && budgetPending && probeDone(timedSteps, timedSeconds, o.timeBudgetSeconds!);
    lastLoss = loss;
    const m: StepMetrics = {
      step: r.step, trainLoss: loss, lr: r.lr, gradNorm, tokensPerSecond: tokPerSec, tokensSeen: r.tokensSeen,
      elapsedSeconds: (Date.now() - started) / 1000,
    };
    // The plan times an evaluation and a checkpoint as well.
    const evalNow = full && (r.step % o.evalEvery === 0 || r.step === o.maxSteps || planNow);
    const tEval = performance.now();
    if (evalNow) {
      doing = `while evaluating at step ${r.step}`;
      lastVal = await evaluate(model, val, o.batchSize, o.evalIters, o.seed);
      m.valLoss = lastVal;
      if (state.bestValLoss === null || lastVal < state.bestValLoss) state.bestValLoss = lastVal;
    }
    const evalSeconds = (performance.now() - tEval) / 1000; // with this step's eval, when it has one
    appendFileSync(metricsPath, `${JSON.stringify(m)}\n`);
    hooks.onStep?.(m, budgetPending ? 0 : o.maxSteps);
    if (!full) return;
    const ckptNow = evalNow || (o.checkpointEvery !== undefined && r.step % o.checkpointEvery === 0);
    doing = `while writing the checkpoint of step ${r.step}`;
    const tCkpt = performance.now();
    if (ckptNow) await checkpoint();
    if (planNow) {
      const checkpointSeconds = (performance.now() - tCkpt) / 1000;
      const plan: BudgetPlan = {
        budgetSeconds: o.timeBudgetSeconds!, atStep: r.step, elapsedSeconds: (Date.now() - started) / 1000,
        stepSeconds: timedSeconds / timedSteps, evalSeconds: evalSeconds + checkpointSeconds, steps: 0,
      };
      // Checkpoints between evaluations (checkpointEvery) are a step cost of their own.
      const between = o.checkpointEvery !== undefined ? checkpointSeconds / o.checkpointEvery : 0;
      plan.steps = planBudgetSteps({ ...plan, stepSeconds: plan.stepSeconds + between, step: r.step, evalEvery: o.evalEvery, maxSteps: o.maxSteps });
      budgetPending = false;
      o.maxSteps = plan.steps;
      schedule = scheduleFor(plan.steps);
      s.config.train = { ...s.config.train!, maxSteps: plan.steps };
      state.extra = { ...state.extra, timeBudget: plan };
      hooks.onPlan?.(plan);
      // Written at once (the checkpoint above, which it was timed with, predates it): a run
      // stopped or killed from here on resumes to this plan, not to a new one.
      await checkpoint();
    }
    if (stop && !ckptNow && !planNow) await checkpoint();
  };
  const scaler = o.precision === 'mixed' ? new GradScaler() : null;
  const previousPrecision = getPrecision();
  setPrecision(o.precision ?? 'fp32');
  try {
    // A step's loss and gradient norm are read (the host waits for the device) only after the next
    // step is recorded, so a GPU always has a step queued while the host records the next (every
    // read otherwise left it idle for as long as recording takes). Evaluations, checkpoints, the
    // budget's plan and a stop wait for their step's values first; so does mixed precision, whose
    // loss scaler must see the norm before the optimizer steps. On the cpu every read is immediate.
    let pending: Recorded | null = null;
    while (state.step < o.maxSteps) try {
      doing = `at training step ${state.step + 1}`;
      const recordStart = performance.now();
      const lr = schedule(state.step);
      optimizer.setLr(lr);
      let lossT: Tensor | null = null; // the step's mean loss, kept on the device until logged
      for (let micro = 0; micro < o.gradAccum; micro++) {
        const [x, y] = train.batch(o.batchSize, T, dataRng);
        const l = model.forward(x, y).loss!;
        const part = o.gradAccum > 1 ? l.div(o.gradAccum) : l;
        lossT = noGrad(() => (lossT ? lossT.add(part) : part.detach()));
        (scaler ? scaler.scale(part) : part).backward();
      }
      if (scaler) scaler.unscale(model.parameters());
      // Mixed precision needs the norm every step: a non-finite one means the gradients overflowed.
      const clip = o.gradClip > 0 ? o.gradClip : scaler ? Infinity : 0;
      const normT = clip > 0 ? clipGradNorm(model.parameters(), clip) : null;
      let read: [number, number] | null = null;
      if (scaler) {
        read = await readScalars(lossT, normT);
        if (scaler.update(Number.isFinite(read[1]))) optimizer.step();
      } else optimizer.step();
      optimizer.zeroGrad();
      state.step++;
      state.tokensSeen += o.batchSize * o.gradAccum * T;
      const current: Recorded = { step: state.step, lr, lossT, normT, read, tokensSeen: state.tokensSeen, started: recordStart };
      // The step before this one, whose values the device has had the time of this recording to finish.
      if (pending) await logStep(pending, false, false, recordStart);
      pending = null;
      // Asked once per step, after it is recorded and before the next is: a stop ends on this step.
      const stop = hooks.shouldStop?.() ?? false;
      if (stop || scaler || boundary(current.step)) {
        await logStep(current, true, stop);
        if (stop) break;
      } else pending = current;
    } catch (err) {
      throw faulted(err);
    }
  } finally {
    setPrecision(previousPrecision);
    train.close();
    val.close();
  }
  return { step: state.step, trainLoss: lastLoss, valLoss: lastVal, tokensPerSecond: tokPerSec, runDir: s.runDir };
}

/** A step recorded on the device: its values are read when it is logged. */
interface Recorded {
  step: number;
  lr: number;
  lossT: Tensor | null;
  normT: Tensor | null;
  /** Read already (mixed precision reads before the optimizer steps). */
  read: [number, number] | null;
  tokensSeen: number;
  /** When its recording started (performance.now()). */
  started: number;
}

/** Host values of a step's loss and gradient norm (NaN for a missing one): the loop's one read per step. */
async function readScalars(loss: Tensor | null, norm: Tensor | null): Promise<[number, number]> {
  return [loss ? await loss.item() : NaN, norm ? await norm.item() : NaN];
}
