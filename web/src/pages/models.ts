// The models: those this server serves (open one for its playground or prediction form) and the registry.

import type { ModelsResponse } from '../../../src/server/dashboard-types.js';
import { getJson } from '../api.js';
import { card, h, note, table } from '../dom.js';
import { human, num, when } from '../format.js';
import type { Page } from './page.js';

export const modelsPage: Page = async (root, { signal }) => {
  const { served, registry } = await getJson<ModelsResponse>('/api/models', signal);
  root.append(h('div', { class: 'page-head' }, h('h1', null, 'Models')));
  const cards = served.map((m) => {
    const href = `#/models/${encodeURIComponent(m.id)}`;
    const lines = m.kind === 'language'
      ? [
        `GPT · ${human(m.parameters)} parameters`,
        `${m.config.nLayer} layers × ${m.config.nEmbd}, ${m.config.nHead} heads, context ${m.config.blockSize}`,
        m.labels ? `classifier: ${m.labels.join(' / ')}` : m.chatTemplate ? 'chat template' : 'text completion',
      ]
      : [
        `classical · ${m.task}`,
        m.features ? `${m.features.length} features: ${m.features.slice(0, 6).join(', ')}${m.features.length > 6 ? ', …' : ''}` : 'features by position',
        m.labels ? `classes: ${m.labels.join(' / ')}` : '',
      ];
    return h('a', { class: 'model-card', href, 'data-model': m.id },
      h('strong', null, m.id), ...lines.filter(Boolean).map((l) => h('span', null, l)),
      h('span', { class: 'open' }, m.kind === 'language' ? 'Playground →' : 'Predict →'));
  });
  root.append(card('Served here', served.length
    ? h('div', { class: 'model-grid' }, ...cards)
    : note('This server serves no models: start it with ', h('code', null, 'moxing serve --model <run-dir|model.json>'), '.')));
  root.append(card('Registry', registry.length
    ? table(['name', 'version', 'kind', 'metrics', 'run', 'path', 'registered'], registry.map((m) => [
      h('strong', null, m.name), `v${m.version}`, m.kind,
      Object.entries(m.metrics).map(([k, v]) => `${k} ${num(v)}`).join(', ') || '–',
      m.runId ? h('a', { href: `#/runs/${m.runId}`, class: 'mono' }, m.runId) : '–',
      h('code', null, m.path), when(m.createdAt),
    ]))
    : note('No registered models. Training commands can register what they make; the registry keeps every version.')));
};
