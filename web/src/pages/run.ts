// One run: live loss curves (train and validation, fed by the server's SSE stream), other metrics, config, checkpoints.

import type { MetricPointView, MetricsResponse, RunDetailResponse } from '../../../src/server/dashboard-types.js';
import { getJson, sse } from '../api.js';
import { Chart, align } from '../chart.js';
import { card, fill, h, note, table } from '../dom.js';
import { bytes, human, num, runDuration, when } from '../format.js';
import { badge, runLabel } from './runs.js';
import type { Page } from './page.js';

/** Nested config as dotted keys: { model: { nLayer: 4 } } -> [['model.nLayer', '4']]. */
export function flatten(o: unknown, prefix = ''): [string, string][] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [[prefix, JSON.stringify(o)]];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.push(...flatten(v, key));
    else out.push([key, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}

const isLoss = (name: string) => /loss/i.test(name);

export const runPage: Page = async (root, { params, signal }) => {
  const id = params[0]!;
  let detail = await getJson<RunDetailResponse>(`/api/runs/${encodeURIComponent(id)}`, signal);
  const runId = detail.run.id;
  const series = new Map<string, Map<number, number | null>>();
  const add = (points: readonly MetricPointView[]) => {
    for (const p of points) {
      let s = series.get(p.name);
      if (!s) series.set(p.name, (s = new Map()));
      s.set(p.step, p.value);
    }
  };
  const first = await getJson<MetricsResponse>(`/api/runs/${runId}/metrics`, signal);
  add(first.points);
  let cursor = first.cursor;

  const head = h('div', { class: 'page-head' });
  const facts = h('dl', { class: 'facts' });
  const lossNames = () => [...series.keys()].filter(isLoss).sort((a, b) => (a === 'trainLoss' ? -1 : b === 'trainLoss' ? 1 : a.localeCompare(b)));
  const otherNames = () => [...series.keys()].filter((n) => !isLoss(n)).sort();

  // The loss chart is rebuilt when a new loss metric appears (valLoss arrives at the first evaluation).
  const lossBox = h('div');
  let lossChart: { names: string; chart: Chart; stop: AbortController } | null = null;
  const drawLoss = () => {
    const names = lossNames();
    if (names.length === 0) {
      fill(lossBox, note(detail.run.status === 'running' ? 'Waiting for the first logged step…' : 'This run logged no loss.'));
      return;
    }
    if (!lossChart || lossChart.names !== names.join()) {
      lossChart?.stop.abort();
      const stop = new AbortController();
      signal.addEventListener('abort', () => stop.abort(), { once: true });
      const chart = new Chart({ xLabel: 'step', yLabel: 'loss', series: names.map((n) => ({ label: n, points: n !== 'trainLoss' })) }, stop.signal);
      chart.el.id = 'loss-chart';
      fill(lossBox, chart.el);
      lossChart = { names: names.join(), chart, stop };
    }
    lossChart.chart.setData(align(names.map((n) => series.get(n)!)));
  };

  const otherSelect = h('select', { 'aria-label': 'metric', onchange: () => drawOther(true) });
  const otherBox = h('div');
  let otherChart: { name: string; chart: Chart; stop: AbortController } | null = null;
  const drawOther = (force = false) => {
    const names = otherNames();
    if (names.length === 0) {
      fill(otherBox);
      otherSelect.hidden = true;
      return;
    }
    otherSelect.hidden = false;
    if (otherSelect.options.length !== names.length) {
      const keep = otherSelect.value || (names.includes('lr') ? 'lr' : names[0]!);
      fill(otherSelect, ...names.map((n) => h('option', { value: n }, n)));
      otherSelect.value = keep;
    }
    const name = otherSelect.value;
    if (force || !otherChart || otherChart.name !== name) {
      otherChart?.stop.abort();
      const stop = new AbortController();
      signal.addEventListener('abort', () => stop.abort(), { once: true });
      const chart = new Chart({ xLabel: 'step', series: [{ label: name, color: '#2b8a3e' }], height: 200 }, stop.signal);
      fill(otherBox, chart.el);
      otherChart = { name, chart, stop };
    }
    otherChart.chart.setData(align([series.get(name)!]));
  };

  const configBox = h('div');
  const artifactsBox = h('div');
  const renderDetail = () => {
    const r = detail.run;
    fill(head, h('h1', null, runLabel(r), ' ', h('span', { class: 'mono dim' }, r.id)), h('span', { id: 'run-status' }, badge(r.status)));
    const fact = (k: string, v: Node | string) => [h('dt', null, k), h('dd', null, v)];
    fill(facts,
      ...fact('kind', r.kind),
      ...fact('started', when(r.startedAt)),
      ...fact('duration', runDuration(r.startedAt, r.endedAt, r.heartbeatAt, r.status === 'running')),
      ...fact('step', String(r.lastStep ?? '–')),
      ...fact('train loss', num(r.summary.trainLoss)),
      ...fact('best val loss', num(r.bestValLoss)),
      ...(r.parameters !== null ? fact('parameters', human(r.parameters)) : []),
      ...(r.model ? fact('model', `${r.model.nLayer} layers × ${r.model.nEmbd} wide, ${r.model.nHead} heads, context ${r.model.blockSize}`) : []),
      ...(r.runDir ? fact('run dir', h('code', null, r.runDir)) : []),
      ...(r.parentRunId ? fact('continued from', h('a', { href: `#/runs/${r.parentRunId}` }, r.parentRunId)) : []),
      ...(r.initFrom && !r.parentRunId ? fact('initialised from', h('code', null, r.initFrom)) : []),
      ...(detail.children.length ? fact('continued by', h('span', null, ...detail.children.flatMap((c) => [h('a', { href: `#/runs/${c.id}` }, c.id), ' ']))) : []),
    );
    const cfg = flatten(r.config);
    fill(configBox, cfg.length ? table(['key', 'value'], cfg.map(([k, v]) => [h('code', null, k), v]), { class: 'kv' }) : note('No config recorded.'));
    fill(artifactsBox, detail.artifacts.length
      ? table(['path', 'kind', 'step', 'size', 'sha256', 'written'], detail.artifacts.map((a) => [
        h('code', null, a.path), a.kind ?? '–', a.step === null ? '–' : String(a.step), bytes(a.size),
        a.sha256 === null ? '–' : h('code', { title: a.sha256 }, a.sha256.slice(0, 12)), when(a.createdAt),
      ]))
      : note(r.status === 'running' ? 'Checkpoints appear here when the run records them.' : 'This run recorded no checkpoints.'));
  };

  root.append(
    head, facts,
    card('Loss', lossBox),
    h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Other metrics'), otherSelect), otherBox),
    h('div', { class: 'two' }, card('Config', configBox), card('Checkpoints', artifactsBox)),
  );
  renderDetail();
  drawLoss();
  drawOther();

  // Live: new points from the server's stream until the run ends; reconnect after a dropped connection.
  while (detail.run.status === 'running' && !signal.aborted) {
    try {
      for await (const ev of sse<MetricsResponse>(`/api/runs/${runId}/stream?afterId=${cursor}`, undefined, signal)) {
        add(ev.points);
        cursor = ev.cursor;
        if (ev.points.length > 0) {
          drawLoss();
          drawOther();
        }
        if (ev.status !== detail.run.status || ev.points.length > 0) {
          const run = { ...detail.run, status: ev.status, summary: { ...detail.run.summary } };
          for (const p of ev.points) {
            if (p.value === null) continue;
            if (p.step >= (run.lastStep ?? 0)) { run.summary[p.name] = p.value; run.lastStep = p.step; }
            if (p.name === 'valLoss' && (run.bestValLoss === null || p.value < run.bestValLoss)) run.bestValLoss = p.value;
          }
          detail = { ...detail, run };
          renderDetail();
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, 2000));
    }
    detail = await getJson<RunDetailResponse>(`/api/runs/${runId}`, signal);
    renderDetail();
    drawLoss();
  }
};
