// The playground's "in this browser" switch: the served model loaded into the page from
// /moxing.js and /models/<id>/, then generation, classification and a short fine-tune run here,
// on webgpu, wasm or js, with tokens/s and the backend shown and the fine-tune's loss drawn live.

import type { BrowserBackend, BrowserModelApi, MoxingBrowserModule } from '../../../src/browser/api-types.js';
import { apiKey } from '../api.js';
import { Chart } from '../chart.js';
import { card, fill, h, note } from '../dom.js';

const MODULE_URL = '/moxing.js';

function backendChoice(): BrowserBackend {
  return 'gpu' in navigator ? 'webgpu' : 'wasm';
}

/** Whether the page can get a WebGPU adapter: a browser may expose navigator.gpu and still find none. */
async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  try {
    return Boolean(await gpu?.requestAdapter());
  } catch {
    return false;
  }
}

/**
 * The card: a switch that loads the model into the page, and the three tasks once it is loaded.
 * `labels` are the served model's classifier labels (null: no classification here).
 */
export function inBrowserCard(modelId: string, labels: readonly string[] | null, pageSignal: AbortSignal): HTMLElement {
  const toggle = h('input', { type: 'checkbox', id: 'in-browser-switch' });
  const backend = h('select', { id: 'in-browser-backend' },
    ...(['webgpu', 'wasm', 'js'] as const).map((b) => h('option', { value: b, ...(b === backendChoice() ? { selected: true } : {}) }, b)));
  const status = h('span', { class: 'dim', id: 'in-browser-status' }, 'Runs on the server; switch on to load the model into this page.');
  const body = h('div', { class: 'stack', id: 'in-browser-body' });
  let model: BrowserModelApi | null = null;
  let picked = false; // the user chose a backend: keep it, even where it fails

  const load = async () => {
    fill(body);
    model = null;
    if (!toggle.checked) {
      fill(status, 'Runs on the server; switch on to load the model into this page.');
      return;
    }
    // The default (not a backend the user picked) falls back to wasm where WebGPU has no adapter.
    if (!picked && backend.value === 'webgpu' && !(await hasWebGpuAdapter())) backend.value = 'wasm';
    fill(status, `Loading ${modelId} into the page on ${backend.value}…`);
    try {
      const mx = (await import(/* @vite-ignore */ MODULE_URL)) as MoxingBrowserModule;
      const t0 = performance.now();
      // The key the dashboard saved, for a server started with --api-key (its /models/ files need it).
      const key = apiKey();
      model = await mx.loadModel(`/models/${encodeURIComponent(modelId)}`, { backend: backend.value as BrowserBackend, headers: key ? { Authorization: `Bearer ${key}` } : undefined });
      const info = model.info();
      fill(status, h('strong', { id: 'in-browser-backend-shown' }, info.backend),
        info.backend === 'wasm' ? ` · ${info.threads} thread${info.threads > 1 ? 's' : ''}${info.relaxedSimd ? ' · relaxed SIMD' : ''}` : '',
        info.crossOriginIsolated ? ' · cross-origin isolated' : '',
        ` · loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      fill(body, generatePanel(model), labels ? classifyPanel(model) : null, finetunePanel(model, pageSignal));
    } catch (err) {
      fill(status, h('span', { class: 'error' }, (err as Error).message));
    }
  };
  toggle.addEventListener('change', () => void load());
  backend.addEventListener('change', () => { picked = true; if (toggle.checked) void load(); });

  return card('In this browser',
    h('div', { class: 'row' }, h('label', { class: 'row' }, toggle, 'in this browser'), backend, status),
    body);
}

function generatePanel(model: BrowserModelApi): HTMLElement {
  const prompt = h('textarea', { id: 'in-browser-prompt', rows: '3' }, 'It is a truth universally');
  const maxNew = h('input', { type: 'number', value: '40', min: '1', max: '256', id: 'in-browser-max' });
  const temperature = h('input', { type: 'number', value: '0', min: '0', max: '2', step: '0.05' });
  const out = h('pre', { class: 'output', id: 'in-browser-output' });
  const stats = h('span', { class: 'dim', id: 'in-browser-tps' });
  const run = h('button', { type: 'submit', class: 'primary' }, 'Generate here');
  return h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    run.disabled = true;
    fill(out, h('span', { class: 'dim' }, prompt.value));
    const gen = h('span', { class: 'generated' });
    out.append(gen);
    let n = 0;
    const t0 = performance.now();
    void model.generate(prompt.value, { maxNewTokens: Number(maxNew.value), temperature: Number(temperature.value) }, () => {
      n++;
      stats.textContent = `${n} tokens · ${(n / ((performance.now() - t0) / 1000)).toFixed(1)} tokens/s`;
    }).then((r) => {
      gen.textContent = r.text;
      stats.textContent = `${r.tokens.length} tokens · ${r.tokensPerSecond.toFixed(1)} tokens/s · ${model.info().backend}`;
    }, (err: Error) => out.append(h('span', { class: 'error' }, `\n${err.message}`))).finally(() => { run.disabled = false; });
  } }, h('h3', null, 'Generate'), prompt,
  h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', null, 'max tokens'), maxNew), h('label', { class: 'field' }, h('span', null, 'temperature'), temperature), run, stats), out);
}

function classifyPanel(model: BrowserModelApi): HTMLElement {
  const text = h('input', { type: 'text', id: 'in-browser-classify-input', value: 'What a wonderful cup of coffee!' });
  const result = h('div', { id: 'in-browser-classify-result' });
  return h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const t0 = performance.now();
    model.classify(text.value).then((r) => {
      fill(result, h('p', null, 'Label: ', h('strong', null, r.label), h('span', { class: 'dim' }, ` · ${(performance.now() - t0).toFixed(0)} ms in the page`)),
        ...Object.entries(r.scores).sort((a, b) => b[1] - a[1]).map(([k, v]) => h('div', { class: 'bar' },
          h('span', null, k), h('span', { class: 'track' }, h('span', { class: 'fill', style: `width:${(v * 100).toFixed(1)}%` })), h('span', { class: 'mono' }, v.toFixed(3)))));
    }, (err: Error) => fill(result, h('p', { class: 'error' }, err.message)));
  } }, h('h3', null, 'Classify'), h('div', { class: 'row' }, text, h('button', { type: 'submit', class: 'primary' }, 'Classify here')), result);
}

function finetunePanel(model: BrowserModelApi, pageSignal: AbortSignal): HTMLElement {
  const texts = h('textarea', { id: 'in-browser-texts', rows: '4' },
    'The tea garden on the hill is quiet in the morning. The pickers sing as they work, and the mist lifts from the rows.');
  const steps = h('input', { type: 'number', value: '30', min: '1', max: '1000', id: 'in-browser-steps' });
  const lr = h('input', { type: 'number', value: '0.001', min: '0', step: '0.0001' });
  const stats = h('span', { class: 'dim', id: 'in-browser-finetune-stats' });
  const chartBox = h('div', { id: 'in-browser-loss' });
  const start = h('button', { type: 'submit', class: 'primary' }, 'Fine-tune here');
  let running: AbortController | null = null;
  const stop = h('button', { type: 'button', class: 'ghost', disabled: true, onclick: () => running?.abort() }, 'Stop');
  return h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const ctl = new AbortController();
    running = ctl;
    pageSignal.addEventListener('abort', () => ctl.abort(), { once: true });
    const chart = new Chart({ xLabel: 'step', yLabel: 'loss', series: [{ label: 'trainLoss' }], height: 220 }, pageSignal);
    fill(chartBox, chart.el);
    const xs: number[] = [];
    const ys: number[] = [];
    start.disabled = true;
    stop.disabled = false;
    const paragraphs = texts.value.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
    void model.finetune(paragraphs, {
      steps: Number(steps.value), lr: Number(lr.value), signal: ctl.signal,
      onProgress: (s) => {
        xs.push(s.step);
        ys.push(s.loss);
        chart.setData([xs.slice(), ys.slice()]);
        stats.textContent = `step ${s.step}/${s.total} · loss ${s.loss.toFixed(3)} · ${Math.round(s.tokensPerSecond)} tokens/s · ${model.info().backend}`;
      },
    }).catch((err: Error) => { stats.textContent = ''; chartBox.append(h('p', { class: 'error' }, err.message)); })
      .finally(() => { start.disabled = false; stop.disabled = true; running = null; });
  } }, h('h3', null, 'Fine-tune on your text'), note('Paragraphs separated by blank lines; the weights change in this page only.'), texts,
  h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', null, 'steps'), steps), h('label', { class: 'field' }, h('span', null, 'lr'), lr), start, stop, stats), chartBox);
}
