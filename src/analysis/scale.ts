// Scaling sweeps: a family of GPTs with matched settings trained on one token directory, final
// validation loss against parameters, tokens and compute, and the fitted laws of Kaplan et al. 2020
// (L(N) = E + A / N^alpha) and Hoffmann et al. 2022 (L(N, D), isoflop profiles, tokens per parameter).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../io/atomic-write.js';
import { join, resolve } from 'node:path';
import type { GPTConfig } from '../llm/config.js';
import { readDataMeta } from '../llm/data.js';
import { sizeReport } from '../llm/size.js';
import { DEFAULT_TRAIN, type StepMetrics, type TrainOptions } from '../llm/train.js';
import { startTracking } from '../runs/tracker.js';
import { trainGpt, type GptRunResult } from './gpt-runs.js';
import { computeOptimal, fitDataLaw, fitIsoflop, fitPowerLaw, predictPowerLaw, type DataLawFit, type IsoflopFit, type PowerLawFit } from './power-law.js';

/** Which parameters a size counts: Kaplan's non-embedding ones (default) or all. */
export type SizeCount = 'non-embedding' | 'total';

/**
 * The GPT shape whose parameter count is nearest `target`: widths in multiples of 16, heads of
 * 16-32 dimensions, at least 2 layers, width/depth near 24. Kaplan et al. find shape matters little
 * near convergence, but a short sweep's small models are far from it and a 4-layer model can lose
 * to a 2-layer one of half its size, so the aspect ratio weighs nearly as much as the size: depth and
 * width then both grow with the target (2x48, 2x64, 3x80, 4x96, 5x128, 7x160 for 50k-2m).
 * @example configForSize(100_000, { vocabSize: 512, blockSize: 64 }); // { nLayer: 2, nEmbd: 64, ... }
 */
export function configForSize(target: number, base: { vocabSize: number; blockSize: number; count?: SizeCount }): GPTConfig {
  let best: { cfg: GPTConfig; score: number } | null = null;
  for (let L = 2; L <= 24; L++) {
    for (let C = 16; C <= 2048; C += 16) {
      const nHead = C >= 128 && C % 32 === 0 ? C / 32 : C / 16;
      const cfg: GPTConfig = { vocabSize: base.vocabSize, blockSize: base.blockSize, nLayer: L, nHead, nEmbd: C, dropout: 0, bias: true };
      const r = sizeReport(cfg);
      const n = (base.count ?? 'non-embedding') === 'total' ? r.parameters : r.nonEmbeddingParameters;
      const score = Math.abs(Math.log(n / target)) + 0.75 * Math.abs(Math.log(C / L / 24));
      if (!best || score < best.score) best = { cfg, score };
    }
  }
  return best!.cfg;
}

/** Kaplan et al. 2020's learning rate for N non-embedding parameters (their eq. D.1), floored at 3e-4. */
export function kaplanLr(n: number): number {
  return Math.max(3e-4, 0.003239 - 0.0001395 * Math.log(n));
}

/** Options of {@link scaleSweep}. */
export interface ScaleOptions {
  dataDir: string;
  /** Target sizes (parameters, counted as `count`). */
  sizes: number[];
  /** Tokens per model, or FLOPs per model with isoflop; several budgets make several profiles. */
  budgets: number[];
  /** Budgets are FLOPs: every size gets the same compute (D = C / FLOPs per token). Otherwise the same tokens. */
  isoflop: boolean;
  outDir: string;
  count?: SizeCount;
  blockSize?: number;
  batchSize?: number;
  /** A fixed peak learning rate; default Kaplan's lr(N). */
  lr?: number;
  seed?: number;
  evalIters?: number;
  /** Early stopping patience in evaluations (default none: a scaling run trains to its budget). */
  patience?: number;
  /** The size left out of the fit and predicted (default: the largest, an extrapolation). */
  holdout?: number | null;
  onRunStart?: (i: number, total: number, label: string) => void;
  onStep?: (m: StepMetrics, maxSteps: number) => void;
}

