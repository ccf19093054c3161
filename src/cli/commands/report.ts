// `moxing report --out report.md`: the latest curve, scaling sweep and comparison in plain words, with plots.

import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { loadLatest, latestPath } from '../../analysis/results.js';
import { renderReport } from '../../analysis/report.js';
import { curveSvg, scaleSvg, writePlot } from '../../analysis/plots.js';
import type { CurveResult } from '../../analysis/curves.js';
import type { ScaleResult } from '../../analysis/scale.js';
import type { CompareResult } from '../../analysis/compare.js';
import { compareTable } from './compare.js';
import { UserError } from '../errors.js';
import { processIo, type Io } from '../io.js';

interface ReportFlags { out: string; validation?: string; learning?: string; scale?: string; compare?: string[]; json?: boolean }

/**
 * Registers `moxing report --out report.md` (inputs: the latest results of curve, scale and compare, or files).
 * @example registerReport(program);
 */
export function registerReport(program: Command, io: Io = processIo): void {
  program
    .command('report')
    .description('a markdown report (with plots) of the latest curve, scaling sweep and comparison: is a large language model only a bigger model?')
    .requiredOption('--out <report.md>', 'the markdown file; plots are written next to it')
    .option('--validation <json>', `a validation curve (a 'moxing curve validation --json' output; default: the latest, ${latestPath('curve-validation')})`)
    .option('--learning <json>', 'a learning curve (default: the latest)')
    .option('--scale <json>', 'a scaling sweep (scale.json or --json output; default: the latest)')
    .option('--compare <json...>', 'comparisons (default: the latest)')
    .option('--json', 'print {"out", "plots", "parts"}')
    .action(async (f: ReportFlags) => {
      let validation: CurveResult | null;
      let learning: CurveResult | null;
      let scale: ScaleResult | null;
      let compare: CompareResult[];
      try {
        validation = loadLatest<CurveResult>('curve-validation', f.validation)?.result ?? null;
        learning = loadLatest<CurveResult>('curve-learning', f.learning)?.result ?? null;
        scale = loadLatest<ScaleResult>('scale', f.scale)?.result ?? null;
        compare = f.compare ? f.compare.map((p) => loadLatest<CompareResult>('compare', p)!.result) : [loadLatest<CompareResult>('compare')?.result].filter((x): x is CompareResult => !!x);
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      const dir = dirname(f.out);
      mkdirSync(dir, { recursive: true });
      const stem = basename(f.out, extname(f.out));
      const plots: { validation?: string; learning?: string; scale?: string } = {};
      if (validation) { plots.validation = `${stem}-validation-curve.svg`; await writePlot(join(dir, plots.validation), curveSvg(validation)); }
      if (learning) { plots.learning = `${stem}-learning-curve.svg`; await writePlot(join(dir, plots.learning), curveSvg(learning)); }
      if (scale) { plots.scale = `${stem}-scaling.svg`; await writePlot(join(dir, plots.scale), scaleSvg(scale)); }
      await writeFileAtomic(f.out, renderReport({ validation, learning, scale, compare, plots, compareTable }));
      const parts = { validation: !!validation, learning: !!learning, scale: !!scale, compare: compare.length };
      if (f.json) io.write(`${JSON.stringify({ out: f.out, plots: Object.values(plots).map((p) => join(dir, p)), parts })}\n`);
      else {
        const missing = Object.entries(parts).filter(([, v]) => !v).map(([k]) => k);
        io.write(`${f.out}: ${Object.values(plots).length} plots${missing.length ? `; not measured yet: ${missing.join(', ')} (the report says which command makes them)` : ''}\n`);
      }
    });
}
