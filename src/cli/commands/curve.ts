// `moxing curve validation|learning`: complexity (or data) against generalization for any CLI model or a GPT.

import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { learningCurve, parseSweep, validationCurve, type CurveResult } from '../../analysis/curves.js';
import { gptLearningCurve, gptValidationCurve, type GptCurveOptions } from '../../analysis/gpt-curves.js';
import { curveSvg, writePlot } from '../../analysis/plots.js';
import { saveLatest } from '../../analysis/results.js';
import { MODEL_NAMES, type ModelName } from '../../ml/tabular/models.js';
import { paramsFrom, readTable, seedFrom } from '../tabular-support.js';
import { positiveInt } from '../options.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface CurveFlags { target?: string; model: string; param?: string; sizes?: string; set?: string[]; folds: string; seed?: string; out?: string; patience?: number; runs?: string; json?: boolean }

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4));

function table(r: CurveResult): string {
  const head = r.kind === 'validation' ? r.param : r.model === 'gpt' ? 'tokens' : 'rows';
  const lines = [`${head.padEnd(12)} ${'parameters'.padStart(10)} ${`train ${r.metric}`.padStart(16)} ${`valid. ${r.metric}`.padStart(16)} ${'gap'.padStart(8)}`];
  r.values.forEach((v, i) => {
    const mark = v === r.best ? '  <- best' : v === r.turn && r.turn !== r.best ? '  <- turn' : '';
    lines.push(`${String(v).padEnd(12)} ${String(r.parameters[i]).padStart(10)} ${fmt(r.train[i]!).padStart(16)} ${fmt(r.validation[i]!).padStart(16)} ${fmt(r.gap[i]!).padStart(8)}${mark}`);
  });
  return `${lines.join('\n')}\n`;
}

function gptOptions(data: string, f: CurveFlags): GptCurveOptions {
  if (!existsSync(join(data, 'meta.json'))) throw new UserError(`${data}: --model gpt needs a token directory from 'moxing data prepare' (no meta.json there)`);
  return {
    dataDir: data, params: paramsFrom(f.set), patience: f.patience, outDir: f.runs,
    onRunStart: (i, total, what) => process.stderr.write(`[${i + 1}/${total}] ${what}\n`),
  };
}

function checkModel(f: CurveFlags, data: string): 'gpt' | ModelName {
  if (f.model === 'gpt') return 'gpt';
  if (!(MODEL_NAMES as readonly string[]).includes(f.model)) throw new UserError(`unknown model '${f.model}'; models are: gpt, ${MODEL_NAMES.join(', ')}`);
  if (!f.target) throw new UserError(`--target is required for model '${f.model}'`);
  if (existsSync(data) && statSync(data).isDirectory()) throw new UserError(`${data} is a directory: model '${f.model}' reads a CSV file (use --model gpt for a token directory)`);
  return f.model as ModelName;
}

async function finish(r: CurveResult, f: CurveFlags, io: Io): Promise<void> {
  const plot = f.out ?? `${r.kind}-curve.svg`;
  await writePlot(plot, curveSvg(r));
  saveLatest(r.kind === 'validation' ? 'curve-validation' : 'curve-learning', { title: `${r.kind === 'validation' ? 'Validation' : 'Learning'} curve: ${r.model}${r.kind === 'validation' ? `, ${r.param}` : ''}`, description: r.verdict, ...r });
  if (f.json) io.write(`${JSON.stringify({ ...r, plot })}\n`);
  else io.write(`${table(r)}verdict: ${r.verdict}\nplot: ${plot}\n`);
}

/**
 * Registers `moxing curve validation <data> --target <col> --model <name> --param maxDepth=1..20` and
 * `moxing curve learning <data> --target <col> --model <name> [--sizes 0.1,0.25,0.5,1]`.
 * @example registerCurve(program);
 */
export function registerCurve(program: Command, io: Io = processIo): void {
  const curve = program.command('curve').description('complexity and data against generalization: train and validation scores with an overfitting verdict');
  const common = (c: Command): Command => c
    .option('--target <col>', 'the column to predict (CSV models)')
    .requiredOption('--model <name>', `gpt (on a token directory) or one of ${MODEL_NAMES.join(', ')}`)
    .option('--set <key=value...>', 'fixed hyperparameters (GPT: nLayer nHead nEmbd blockSize dropout maxSteps batchSize lr evalEvery evalIters ...)')
    .option('--folds <k>', 'cross-validation folds (CSV models)', '5')
    .option('--seed <n>', 'random seed', '0')
    .option('--out <file>', 'the plot (.svg or .png; default <kind>-curve.svg)')
    .option('--patience <n>', 'GPT: early stopping after n evaluations without a better validation loss', positiveInt)
    .option('--runs <dir>', 'GPT: keep the runs in this directory (default: a temporary one)')
    .option('--json', 'print {"param", "values", "train", "validation", "parameters", "best", "verdict", ...}');
  common(curve.command('validation')
    .description('train and validation scores for each value of one hyperparameter (cross-validated for CSV models)')
    .argument('<data>', 'a CSV file, or a token directory for --model gpt')
    .requiredOption('--param <name=values>', 'the swept hyperparameter: maxDepth=1..20, C=0.01,0.1,1, alpha=1e-4..1e1:log6, nEmbd=16,32,64'))
    .action(async (data: string, f: CurveFlags) => {
      const model = checkModel(f, data);
      let r: CurveResult;
      try {
        const { param, values } = parseSweep(f.param!);
        if (model === 'gpt') r = await gptValidationCurve(param, values, gptOptions(data, f));
        else {
          r = validationCurve(readTable(data), param, values, {
            target: f.target!, model, params: paramsFrom(f.set), folds: Number(f.folds), seed: seedFrom(f.seed),
            onProgress: (d, t) => { if (process.stderr.isTTY) process.stderr.write(`\r${d}/${t} fits${d === t ? '\n' : ''}`); },
          });
        }
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
      await finish(r, f, io);
    });
  common(curve.command('learning')
    .description('train and validation scores against training size (GPT: against tokens seen)')
    .argument('<data>', 'a CSV file, or a token directory for --model gpt')
    .option('--sizes <list>', 'training sizes: fractions of each training fold or row counts', '0.1,0.25,0.5,0.75,1'))
    .action(async (data: string, f: CurveFlags) => {
      const model = checkModel(f, data);
      let r: CurveResult;
      try {
        if (model === 'gpt') r = await gptLearningCurve(gptOptions(data, f));
        else {
          const sizes = f.sizes!.split(',').map((s) => Number(s.trim()));
          if (sizes.some((s) => !(s > 0))) throw new UserError(`--sizes: expected positive numbers, got '${f.sizes}'`);
          r = learningCurve(readTable(data), sizes, { target: f.target!, model, params: paramsFrom(f.set), folds: Number(f.folds), seed: seedFrom(f.seed) });
        }
      } catch (err) {
        throw err instanceof UserError ? err : new UserError((err as Error).message);
      }
      await finish(r, f, io);
    });
}