/** One measured member of the family. */
export interface ScaleRun {
  size: number;
  budget: number;
  parameters: number;
  nonEmbeddingParameters: number;
  /** The count the laws use (non-embedding by default). */
  n: number;
  config: { nLayer: number; nHead: number; nEmbd: number; blockSize: number; vocabSize: number };
  steps: number;
  tokens: number;
  flops: number;
  lr: number;
  trainLoss: number;
  valLoss: number;
  seconds: number;
  runDir: string;
  runId?: string;
}

/** What `moxing scale --json` prints. */
export interface ScaleResult {
  dataDir: string;
  count: SizeCount;
  isoflop: boolean;
  budgets: number[];
  runs: ScaleRun[];
  /** L(N) over every run of the first budget (fixed tokens) or null when it cannot be fit. */
  fit: (PowerLawFit & { budget: number }) | null;
  heldOut: { n: number; actual: number; predicted: number; relativeError: number; fit: PowerLawFit } | null;
  isoflops: IsoflopFit[];
  dataLaw: DataLawFit | null;
  /** Compute-optimal tokens per parameter implied by the sweep (the data law, else the isoflop vertex); null if it does not say. */
  tokensPerParameter: { value: number; interval: [number, number] | null; from: 'data-law' | 'isoflop'; compute: number } | null;
  notes: string[];
  seconds: number;
  runId?: string;
}

const label = (n: number): string => (n >= 1e9 ? n.toExponential(2).replace(/\.?0*e\+/, 'e') : n >= 1e6 ? `${Number((n / 1e6).toPrecision(3))}m`
  : n >= 1e3 ? `${Number((n / 1e3).toPrecision(3))}k` : String(n));

/**
 * Trains the family (each run tracked with the sweep as parent; finished runs are reused on rerun),
 * then fits the laws.
 * @example
 * const r = await scaleSweep({ dataDir: 'data/austen', sizes: [2e4, 5e4, 1e5, 2e5, 5e5], budgets: [2e6], isoflop: false, outDir: 'runs/scale' });
 * r.fit?.alpha; r.heldOut?.relativeError;
 */
