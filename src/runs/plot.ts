// Loss curves as a standalone SVG (axes, nice ticks, grid, legend), and as PNG through resvg.

/** One curve: (x, y) points, usually (step, value); non-finite y values break the line. */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** How a chart looks. */
export interface PlotOptions {
  /** Pixels (default 800 x 480); a PNG is rendered `scale` times larger. */
  width?: number;
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** A log10 y axis, for losses over orders of magnitude (ignored if any value is <= 0). */
  logY?: boolean;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A step of 1, 2 or 5 x 10^k giving about `target` intervals over `span`. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const m = raw / mag;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * mag;
}

/**
 * Round tick values covering [lo, hi] (a few more than `target` at most), plus the step between them.
 *
 * @example
 * niceTicks(0, 1, 5); // { ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 }
 */
export function niceTicks(lo: number, hi: number, target = 6): { ticks: number[]; step: number } {
  // A range below float resolution (values equal but for the last bits) would make k * step stop
  // moving (k beyond 2^53): widen it around the value first.
  const scale = Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
  if (!(hi - lo > scale * 1e-9)) {
    const mid = (lo + hi) / 2;
    lo = mid - scale * 1e-6;
    hi = mid + scale * 1e-6;
  }
  const step = niceStep(hi - lo, target);
  const ticks: number[] = [];
  // k * step, not a running sum: 0.1 + 0.2 = 0.30000000000000004 does not belong on a label.
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9 && ticks.length < 1000; k++) ticks.push(Number((k * step).toPrecision(12)));
  return { ticks, step };
}

/**
 * A tick label: thousands as k and millions as M, tiny steps in exponent form, else just enough decimals.
 *
 * @example
 * formatTick(25000, 5000); // '25k'
 * formatTick(0.15, 0.05);  // '0.15'
 */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const a = Math.abs(step);
  if (a >= 1e6 || (Math.abs(v) >= 1e6 && a >= 1e5)) return `${formatTick(v / 1e6, step / 1e6)}M`;
  if (a >= 1e3 || (Math.abs(v) >= 1e4 && a >= 100)) return `${formatTick(v / 1e3, step / 1e3)}k`;
  if (a < 1e-3) return v.toExponential(Math.max(0, Math.round(Math.log10(Math.abs(v) / a))));
  const decimals = Math.max(0, -Math.floor(Math.log10(a) + 1e-9));
  return v.toFixed(decimals);
}

