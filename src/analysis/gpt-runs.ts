// One measured GPT training run for the analyses: pretrain with early stopping on validation loss,
// tracked like any run, then train and validation loss on the same fixed windows, parameters and FLOPs.

import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GPTConfig } from '../llm/config.js';
import { pretrain, evaluate, type StepMetrics, type TrainOptions } from '../llm/train.js';
import { loadRun } from '../llm/run-dir.js';
import { TokenLoader } from '../llm/data.js';
import { sizeReport } from '../llm/size.js';
import { startTracking } from '../runs/tracker.js';
import { EarlyStopping } from './early-stopping.js';

/** What {@link trainGpt} trains. */
export interface GptRunSpec {
  config: GPTConfig;
  train: TrainOptions;
  runDir: string;
  /** Stop after this many evaluations without a better validation loss (off when undefined). */
  patience?: number;
  /** Validation batches for the final train/validation measurement (default: train.evalIters). */
  finalEvalIters?: number;
  /** Tracking: the sweep's run as parent, a name. */
  parentRunId?: string;
  name?: string;
  onStep?: (m: StepMetrics, maxSteps: number) => void;
}

/** The measurements of one run. */
export interface GptRunResult {
  runDir: string;
  runId: string | undefined;
  config: GPTConfig;
  parameters: number;
  nonEmbeddingParameters: number;
  steps: number;
  tokens: number;
  /** Training compute: trainingFlopsPerToken x tokens (6 N D with attention). */
  flops: number;
  /** Mean loss on fixed training windows at the end (the model in eval mode). */
  trainLoss: number;
  /** Mean loss on the validation split at the end. */
  valLoss: number;
  /** The best validation loss seen at an evaluation, and its step (its weights: best.safetensors). */
  bestValLoss: number;
  bestStep: number;
  stoppedEarly: boolean;
  seconds: number;
  /** (step, trainLoss, valLoss) at each evaluation: the learning curve. */
  curve: Array<{ step: number; tokens: number; trainLoss: number; valLoss: number }>;
}

/**
 * Pretrains one GPT and measures it; the weights of the best evaluation are kept in best.safetensors.
 * @example
 * const r = await trainGpt({ config, train: { ...DEFAULT_TRAIN, dataDir: 'data/austen', maxSteps: 300 }, runDir: 'runs/s1', patience: 3 });
 * r.valLoss; r.flops;
 */
export async function trainGpt(spec: GptRunSpec): Promise<GptRunResult> {
  const size = sizeReport(spec.config);
  const t0 = performance.now();
  const es = spec.patience !== undefined ? new EarlyStopping({ patience: spec.patience }) : null;
  const tracker = startTracking('pretrain', { ...spec.train, model: spec.config, patience: spec.patience }, { runDir: spec.runDir, parentRunId: spec.parentRunId, name: spec.name });
  const curve: GptRunResult['curve'] = [];
  let window: number[] = [];
  let best = { loss: Infinity, step: 0 };
  try {
    await pretrain(spec.train, spec.config, spec.runDir, {
      onStep: (m, total) => {
        window.push(m.trainLoss);
        if (m.valLoss !== undefined) {
          // The mean batch loss since the last evaluation stands for the training loss at this point.
          curve.push({ step: m.step, tokens: m.tokensSeen, trainLoss: window.reduce((s, v) => s + v, 0) / window.length, valLoss: m.valLoss });
          window = [];
          if (m.valLoss < best.loss) best = { loss: m.valLoss, step: m.step };
          es?.update(m.step, m.valLoss);
        }
        const { step, ...values } = m;
        tracker.log(step, values);
        spec.onStep?.(m, total);
      },
      // The checkpoint of a new best evaluation is written right after it: keep its weights.
      onCheckpoint: (step) => {
        if (step === best.step && existsSync(join(spec.runDir, 'model.safetensors'))) copyFileSync(join(spec.runDir, 'model.safetensors'), join(spec.runDir, 'best.safetensors'));
      },
      shouldStop: () => es?.shouldStop ?? false,
    });
    const run = await loadRun(spec.runDir);
    const iters = spec.finalEvalIters ?? spec.train.evalIters;
    const trainLoader = new TokenLoader(spec.train.dataDir, 'train');
    const valLoader = new TokenLoader(spec.train.dataDir, 'val');
    let trainLoss: number;
    let valLoss: number;
    try {
      trainLoss = await evaluate(run.model, trainLoader, spec.train.batchSize, iters, spec.train.seed);
      valLoss = await evaluate(run.model, valLoader, spec.train.batchSize, iters, spec.train.seed);
    } finally {
      trainLoader.close();
      valLoader.close();
    }
    const steps = run.state?.step ?? spec.train.maxSteps;
    const tokens = run.state?.tokensSeen ?? steps * spec.train.batchSize * spec.train.gradAccum * spec.config.blockSize;
    tracker.log(steps, { finalTrainLoss: trainLoss, finalValLoss: valLoss });
    tracker.artifact(spec.runDir, 'run-dir');
    tracker.finish('finished');
    return {
      runDir: spec.runDir, runId: tracker.runId, config: spec.config, parameters: size.parameters, nonEmbeddingParameters: size.nonEmbeddingParameters,
      steps, tokens, flops: size.trainingFlopsPerToken * tokens, trainLoss, valLoss,
      bestValLoss: Math.min(best.loss, valLoss), bestStep: best.loss <= valLoss ? best.step : steps,
      stoppedEarly: es?.shouldStop ?? false, seconds: (performance.now() - t0) / 1000, curve,
    };
  } catch (err) {
    tracker.finish('failed');
    throw err;
  }
}