export async function scaleSweep(o: ScaleOptions): Promise<ScaleResult> {
  const t0 = performance.now();
  const meta = readDataMeta(o.dataDir);
  const count = o.count ?? 'non-embedding';
  const blockSize = o.blockSize ?? 64;
  const batchSize = o.batchSize ?? 16;
  const sizes = [...new Set(o.sizes)].sort((a, b) => a - b);
  if (sizes.length < 3) throw new Error(`a sweep needs at least 3 sizes to fit E, A and alpha, got ${sizes.length}`);
  mkdirSync(o.outDir, { recursive: true });
  const tracker = startTracking('scale', { dataDir: resolve(o.dataDir), sizes, budgets: o.budgets, isoflop: o.isoflop, blockSize, batchSize, count }, { runDir: resolve(o.outDir), name: `scale ${sizes.map(label).join(',')}` });
  const runs: ScaleRun[] = [];
  const plan = o.budgets.flatMap((budget) => sizes.map((size) => ({ size, budget })));
  try {
    for (const [i, { size, budget }] of plan.entries()) {
      const config = configForSize(size, { vocabSize: meta.vocabSize, blockSize, count });
      const rep = sizeReport(config);
      const tokens = o.isoflop ? budget / rep.trainingFlopsPerToken : budget;
      const maxSteps = Math.max(1, Math.round(tokens / (batchSize * blockSize)));
      const lr = o.lr ?? kaplanLr(rep.nonEmbeddingParameters);
      const train: TrainOptions = {
        ...DEFAULT_TRAIN, dataDir: o.dataDir, maxSteps, batchSize, gradAccum: 1, lr, minLr: lr / 10,
        warmupSteps: Math.min(100, Math.max(1, Math.round(maxSteps * 0.05))), seed: o.seed ?? 0,
        evalEvery: Math.max(1, Math.round(maxSteps / 5)), evalIters: o.evalIters ?? 20, weightDecay: 0.1,
      };
      const name = `${label(size)}-${o.isoflop ? 'C' : 'D'}${label(budget)}`;
      const runDir = join(o.outDir, name);
      const done = join(runDir, 'measure.json');
      o.onRunStart?.(i, plan.length, `${name}: ${config.nLayer} layers x ${config.nEmbd} wide, ${rep.parameters.toLocaleString('en-US')} parameters (${rep.nonEmbeddingParameters.toLocaleString('en-US')} non-embedding), ${maxSteps} steps`);
      let r: GptRunResult;
      if (existsSync(done)) r = JSON.parse(readFileSync(done, 'utf8')) as GptRunResult;
      else {
        if (existsSync(join(runDir, 'config.json'))) throw new Error(`${runDir} holds an unfinished run: delete it to retrain that size`);
        r = await trainGpt({ config, train, runDir, patience: o.patience, finalEvalIters: Math.max(train.evalIters, 40), parentRunId: tracker.runId, name, onStep: o.onStep });
        writeFileAtomicSync(done, `${JSON.stringify(r)}\n`); // the mark of a finished run: never half written
      }
      const run: ScaleRun = {
        size, budget, parameters: r.parameters, nonEmbeddingParameters: r.nonEmbeddingParameters, n: count === 'total' ? r.parameters : r.nonEmbeddingParameters,
        config: { nLayer: config.nLayer, nHead: config.nHead, nEmbd: config.nEmbd, blockSize, vocabSize: config.vocabSize },
        steps: r.steps, tokens: r.tokens, flops: r.flops, lr, trainLoss: r.trainLoss, valLoss: r.valLoss, seconds: r.seconds, runDir: resolve(runDir), runId: r.runId,
      };
      runs.push(run);
      tracker.log(i + 1, { parameters: run.n, tokens: run.tokens, flops: run.flops, valLoss: run.valLoss, trainLoss: run.trainLoss });
    }
    const result = fitSweep(runs, { isoflop: o.isoflop, budgets: o.budgets, holdout: o.holdout });
    const out: ScaleResult = { dataDir: resolve(o.dataDir), count, ...result, seconds: (performance.now() - t0) / 1000, runId: tracker.runId };
    writeFileAtomicSync(join(o.outDir, 'scale.json'), `${JSON.stringify(out, null, 2)}\n`);
    if (out.fit) tracker.log(plan.length + 1, { alpha: out.fit.alpha, E: out.fit.E, ...(out.heldOut ? { heldOutError: out.heldOut.relativeError } : {}) });
    tracker.artifact(join(o.outDir, 'scale.json'), 'scale-result');
    tracker.finish('finished');
    return out;
  } catch (err) {
    tracker.finish('failed');
    throw err;
  }
}

/**
 * The laws a set of runs supports: L(N) per fixed-token budget with a held-out check, isoflop
 * vertices per compute budget, and L(N, D) when N and D vary apart (>= 6 runs, >= 2 budgets).
 * @example fitSweep(runs, { isoflop: false, budgets: [2e6] }).heldOut?.relativeError;
 */
