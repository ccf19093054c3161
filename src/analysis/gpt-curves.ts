// Validation and learning curves of a GPT on a token directory: train and validation loss against one
// setting (width, depth, steps, dropout...) or against training tokens, with the overfitting verdict.

import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { validateConfig, type GPTConfig } from '../llm/config.js';
import { readDataMeta } from '../llm/data.js';
import { DEFAULT_TRAIN, type StepMetrics, type TrainOptions } from '../llm/train.js';
import type { ParamValues } from '../ml/tabular/params.js';
import type { CurveResult, SweepValue } from './curves.js';
import { trainGpt, type GptRunResult } from './gpt-runs.js';
import { learningVerdict, overfittingReport } from './overfitting.js';

const CONFIG_KEYS = ['nLayer', 'nHead', 'nEmbd', 'blockSize', 'dropout', 'bias'] as const;
const TRAIN_KEYS = ['maxSteps', 'batchSize', 'gradAccum', 'lr', 'minLr', 'warmupSteps', 'weightDecay', 'gradClip', 'seed', 'evalEvery', 'evalIters'] as const;

/** Options of the GPT curves. */
export interface GptCurveOptions {
  dataDir: string;
  /** Fixed settings (`--set nLayer=2 maxSteps=300 ...`): GPT config and training keys. */
  params?: ParamValues;
  /** Early stopping patience (evaluations). */
  patience?: number;
  /** Where the runs go (default: a temporary directory, removed afterwards). */
  outDir?: string;
  onRunStart?: (i: number, total: number, what: string) => void;
  onStep?: (m: StepMetrics, maxSteps: number) => void;
}

function settings(dataDir: string, params: ParamValues): { config: GPTConfig; train: TrainOptions } {
  const known = new Set<string>([...CONFIG_KEYS, ...TRAIN_KEYS]);
  for (const k of Object.keys(params)) if (!known.has(k)) throw new Error(`unknown GPT setting '${k}'; settings are: ${[...known].join(', ')}`);
  const meta = readDataMeta(dataDir);
  const num = (k: string, d: number): number => { const v = params[k]; if (v === undefined) return d; if (typeof v !== 'number') throw new Error(`${k} must be a number, got '${String(v)}'`); return v; };
  const nEmbd = num('nEmbd', 32);
  let nHead = num('nHead', 2);
  if (nEmbd % nHead !== 0) nHead = nEmbd % 16 === 0 ? nEmbd / 16 : 1; // a swept width keeps a valid head count
  const config = validateConfig({
    vocabSize: meta.vocabSize, blockSize: num('blockSize', 64), nLayer: num('nLayer', 2), nHead, nEmbd,
    dropout: num('dropout', 0), bias: params.bias === undefined ? true : params.bias === true,
  });
  const maxSteps = num('maxSteps', 200);
  const train: TrainOptions = {
    ...DEFAULT_TRAIN, dataDir, maxSteps, batchSize: num('batchSize', 16), gradAccum: num('gradAccum', 1), lr: num('lr', 1e-3), minLr: num('minLr', 1e-4),
    warmupSteps: num('warmupSteps', Math.min(50, Math.round(maxSteps / 10))), weightDecay: num('weightDecay', 0.1), gradClip: num('gradClip', 1),
    seed: num('seed', 0), evalEvery: num('evalEvery', Math.max(1, Math.round(maxSteps / 10))), evalIters: num('evalIters', 10),
  };
  return { config, train };
}

async function inDir<T>(outDir: string | undefined, f: (dir: string) => Promise<T>): Promise<T> {
  const dir = outDir ?? mkdtempSync(join(tmpdir(), 'moxing-curve-'));
  try {
    return await f(dir);
  } finally {
    if (!outDir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Train and validation loss of a GPT for each value of one setting (the validation loss on the
 * token directory's held-out split: one split, not folds), parameters per setting, verdict.
 * @example await gptValidationCurve('nEmbd', [16, 32, 64, 128], { dataDir: 'data/austen', params: { maxSteps: 300 } });
 */
export async function gptValidationCurve(param: string, values: readonly SweepValue[], o: GptCurveOptions): Promise<CurveResult> {
  return inDir(o.outDir, async (dir) => {
    const runs: GptRunResult[] = [];
    for (const [i, v] of values.entries()) {
      const { config, train } = settings(o.dataDir, { ...(o.params ?? {}), [param]: v });
      o.onRunStart?.(i, values.length, `${param}=${String(v)}: ${config.nLayer} layers x ${config.nEmbd} wide, ${train.maxSteps} steps`);
      runs.push(await trainGpt({ config, train, runDir: join(dir, `${param}-${String(v)}`), patience: o.patience, name: `curve ${param}=${String(v)}`, onStep: o.onStep }));
    }
    const train = runs.map((r) => r.trainLoss);
    const validation = runs.map((r) => r.valLoss);
    const rep = overfittingReport(values, train, validation, { param, higherIsBetter: false, metric: 'loss' });
    return {
      kind: 'validation', model: 'gpt', param, values: [...values], train, validation, trainStd: train.map(() => 0), validationStd: validation.map(() => 0),
      parameters: runs.map((r) => r.parameters), best: values[rep.bestIndex]!, verdict: rep.verdict, state: rep.state, gap: rep.gap,
      turn: rep.turnIndex === null ? null : values[rep.turnIndex]!, metric: 'loss', higherIsBetter: false, folds: 1, rows: runs[0]?.tokens ?? 0,
    };
  });
}

/**
 * Train and validation loss of one GPT run against the tokens it has seen (each evaluation), with
 * the point where validation turns up (where early stopping would stop) and a verdict.
 * @example await gptLearningCurve({ dataDir: 'data/austen', params: { maxSteps: 2000, evalEvery: 100 } });
 */
export async function gptLearningCurve(o: GptCurveOptions): Promise<CurveResult> {
  return inDir(o.outDir, async (dir) => {
    const { config, train } = settings(o.dataDir, o.params ?? {});
    o.onRunStart?.(0, 1, `${config.nLayer} layers x ${config.nEmbd} wide, ${train.maxSteps} steps`);
    const r = await trainGpt({ config, train, runDir: join(dir, 'run'), patience: o.patience, name: 'learning curve', onStep: o.onStep });
    if (r.curve.length < 2) throw new Error('a learning curve needs at least 2 evaluations: lower evalEvery or raise maxSteps');
    const tokens = r.curve.map((c) => c.tokens);
    const tr = r.curve.map((c) => c.trainLoss);
    const va = r.curve.map((c) => c.valLoss);
    const rep = overfittingReport(tokens, tr, va, { param: 'tokens', higherIsBetter: false, metric: 'loss' });
    const lv = learningVerdict(tokens, tr, va, { param: 'tokens', higherIsBetter: false, metric: 'loss' });
    const verdict = rep.state === 'overfits' ? `${rep.verdict}${r.stoppedEarly ? ` Early stopping stopped the run at step ${r.steps}.` : ''}` : lv.verdict;
    return {
      kind: 'learning', model: 'gpt', param: 'trainSize', values: tokens, train: tr, validation: va, trainStd: tr.map(() => 0), validationStd: va.map(() => 0),
      parameters: tokens.map(() => r.parameters), best: tokens[rep.bestIndex]!, verdict, state: rep.state === 'overfits' ? 'overfits' : lv.state, gap: lv.gap,
      turn: rep.turnIndex === null ? null : tokens[rep.turnIndex]!, metric: 'loss', higherIsBetter: false, folds: 1, rows: r.tokens,
    };
  });
}