/** A number in at most 3 significant digits, with k and M for thousands and millions (log-axis labels). */
function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${shortNumber(v / 1e6)}M`;
  if (a >= 1e4) return `${shortNumber(v / 1e3)}k`;
  if (a !== 0 && a < 1e-3) return Number(v.toPrecision(3)).toExponential(); // 1.5e-5
  return String(Number(v.toPrecision(3)));
}

/** Keeps the first, min, max and last point of each pixel column, so 1M points draw like themselves. */
function decimate(points: ReadonlyArray<readonly [number, number]>, x0: number, x1: number, columns: number): (readonly [number, number])[] {
  if (points.length <= columns * 4) return [...points];
  const out: (readonly [number, number])[] = [];
  let bucket: (readonly [number, number])[] = [];
  let col = -1;
  const emit = (): void => {
    if (bucket.length === 0) return;
    let min = bucket[0]!;
    let max = bucket[0]!;
    for (const p of bucket) {
      if (p[1] < min[1] || Number.isNaN(min[1])) min = p;
      if (p[1] > max[1] || Number.isNaN(max[1])) max = p;
    }
    const keep = new Set([bucket[0]!, min, max, bucket[bucket.length - 1]!]);
    out.push(...bucket.filter((p) => keep.has(p) || !Number.isFinite(p[1]))); // gaps stay gaps
    bucket = [];
  };
  for (const p of points) {
    const c = Math.floor(((p[0] - x0) / (x1 - x0 || 1)) * columns);
    if (c !== col) {
      emit();
      col = c;
    }
    bucket.push(p);
  }
  emit();
  return out;
}

/** [lo, hi] of the finite values, padded; a flat or empty range is widened so it still has ticks. */
function extent(values: number[], pad: number): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  return [lo - d, hi + d];
}

/**
 * Renders curves as a self-contained SVG document: title, labelled axes with round ticks, a light
 * grid, markers on sparse series (a validation loss every 500 steps), and a legend.
 *
 * @example
 * const svg = renderSvg([
 *   { name: 'trainLoss', points: [[1, 4.1], [2, 3.6], [3, 3.3]] },
 *   { name: 'valLoss', points: [[3, 3.5]] },
 * ], { title: 'run 3fa9c2d1', xLabel: 'step', yLabel: 'loss' });
 */
export function renderSvg(series: readonly Series[], options: PlotOptions = {}): string {
  const W = options.width ?? 800;
  const H = options.height ?? 480;
  const allY = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const logY = options.logY === true && allY.length > 0 && allY.every((v) => v > 0);
  const ty = (v: number): number => (logY ? Math.log10(v) : v);

  const m = { left: 72, right: 24, top: options.title ? 44 : 20, bottom: options.xLabel ? 56 : 36 };
  if (options.yLabel) m.left += 18;
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;

  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter(Number.isFinite);
  let [x0, x1] = extent(xs, 0);
  if (xs.length > 0 && Math.min(...xs) === Math.max(...xs)) [x0, x1] = [xs[0]! - 1, xs[0]! + 1];
  const [y0, y1] = extent(allY.map(ty), 0.05);
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => m.top + ph - ((ty(y) - y0) / (y1 - y0)) * ph;
  const f = (n: number): string => (Math.round(n * 100) / 100).toString();

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  if (options.title) out.push(`<text x="${f(m.left + pw / 2)}" y="26" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(options.title)}</text>`);

  // Grid and ticks.
  const grid: string[] = [];
  const labels: string[] = [];
  const xt = niceTicks(x0, x1, Math.max(2, Math.round(pw / 110)));
  for (const t of xt.ticks) {
    const x = f(sx(t));
    grid.push(`M${x} ${m.top}V${m.top + ph}`);
    labels.push(`<line x1="${x}" y1="${m.top + ph}" x2="${x}" y2="${m.top + ph + 5}" stroke="#333"/>`);
    labels.push(`<text x="${x}" y="${m.top + ph + 19}" text-anchor="middle" fill="#333">${formatTick(t, xt.step)}</text>`);
  }
  const yTicks: { v: number; label: string }[] = [];
  if (logY) {
    const decades = Math.floor(y1) - Math.ceil(y0);
    const mantissas = decades >= 3 ? [1] : decades >= 1 ? [1, 2, 5] : [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9];
    for (let e = Math.floor(y0); e <= Math.ceil(y1); e++) {
      for (const mt of mantissas) {
        const v = mt * 10 ** e;
        const l = Math.log10(v);
        if (l >= y0 && l <= y1) yTicks.push({ v, label: shortNumber(v) });
      }
    }
  } else {
    const yt = niceTicks(y0, y1, Math.max(2, Math.round(ph / 60)));
    for (const t of yt.ticks) yTicks.push({ v: t, label: formatTick(t, yt.step) });
  }
  let lastLabelY = Infinity;
  for (const { v, label } of yTicks) {
    const y = f(sy(v));
    grid.push(`M${m.left} ${y}H${m.left + pw}`);
    labels.push(`<line x1="${m.left - 5}" y1="${y}" x2="${m.left}" y2="${y}" stroke="#333"/>`);
    if (lastLabelY - sy(v) < 15) continue; // log ticks crowd near the top of a decade: keep the line, drop the label
    lastLabelY = sy(v);
    labels.push(`<text x="${m.left - 8}" y="${y}" dy="0.35em" text-anchor="end" fill="#333">${label}</text>`);
  }
  out.push(`<path d="${grid.join('')}" stroke="#e6e6e6" stroke-width="1" fill="none"/>`);
  out.push(...labels);
  out.push(`<path d="M${m.left} ${m.top}V${m.top + ph}H${m.left + pw}" stroke="#333" stroke-width="1" fill="none"/>`);
  if (options.xLabel) out.push(`<text x="${f(m.left + pw / 2)}" y="${H - 12}" text-anchor="middle" fill="#222" font-size="13">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) {
    out.push(`<text transform="translate(16 ${f(m.top + ph / 2)}) rotate(-90)" text-anchor="middle" fill="#222" font-size="13">${escapeXml(options.yLabel)}</text>`);
  }

  // Curves: a path broken at non-finite values; dots where points are few enough to tell apart.
  out.push('<g clip-path="url(#plot)" fill="none" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round">');
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const pts = decimate([...s.points].sort((a, b) => a[0] - b[0]), x0, x1, pw);
    let d = '';
    let pen = false;
    for (const [x, y] of pts) {
      if (!Number.isFinite(y) || !Number.isFinite(x) || (logY && y <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(sx(x))} ${f(sy(y))}`;
      pen = true;
    }
    if (d !== '') out.push(`<path d="${d}" stroke="${color}"/>`);
    const finite = pts.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0));
    if (finite.length <= 40) {
      for (const [x, y] of finite) out.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3" fill="${color}" stroke="#fff" stroke-width="1"/>`);
    }
  });
  out.push('</g>');

  // Legend, top right inside the plot.
  if (series.length > 0) {
    const rowH = 18;
    const textW = Math.max(...series.map((s) => s.name.length)) * 7 + 8;
    const lw = 36 + textW;
    const lx = m.left + pw - lw - 10;
    const ly = m.top + 10;
    out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${series.length * rowH + 8}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc" rx="3"/>`);
    series.forEach((s, i) => {
      const y = ly + 4 + rowH * i + rowH / 2;
      const color = PALETTE[i % PALETTE.length]!;
      out.push(`<line x1="${lx + 8}" y1="${y}" x2="${lx + 28}" y2="${y}" stroke="${color}" stroke-width="2.5"/>`);
      out.push(`<text x="${lx + 34}" y="${y}" dy="0.35em" fill="#222">${escapeXml(s.name)}</text>`);
    });
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * Rasterises an SVG to PNG bytes with resvg (a native module shipped in platform npm packages; no
 * download at install). Text uses the system's fonts (DejaVu or Liberation on Linux).
 *
 * @example
 * const png = await svgToPng(renderSvg(series), { scale: 2 });
 */
export async function svgToPng(svg: string, options: { scale?: number } = {}): Promise<Uint8Array> {
  let resvg: typeof import('@resvg/resvg-js');
  try {
    resvg = await import('@resvg/resvg-js');
  } catch (err) {
    throw new Error(`PNG output needs @resvg/resvg-js, which did not load here (${(err as Error).message}); write .svg instead`);
  }
  const image = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: '#ffffff',
  }).render();
  return image.asPng();
}