export function fitSweep(runs: readonly ScaleRun[], o: { isoflop: boolean; budgets: readonly number[]; holdout?: number | null }): Omit<ScaleResult, 'dataDir' | 'count' | 'seconds' | 'runId'> {
  const notes: string[] = [];
  let fit: ScaleResult['fit'] = null;
  let heldOut: ScaleResult['heldOut'] = null;
  const isoflops: IsoflopFit[] = [];
  let dataLaw: DataLawFit | null = null;
  let tokensPerParameter: ScaleResult['tokensPerParameter'] = null;
  const first = runs.filter((r) => r.budget === o.budgets[0]).sort((a, b) => a.n - b.n);
  if (!o.isoflop) {
    const worse = first.filter((r, i) => i > 0 && r.valLoss > first[i - 1]!.valLoss + 0.01);
    if (worse.length > 0) {
      notes.push(`validation loss does not fall with size (${worse.map((r) => `N=${r.n}: ${r.valLoss.toFixed(3)}`).join(', ')} is worse than the size below): `
        + 'the larger models are undertrained at this budget or their learning rate does not suit them; raise --budget (or use Kaplan\'s lr(N), the default) before trusting the law');
    }
    if (first.length >= 3) {
      fit = { ...fitPowerLaw(first.map((r) => r.n), first.map((r) => r.valLoss)), budget: o.budgets[0]! };
      const hold = o.holdout === null ? undefined : o.holdout === undefined ? first[first.length - 1] : first.find((r) => r.size === o.holdout);
      if (o.holdout !== undefined && o.holdout !== null && !hold) notes.push(`--holdout ${o.holdout} is not one of the sizes: no held-out check`);
      const rest = first.filter((r) => r !== hold);
      if (hold && rest.length >= 3) {
        const f = fitPowerLaw(rest.map((r) => r.n), rest.map((r) => r.valLoss));
        const predicted = predictPowerLaw(f, hold.n);
        heldOut = { n: hold.n, actual: hold.valLoss, predicted, relativeError: Math.abs(predicted - hold.valLoss) / hold.valLoss, fit: f };
      } else if (hold) notes.push('too few sizes to hold one back (need 4)');
    } else notes.push('too few sizes for L(N) (need 3)');
    notes.push('every size saw the same tokens: the sweep measures L(N) at fixed D; add --isoflop (or several budgets) for the data term and tokens per parameter');
  } else {
    for (const b of o.budgets) {
      const rs = runs.filter((r) => r.budget === b).sort((x, y) => x.n - y.n);
      if (rs.length < 3) continue;
      const iso = fitIsoflop(rs.map((r) => r.n), rs.map((r) => r.valLoss), b);
      isoflops.push(iso);
      if (!Number.isFinite(iso.optimalParameters)) notes.push(`budget ${b.toExponential(2)} FLOPs: the isoflop profile has no minimum inside the sweep (loss still falls with size): widen the sizes`);
      else if (iso.optimalParameters < rs[0]!.n || iso.optimalParameters > rs[rs.length - 1]!.n) notes.push(`budget ${b.toExponential(2)} FLOPs: the optimum lies outside the swept sizes (extrapolated)`);
    }
    const ok = isoflops.filter((f) => Number.isFinite(f.tokensPerParameter));
    if (ok.length > 0) {
      const last = ok[ok.length - 1]!;
      tokensPerParameter = { value: last.tokensPerParameter, interval: last.tokensPerParameterInterval, from: 'isoflop', compute: last.compute };
    }
  }
  const Ds = new Set(runs.map((r) => Math.round(Math.log(r.tokens) * 20)));
  if (runs.length >= 6 && Ds.size >= 3 && o.budgets.length >= 2) {
    try {
      dataLaw = fitDataLaw(runs.map((r) => r.n), runs.map((r) => r.tokens), runs.map((r) => r.valLoss));
      const C = o.isoflop ? Math.max(...o.budgets) : Math.max(...runs.map((r) => r.flops));
      const opt = computeOptimal(dataLaw, C);
      if (Number.isFinite(opt.tokensPerParameter)) tokensPerParameter = { value: opt.tokensPerParameter, interval: null, from: 'data-law', compute: C };
    } catch (err) {
      notes.push(`L(N, D) not fitted: ${(err as Error).message}`);
    }
  }
  return { isoflop: o.isoflop, budgets: [...o.budgets], runs: [...runs], fit, heldOut, isoflops, dataLaw, tokensPerParameter, notes };
}
