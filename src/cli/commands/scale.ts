// `moxing scale`: train a family of GPTs with matched settings and fit the scaling law (Kaplan et al. 2020; Hoffmann et al. 2022).

import type { Command } from 'commander';
import { join } from 'node:path';
import { scaleSweep, type ScaleResult, type SizeCount } from '../../analysis/scale.js';
import { scaleSvg, writePlot } from '../../analysis/plots.js';
import { saveLatest } from '../../analysis/results.js';
import { count, finiteNumber, nonNegativeInt, positiveInt } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface ScaleFlags {
  data: string; sizes: string; budget: string; isoflop?: boolean; out?: string; plot?: string; blockSize: number; batchSize: number;
  lr?: number; patience?: number; holdout: string; count: string; seed: number; evalIters: number; json?: boolean;
}

/**
 * A budget list: `2M` (tokens), `1e14flops` / `3e13 FLOPs` (compute), `5M tokens`; a bare number is
 * FLOPs with --isoflop and tokens without.
 * @example parseBudgets('1e13,3e13', true); // [1e13, 3e13]
 */
export function parseBudgets(spec: string, isoflop: boolean): number[] {
  return spec.split(',').map((raw) => {
    const m = /^\s*([0-9.e+]+\s*[kKmMgGbBtT]?)\s*(flops?|tokens?|tok)?\s*$/i.exec(raw);
    if (!m) throw new UserError(`--budget: expected e.g. 2M (tokens) or 1e14flops, got '${raw}'`);
    const unit = m[2]?.toLowerCase().startsWith('f') ? 'flops' : m[2] ? 'tokens' : isoflop ? 'flops' : 'tokens';
    if (unit === 'flops' && !isoflop) throw new UserError(`--budget ${raw.trim()} is compute: add --isoflop (every size gets that many FLOPs), or give tokens`);
    if (unit === 'tokens' && isoflop) throw new UserError(`--budget ${raw.trim()} is tokens, but --isoflop needs FLOPs (e.g. 1e13flops)`);
    let v: number;
    try {
      v = count(m[1]!.replace(/\s+/g, ''));
    } catch (err) {
      throw new UserError(`--budget: ${(err as Error).message}`);
    }
    if (!(v > 0)) throw new UserError('--budget must be positive');
    return v;
  });
}

