// Line and scatter charts on uPlot: sized to their box (narrow screens too), redrawn as data grows.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';
import { tick } from './format.js';

/** Distinct colours for series, in order. */
export const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#1098ad', '#f08c00', '#5c940d', '#862e9c', '#495057'];

export interface SeriesSpec {
  label: string;
  color?: string;
  /** Draw the points (for sparse series, like validation every n steps). */
  points?: boolean;
}

export interface ChartSpec {
  xLabel: string;
  yLabel?: string;
  series: readonly SeriesSpec[];
  logX?: boolean;
  logY?: boolean;
  /** Points only, no lines. */
  scatter?: boolean;
  height?: number;
}

/** Rows of [x, y per series], x ascending, null where a series has no value. */
export type Columns = [number[], ...(number | null)[][]];

/**
 * Aligns series given as x -> y maps on the union of their x values.
 * @example align([new Map([[1, 3], [2, 2.5]]), new Map([[2, 2.7]])]); // [[1, 2], [3, 2.5], [null, 2.7]]
 */
export function align(series: readonly Map<number, number | null>[]): Columns {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.keys()) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  return [x, ...series.map((s) => x.map((v) => s.get(v) ?? null))];
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * A chart in a box that follows its width; `setData` redraws, keeping the user's zoom.
 * `el.dataset.points` counts the values drawn (tests and screenshots read it).
 * @example const c = new Chart({ xLabel: 'step', series: [{ label: 'trainLoss' }] }, signal); c.setData(align([m]));
 */
export class Chart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private data: Columns;

  constructor(private readonly spec: ChartSpec, signal: AbortSignal) {
    this.el = h('div', { class: 'chart', 'data-points': '0' });
    this.data = [[], ...spec.series.map(() => [])];
    const observer = new ResizeObserver(() => this.resize());
    observer.observe(this.el);
    signal.addEventListener('abort', () => {
      observer.disconnect();
      this.plot?.destroy();
    }, { once: true });
  }

  setData(data: Columns): void {
    this.data = data;
    let n = 0;
    for (let i = 1; i < data.length; i++) for (const v of data[i]!) if (v !== null && Number.isFinite(v)) n++;
    this.el.dataset.points = String(n);
    if (this.plot) this.plot.setData(data as uPlot.AlignedData, true);
    else this.resize();
  }

  private height(): number {
    return this.spec.height ?? (this.el.clientWidth < 520 ? 220 : 300);
  }

  private resize(): void {
    const width = this.el.clientWidth;
    if (width === 0) return;
    if (this.plot) {
      this.plot.setSize({ width, height: this.height() });
      return;
    }
    const { spec } = this;
    const fg = cssVar('--muted', '#666');
    const grid = cssVar('--grid', '#eee');
    const axis = (label: string | undefined): uPlot.Axis => ({
      label, stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 },
      values: (_u, splits) => splits.map((v) => (v === null ? '' : tick(v))),
    });
    const opts: uPlot.Options = {
      width,
      height: this.height(),
      scales: { x: { time: false, distr: spec.logX ? 3 : 1 }, y: { distr: spec.logY ? 3 : 1 } },
      axes: [axis(spec.xLabel), { ...axis(spec.yLabel), size: 56 }],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: spec.xLabel },
        ...spec.series.map((s, i): uPlot.Series => {
          const color = s.color ?? PALETTE[i % PALETTE.length]!;
          return spec.scatter
            ? { label: s.label, stroke: color, fill: color, paths: () => null, points: { show: true, size: 9, fill: color } }
            : { label: s.label, stroke: color, width: 1.5, spanGaps: true, points: { show: s.points ?? false, size: 5, fill: color } };
        }),
      ],
    };
    this.plot = new uPlot(opts, this.data as uPlot.AlignedData, this.el);
  }
}
