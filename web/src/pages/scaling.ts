// "Model vs large model": the scaling and comparison result files the server lists under /api/reports.
// Files have no fixed shape: a `{ savedAt, result }` wrapper is opened, scalars become a table of
// facts, and every list of records becomes a table, with a chart of its losses against its sizes.

import type { ReportsResponse } from '../../../src/server/dashboard-types.js';
import { getJson } from '../api.js';
import { Chart, align } from '../chart.js';
import { card, h, note, table } from '../dom.js';
import { bytes, num, when } from '../format.js';
import type { Page } from './page.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRecords = (v: unknown): v is Obj[] => Array.isArray(v) && v.length > 0 && v.every(isObj);

/** Every list of records in a report (depth-first, at most 3 levels down), with its path. */
export function recordLists(content: unknown, path = '', depth = 0): { path: string; rows: Obj[] }[] {
  if (isRecords(content)) return [{ path, rows: content }];
  if (!isObj(content) || depth >= 3) return [];
  return Object.entries(content).flatMap(([k, v]) => recordLists(v, path ? `${path}.${k}` : k, depth + 1));
}

/** The scalar values of an object and of its objects one level down, as dotted keys. */
function facts(o: Obj): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === null || ['number', 'string', 'boolean'].includes(typeof v)) out.push([k, v]);
    else if (isObj(v)) for (const [k2, v2] of Object.entries(v)) if (['number', 'string', 'boolean'].includes(typeof v2)) out.push([`${k}.${k2}`, v2]);
  }
  return out;
}

const X_PREFERRED = ['parameters', 'params', 'n', 'nonEmbeddingParameters', 'size', 'flops', 'compute', 'tokens'];
const Y_HINT = /loss|perplex|ppl|acc|score|f1|bpb|bits/i;
const cell = (v: unknown) => (typeof v === 'number' ? num(v) : typeof v === 'string' ? v : v === null || v === undefined ? '–' : JSON.stringify(v));

function render(name: string, raw: unknown, signal: AbortSignal): HTMLElement {
  const content = isObj(raw) && 'result' in raw && raw.result !== undefined ? raw.result : raw;
  const savedAt = isObj(raw) && typeof raw.savedAt === 'string' ? raw.savedAt : null;
  const title = isObj(content) && typeof content.title === 'string' ? content.title : name.replace(/\.json$/, '');
  const section = card(title);
  section.dataset.report = name;
  if (savedAt) section.append(note(`Saved ${when(savedAt)}`));
  const prose = ['description', 'verdict', 'summary'];
  if (isObj(content)) for (const k of prose) if (typeof content[k] === 'string') section.append(h('p', { class: k }, content[k] as string));
  if (isObj(content)) {
    const f = facts(content).filter(([k]) => k !== 'title' && !prose.includes(k));
    if (f.length) section.append(h('details', { open: f.length <= 12 }, h('summary', null, 'Summary'), table(['', ''], f.map(([k, v]) => [h('code', null, k), cell(v)]), { class: 'kv' })));
  }
  for (const list of recordLists(content)) {
    const columns = [...new Set(list.rows.flatMap((r) => Object.keys(r)))];
    const numeric = columns.filter((c) => list.rows.some((r) => typeof r[c] === 'number'));
    const x = X_PREFERRED.find((c) => numeric.includes(c)) ?? numeric[0];
    const ys = numeric.filter((c) => c !== x && Y_HINT.test(c)).slice(0, 4);
    if (list.path) section.append(h('h3', null, list.path));
    if (x && ys.length > 0) {
      const xs = list.rows.map((r) => r[x]).filter((v): v is number => typeof v === 'number' && v > 0);
      const logX = xs.length > 1 && Math.max(...xs) / Math.min(...xs) >= 20;
      const chart = new Chart({ xLabel: x, yLabel: ys.length === 1 ? ys[0] : undefined, logX, scatter: true, series: ys.map((y) => ({ label: y })) }, signal);
      section.append(chart.el);
      chart.setData(align(ys.map((y) => new Map(list.rows.filter((r) => typeof r[x] === 'number' && typeof r[y] === 'number').map((r) => [r[x] as number, r[y] as number])))));
    }
    section.append(table(columns, list.rows.map((r) => columns.map((c) => cell(r[c])))));
  }
  section.append(h('details', null, h('summary', null, 'JSON'), h('pre', { class: 'output' }, JSON.stringify(raw, null, 2))));
  return section;
}

export const scalingPage: Page = async (root, { signal }) => {
  const { reports, dirs } = await getJson<ReportsResponse>('/api/reports', signal);
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Model vs large model')));
  if (reports.length === 0) {
    root.append(card('No results yet',
      h('p', null, 'This page shows the scaling and comparison results (how loss falls with parameters and data, a small model next to a large one) once they exist as JSON files: ',
        h('code', null, 'moxing scale'), ' and the other analyses keep their latest result in ', h('code', null, '$MOXING_HOME/analysis'), '.'),
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
