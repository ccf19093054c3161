// The dashboard: a hash router (#/runs, #/runs/<id>, #/compare, #/models, #/models/<id>, #/scaling) over pages.

import './style.css';
import { apiKey, setApiKey } from './api.js';
import { fill, h, note } from './dom.js';
import { runsPage } from './pages/runs.js';
import { runPage } from './pages/run.js';
import { comparePage } from './pages/compare.js';
import { modelsPage } from './pages/models.js';
import { modelPage } from './pages/model.js';
import { scalingPage } from './pages/scaling.js';
import type { Page } from './pages/page.js';

const ROUTES: { pattern: RegExp; nav: string; page: Page }[] = [
  { pattern: /^(?:runs)?$/, nav: 'runs', page: runsPage },
  { pattern: /^runs\/([^/]+)$/, nav: 'runs', page: runPage },
  { pattern: /^compare$/, nav: 'compare', page: comparePage },
  { pattern: /^models$/, nav: 'models', page: modelsPage },
  { pattern: /^models\/(.+)$/, nav: 'models', page: modelPage },
  { pattern: /^scaling$/, nav: 'scaling', page: scalingPage },
];

const root = document.getElementById('app')!;
let current: AbortController | null = null;

async function route(): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?');
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) a.classList.remove('active');
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m !== null);
  if (!match) {
    fill(root, h('h1', null, 'Not found'), note('No page at ', h('code', null, `#/${path}`), '. ', h('a', { href: '#/runs' }, 'Runs')));
    return;
  }
  document.querySelector(`#nav a[data-page="${match.r.nav}"]`)?.classList.add('active');
  fill(root);
  try {
    await match.r.page(root, { params: match.m!.slice(1).map((p) => decodeURIComponent(p)), query: new URLSearchParams(search), signal: controller.signal });
  } catch (err) {
    if (controller.signal.aborted) return;
    root.append(h('p', { class: 'error' }, (err as Error).message));
  }
}

document.getElementById('key-button')!.addEventListener('click', () => {
  const key = prompt('API key for this server (empty to forget it):', apiKey() ?? '');
  if (key !== null) {
    setApiKey(key);
    void route();
  }
});
window.addEventListener('hashchange', () => void route());
void route();
