// The runs table: newest first, refreshed every few seconds; tick runs to compare them.

import type { RunRow, RunsResponse } from '../../../src/server/dashboard-types.js';
import { getJson } from '../api.js';
import { fill, h, note, table } from '../dom.js';
import { human, num, runDuration, when } from '../format.js';
import { every, type Page } from './page.js';

/** A status as a coloured badge. */
export function badge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}` }, status === 'running' ? '● running' : status);
}

/** A run's display name: its name, else its run directory's last part, else its id. */
export function runLabel(r: Pick<RunRow, 'id' | 'name' | 'runDir'>): string {
  return r.name ?? r.runDir?.split('/').filter(Boolean).pop() ?? r.id;
}

export const runsPage: Page = (root, { signal }) => {
  const selected = new Set<string>();
  const compare = h('a', { class: 'button', href: '#/compare' }, 'Compare selected');
  const body = h('div', null, note('Loading runs…'));
  const updateCompare = () => {
    compare.setAttribute('href', `#/compare?ids=${[...selected].join(',')}`);
    compare.textContent = selected.size > 0 ? `Compare ${selected.size} selected` : 'Compare';
  };
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Runs'), compare), body);

  const render = (runs: RunRow[]) => {
    if (runs.length === 0) {
      fill(body, note('No runs yet. Training commands record themselves: try ', h('code', null, 'moxing pretrain --data … --out runs/x --preset nano --max-steps 200'), ', then watch it here.'));
      return;
    }
    const rows = runs.map((r) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.id}`, checked: selected.has(r.id), onchange: (e) => {
        if ((e.target as HTMLInputElement).checked) selected.add(r.id); else selected.delete(r.id);
        updateCompare();
      } });
      return [
        box,
        h('a', { href: `#/runs/${r.id}`, class: 'mono' }, r.id),
        h('a', { href: `#/runs/${r.id}` }, runLabel(r)),
        r.kind,
        badge(r.status),
        when(r.startedAt),
        runDuration(r.startedAt, r.endedAt, r.heartbeatAt, r.status === 'running'),
        r.lastStep ?? '–',
        num(r.summary.trainLoss),
        num(r.summary.valLoss),
        num(r.bestValLoss),
        human(r.parameters),
      ];
    });
    fill(body, table(['', 'id', 'name', 'kind', 'status', 'started', 'duration', 'step', 'train loss', 'val loss', 'best val', 'params'], rows, { id: 'runs-table', class: 'runs' }));
  };
  every(3000, signal, async () => render((await getJson<RunsResponse>('/api/runs', signal)).runs),
    (err) => fill(body, h('p', { class: 'error' }, err.message)));
};
