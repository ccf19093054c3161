// Several runs on one chart (any metric, log scale), and parameters against best validation loss.

import type { MetricsResponse, RunRow, RunsResponse } from '../../../src/server/dashboard-types.js';
import { getJson } from '../api.js';
import { Chart, PALETTE, align } from '../chart.js';
import { append, card, fill, h, note, table } from '../dom.js';
import { human, num } from '../format.js';
import { badge, runLabel } from './runs.js';
import type { Page } from './page.js';

export const comparePage: Page = async (root, { query, signal }) => {
  const { runs } = await getJson<RunsResponse>('/api/runs', signal);
  const selected = new Set((query.get('ids') ?? '').split(',').filter((id) => runs.some((r) => r.id === id)));
  if (selected.size === 0) for (const r of runs.slice(0, 5)) selected.add(r.id);
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
  const metric = h('select', { 'aria-label': 'metric' }, ...metrics.map((m) => h('option', { value: m }, m)));
  metric.value = query.get('metric') ?? (metrics.includes('valLoss') ? 'valLoss' : metrics.includes('trainLoss') ? 'trainLoss' : metrics[0] ?? '');
  const logY = h('input', { type: 'checkbox' });
  const chartBox = h('div');
  const picker = h('div', { class: 'picker' });
  const cache = new Map<string, Map<string, Map<number, number | null>>>(); // run -> metric -> step -> value

  append(root,
    h('div', { class: 'page-head' }, h('h1', null, 'Compare runs')),
    runs.length === 0 && note('No runs yet: train something first.'),
    h('section', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, 'Curves'), h('div', { class: 'controls' }, metric, h('label', null, logY, ' log y'))),
      chartBox, picker),
  );

  let chartStop: AbortController | null = null;
  const draw = async () => {
    const name = metric.value;
    const chosen = runs.filter((r) => selected.has(r.id));
    history.replaceState(null, '', `#/compare?ids=${chosen.map((r) => r.id).join(',')}&metric=${encodeURIComponent(name)}`);
    await Promise.all(chosen.map(async (r) => {
      const byName = cache.get(r.id) ?? new Map<string, Map<number, number | null>>();
      cache.set(r.id, byName);
      if (byName.has(name)) return;
      const m = await getJson<MetricsResponse>(`/api/runs/${r.id}/metrics?names=${encodeURIComponent(name)}`, signal);
      byName.set(name, new Map(m.points.map((p) => [p.step, p.value])));
    }));
    if (signal.aborted) return;
    chartStop?.abort();
    chartStop = new AbortController();
    const stop = chartStop;
    signal.addEventListener('abort', () => stop.abort(), { once: true });
    if (chosen.length === 0 || !name) {
      fill(chartBox, note('Tick some runs below.'));
      return;
    }
    const chart = new Chart({ xLabel: 'step', yLabel: name, logY: logY.checked, series: chosen.map((r, i) => ({ label: `${runLabel(r)} (${r.id})`, color: PALETTE[i % PALETTE.length], points: name === 'valLoss' })) }, stop.signal);
    chart.el.id = 'compare-chart';
    fill(chartBox, chart.el);
    chart.setData(align(chosen.map((r) => cache.get(r.id)!.get(name)!)));
  };
  const redraw = () => void draw().catch((err: Error) => fill(chartBox, h('p', { class: 'error' }, err.message)));
  metric.addEventListener('change', redraw);
  logY.addEventListener('change', redraw);
  fill(picker, ...runs.map((r) => h('label', { class: 'pick' },
    h('input', { type: 'checkbox', checked: selected.has(r.id), onchange: (e) => {
      if ((e.target as HTMLInputElement).checked) selected.add(r.id); else selected.delete(r.id);
      redraw();
    } }),
    ` ${runLabel(r)} `, h('span', { class: 'mono dim' }, r.id), ' ', badge(r.status))));
  if (runs.length > 0) redraw();

  // Scaling at a glance: each run with a known size and a validation loss is a point.
  const sized = runs.filter((r): r is RunRow & { parameters: number; bestValLoss: number } => r.parameters !== null && r.bestValLoss !== null)
    .sort((a, b) => a.parameters - b.parameters);
  const scatterCard = card('Parameters vs best validation loss');
  root.append(scatterCard);
  if (sized.length === 0) {
    scatterCard.append(note('Runs that know their model size (pretraining runs) and evaluated on validation data show up here.'));
    return;
  }
  const byKind = [...new Set(sized.map((r) => r.kind))];
  const scatter = new Chart({ xLabel: 'parameters', yLabel: 'best val loss', logX: true, scatter: true, series: byKind.map((k) => ({ label: k })) }, signal);
  scatter.el.id = 'scaling-chart';
  scatterCard.append(scatter.el, table(['run', 'kind', 'params', 'best val loss', 'status'],
    sized.map((r) => [h('a', { href: `#/runs/${r.id}` }, `${runLabel(r)} (${r.id})`), r.kind, human(r.parameters), num(r.bestValLoss), badge(r.status)])));
  // One series per kind; a run's point sits at its own x, other series have a gap there.
  scatter.setData(align(byKind.map((k) => {
    const m = new Map<number, number | null>();
    for (const r of sized) if (r.kind === k) m.set(r.parameters, Math.min(r.bestValLoss, m.get(r.parameters) ?? Infinity));
    return m;
  })));
};