function summary(r: ScaleResult): string {
  const lines: string[] = [];
  lines.push(`${'size'.padEnd(8)} ${'layers x width'.padEnd(15)} ${'params'.padStart(10)} ${'N'.padStart(10)} ${'tokens'.padStart(10)} ${'FLOPs'.padStart(10)} ${'train'.padStart(7)} ${'val'.padStart(7)} ${'s'.padStart(6)}`);
  for (const x of r.runs) {
    lines.push(`${String(x.size).padEnd(8)} ${`${x.config.nLayer} x ${x.config.nEmbd}`.padEnd(15)} ${String(x.parameters).padStart(10)} ${String(x.n).padStart(10)} `
      + `${x.tokens.toExponential(2).padStart(10)} ${x.flops.toExponential(2).padStart(10)} ${x.trainLoss.toFixed(3).padStart(7)} ${x.valLoss.toFixed(3).padStart(7)} ${x.seconds.toFixed(0).padStart(6)}`);
  }
  if (r.fit) {
    const f = r.fit;
    lines.push(`L(N) = ${f.E.toFixed(3)} + ${f.A.toPrecision(4)} / N^${f.alpha.toFixed(3)}   alpha = ${f.alpha.toFixed(3)} ± ${f.stderr.alpha.toFixed(3)} (95% bootstrap ${f.alphaInterval[0].toFixed(3)}..${f.alphaInterval[1].toFixed(3)}), E = ${f.E.toFixed(3)} ± ${f.stderr.E.toFixed(3)}, rmse ${f.rmse.toFixed(4)}`);
  }
  if (r.heldOut) lines.push(`held out N=${r.heldOut.n}: fitted on the others, predicted ${r.heldOut.predicted.toFixed(3)}, measured ${r.heldOut.actual.toFixed(3)}: ${(100 * r.heldOut.relativeError).toFixed(2)}% off`);
  for (const iso of r.isoflops) lines.push(`isoflop C=${iso.compute.toExponential(2)}: optimum N=${Number.isFinite(iso.optimalParameters) ? Math.round(iso.optimalParameters) : '-'}, ${iso.tokensPerParameter.toFixed(1)} tokens/parameter (95% ${iso.tokensPerParameterInterval.map((v) => v.toFixed(1)).join('..')})`);
  if (r.dataLaw) lines.push(`L(N, D) = ${r.dataLaw.E.toFixed(3)} + ${r.dataLaw.A.toPrecision(3)} / N^${r.dataLaw.alpha.toFixed(3)} + ${r.dataLaw.B.toPrecision(3)} / D^${r.dataLaw.beta.toFixed(3)}`);
  if (r.tokensPerParameter) lines.push(`compute-optimal: ${r.tokensPerParameter.value.toFixed(1)} tokens per parameter at ${r.tokensPerParameter.compute.toExponential(2)} FLOPs (from the ${r.tokensPerParameter.from}; Chinchilla: ~20)`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Registers `moxing scale --data <token-dir> --sizes 50k,100k,... --budget <FLOPs or tokens> [--isoflop]`.
 * @example registerScale(program);
 */
export function registerScale(program: Command, io: Io = processIo): void {
  program
    .command('scale')
    .description('scaling sweep: train GPTs of several sizes with matched settings, fit L(N) = E + A / N^alpha (and L(N, D)), check it on a held-out size')
    .requiredOption('--data <token-dir>', 'data directory from `moxing data prepare`')
    .requiredOption('--sizes <list>', 'model sizes in parameters, e.g. 50k,100k,200k,500k,1m,2m (non-embedding by default, as Kaplan et al.)')
    .requiredOption('--budget <FLOPs or tokens>', 'per model: tokens (2M, 5M tokens) or, with --isoflop, FLOPs (1e14); a comma list gives several budgets')
    .option('--isoflop', 'every size gets the same compute (tokens = budget / FLOPs per token) instead of the same tokens')
    .option('--out <dir>', 'where the runs go (a rerun reuses finished sizes)')
    .option('--plot <file>', 'the chart (.svg or .png; default <out>/scale.svg)')
    .option('--block-size <n>', 'context length of every model', positiveInt, 64)
    .option('--batch-size <n>', 'sequences per step', positiveInt, 16)
    .option('--lr <x>', 'one peak learning rate for all (default: Kaplan et al.\'s lr(N) = 0.003239 - 0.0001395 ln N)', finiteNumber)
    .option('--patience <n>', 'early stopping after n evaluations without a better validation loss', positiveInt)
    .option('--holdout <size>', 'the size left out of the fit and predicted ("largest", a size, or "none")', 'largest')
    .option('--count <what>', 'parameters a size counts: non-embedding or total', 'non-embedding')
    .option('--seed <n>', 'random seed', nonNegativeInt, 0)
    .option('--eval-iters <n>', 'validation batches per evaluation', positiveInt, 20)
    .option('--json', 'print the result as one JSON object')
    .action(async (f: ScaleFlags) => {
      if (f.count !== 'non-embedding' && f.count !== 'total') throw new UserError(`--count must be non-embedding or total, got '${f.count}'`);
      let sizes: number[];
      try {
        sizes = f.sizes.split(',').filter((s) => s.trim() !== '').map((s) => Math.round(count(s.trim())));
      } catch (err) {
        throw new UserError(`--sizes: ${(err as Error).message}`);
      }
      if (sizes.length < 3) throw new UserError(`--sizes: give at least 3 sizes (5 or more to hold one back and still fit), got ${sizes.length}`);
      if (sizes.some((s) => s < 1000)) throw new UserError('--sizes: every size must be at least 1k parameters');
      const budgets = parseBudgets(f.budget, f.isoflop === true);
      let holdout: number | null | undefined;
      if (f.holdout === 'none') holdout = null;
      else if (f.holdout === 'largest') holdout = undefined;
      else {
        try { holdout = Math.round(count(f.holdout)); } catch { throw new UserError(`--holdout: expected largest, none or a size, got '${f.holdout}'`); }
      }
      const outDir = f.out ?? join('runs', `scale-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
      let result: ScaleResult;
      try {
        result = await scaleSweep({
          dataDir: f.data, sizes, budgets, isoflop: f.isoflop === true, outDir, count: f.count as SizeCount, blockSize: f.blockSize, batchSize: f.batchSize,
          lr: f.lr, seed: f.seed, evalIters: f.evalIters, patience: f.patience, holdout,
          onRunStart: (i, total, what) => process.stderr.write(`[${i + 1}/${total}] ${what}\n`),
          onStep: (m, total) => { if (m.valLoss !== undefined) process.stderr.write(`  step ${m.step}/${total}: train ${m.trainLoss.toFixed(3)}, val ${m.valLoss.toFixed(3)}, ${Math.round(m.tokensPerSecond)} tok/s\n`); },
        });
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
      const plot = f.plot ?? join(outDir, 'scale.svg');
      await writePlot(plot, scaleSvg(result));
      saveLatest('scale', { title: 'Scaling sweep: validation loss against parameters', ...result });
      if (f.json) io.write(`${JSON.stringify({ ...result, plot })}\n`);
      else io.write(`${summary(result)}plot: ${plot}\nruns: ${outDir} (scale.json); tracked as run ${result.runId ?? '-'}\n`);
    });
}
