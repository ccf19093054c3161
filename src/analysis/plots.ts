// Charts of the analyses (validation/learning curves, scaling laws), drawn with the runs' SVG plotter.

import { writeFileAtomic } from '../io/atomic-write.js';
import { renderSvg, svgToPng, type Series } from '../runs/plot.js';
import type { CurveResult } from './curves.js';
import { predictPowerLaw } from './power-law.js';
import type { ScaleResult } from './scale.js';

/**
 * The SVG of a validation or learning curve: train and validation scores, the best setting marked.
 * Non-numeric values are placed at their index.
 * @example writeFileSync('curve.svg', curveSvg(validationCurve(t, 'maxDepth', [1, 2, 4], o)));
 */
export function curveSvg(r: CurveResult): string {
  const numeric = r.values.every((v) => typeof v === 'number');
  const x = (i: number): number => (numeric ? (r.values[i] as number) : i);
  // Rounded to 10 digits: two curves apart by 1e-16 would ask the plotter for ticks finer than a double resolves.
  const round = (v: number): number => Number(v.toPrecision(10));
  const pts = (ys: readonly number[]): Array<[number, number]> => ys.map((y, i) => [x(i), round(y)]);
  const series: Series[] = [
    { name: `train ${r.metric}`, points: pts(r.train) },
    { name: `validation ${r.metric}`, points: pts(r.validation) },
  ];
  const bi = r.values.indexOf(r.best);
  if (bi >= 0) {
    const lo = round(Math.min(...r.train, ...r.validation));
    const hi = round(Math.max(...r.train, ...r.validation));
    series.push({ name: `best ${r.param}=${String(r.best)}`, points: [[x(bi), lo], [x(bi), hi]] });
  }
  const what = r.kind === 'validation' ? `validation curve: ${r.model}, ${r.param}` : `learning curve: ${r.model}`;
  return renderSvg(series, {
    title: `${what} (${r.state})`, xLabel: r.kind === 'validation' ? (numeric ? r.param : `${r.param} (index)`) : 'training rows', yLabel: r.metric,
  });
}

/**
 * The SVG of a scaling sweep: validation loss against log10 parameters per budget, the fitted
 * L(N) as a line, the held-out size as its own point.
 * @example writeFileSync('scale.svg', scaleSvg(await scaleSweep(o)));
 */
export function scaleSvg(r: ScaleResult): string {
  const series: Series[] = [];
  for (const b of r.budgets) {
    const rs = r.runs.filter((x) => x.budget === b).sort((p, q) => p.n - q.n);
    const name = r.isoflop ? `val loss, C=${b.toExponential(1)} FLOPs` : `val loss, D=${b.toExponential(1)} tokens`;
    series.push({ name, points: rs.map((x) => [Math.log10(x.n), Number(x.valLoss.toPrecision(10))] as [number, number]) });
  }
  const ns = r.runs.map((x) => x.n);
  const lo = Math.log10(Math.min(...ns)) - 0.1;
  const hi = Math.log10(Math.max(...ns)) + 0.1;
  const line = (f: { E: number; A: number; alpha: number }): Array<[number, number]> =>
    Array.from({ length: 60 }, (_, i) => { const l = lo + ((hi - lo) * i) / 59; return [l, predictPowerLaw(f, 10 ** l)]; });
  if (r.fit) series.push({ name: `fit: ${r.fit.E.toFixed(2)} + ${r.fit.A.toPrecision(3)} / N^${r.fit.alpha.toFixed(3)}`, points: line(r.fit) });
  if (r.heldOut) {
    series.push({ name: `fit without N=${r.heldOut.n} (predicts it within ${(100 * r.heldOut.relativeError).toFixed(1)}%)`, points: line(r.heldOut.fit) });
  }
  return renderSvg(series, { title: `scaling: validation loss against parameters (${r.count})`, xLabel: 'log10 parameters', yLabel: 'validation loss (nats/token)' });
}

/**
 * Writes an SVG as .svg, or rasterized as .png, by the file's extension.
 * @example await writePlot('curve.png', svg);
 */
export async function writePlot(path: string, svg: string): Promise<void> {
  if (path.toLowerCase().endsWith('.png')) await writeFileAtomic(path, await svgToPng(svg));
  else await writeFileAtomic(path, svg);
}
