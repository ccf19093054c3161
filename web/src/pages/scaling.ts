// "Model vs large model": the scaling and comparison result files the server lists under /api/reports.

import type { ReportsResponse } from '../../../src/server/dashboard-types.js';
import { getJson } from '../api.js';
import { Chart, align } from '../chart.js';
import { card, h, note, table } from '../dom.js';
import { bytes, num, when } from '../format.js';
import type { Page } from './page.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first array of records in a report: the report itself, or its first such property. */
export function recordsOf(content: unknown): { key: string; rows: Obj[] } | null {
  if (Array.isArray(content) && content.length > 0 && content.every(isObj)) return { key: '', rows: content };
  if (!isObj(content)) return null;
  for (const [key, v] of Object.entries(content)) if (Array.isArray(v) && v.length > 0 && v.every(isObj)) return { key, rows: v };
  return null;
}

const X_HINT = /param|size|flop|compute|tokens|^n$/i;
const Y_HINT = /loss|perplex|ppl|acc|score|f1|bpb|bits/i;

function render(name: string, content: unknown, signal: AbortSignal): HTMLElement {
  const title = isObj(content) && typeof content.title === 'string' ? content.title : name;
  const section = card(title);
  section.dataset.report = name;
  if (isObj(content) && typeof content.description === 'string') section.append(h('p', null, content.description));
  const found = recordsOf(content);
  if (found) {
    const columns = [...new Set(found.rows.flatMap((r) => Object.keys(r)))];
    const numeric = columns.filter((c) => found.rows.some((r) => typeof r[c] === 'number'));
    const x = numeric.find((c) => X_HINT.test(c)) ?? numeric[0];
    const ys = numeric.filter((c) => c !== x && Y_HINT.test(c)).slice(0, 4);
    if (x && ys.length > 0) {
      const xs = found.rows.map((r) => r[x]).filter((v): v is number => typeof v === 'number' && v > 0);
      const logX = xs.length > 1 && Math.max(...xs) / Math.min(...xs) >= 20;
      const chart = new Chart({ xLabel: x, yLabel: ys.length === 1 ? ys[0] : undefined, logX, scatter: true, series: ys.map((y) => ({ label: y })) }, signal);
      section.append(chart.el);
      chart.setData(align(ys.map((y) => new Map(found.rows.filter((r) => typeof r[x] === 'number' && typeof r[y] === 'number').map((r) => [r[x] as number, r[y] as number])))));
    }
    const cell = (v: unknown) => (typeof v === 'number' ? num(v) : typeof v === 'string' ? v : v === null || v === undefined ? '–' : JSON.stringify(v));
    section.append(table(columns, found.rows.map((r) => columns.map((c) => cell(r[c])))));
  }
  section.append(h('details', null, h('summary', null, 'JSON'), h('pre', { class: 'output' }, JSON.stringify(content, null, 2))));
  return section;
}

export const scalingPage: Page = async (root, { signal }) => {
  const { reports, dirs } = await getJson<ReportsResponse>('/api/reports', signal);
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Model vs large model')));
  if (reports.length === 0) {
    root.append(card('No results yet',
      h('p', null, 'This page shows the scaling and comparison results (how loss falls with parameters and data, a small model next to a large one) once they exist as JSON files.'),
      note('The server looks in ', ...dirs.flatMap((d, i) => [i ? ', ' : '', h('code', null, d)]), '.')));
    return;
  }
  root.append(note(`${reports.length} result file${reports.length > 1 ? 's' : ''}: `, ...reports.flatMap((r, i) => [i ? ', ' : '', h('code', { title: `${r.dir} · ${bytes(r.size)} · ${when(r.modifiedAt)}` }, r.name)])));
  for (const r of reports) {
    try {
      root.append(render(r.name, await getJson<unknown>(`/api/reports/${encodeURIComponent(r.name)}`, signal), signal));
    } catch (err) {
      root.append(card(r.name, h('p', { class: 'error' }, (err as Error).message)));
    }
  }
};
