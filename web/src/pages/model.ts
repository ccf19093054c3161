// One served model: for a GPT a playground (completion and chat, streamed), classify and ask boxes;
// for a classical model a form and a CSV upload that return predictions.

import type { ModelsResponse, ServedModel } from '../../../src/server/dashboard-types.js';
import type { ChatCompletionChunk, Completion, ChatCompletion } from '../../../src/server/openai-types.js';
import { postJson, sse } from '../api.js';
import { getJson } from '../api.js';
import { parseCsv, toCsv } from '../csv.js';
import { card, fill, h, note, table } from '../dom.js';
import { human } from '../format.js';
import type { Page } from './page.js';
import { inBrowserCard } from './in-browser.js';

type Language = Extract<ServedModel, { kind: 'language' }>;
type Classical = Extract<ServedModel, { kind: 'classical' }>;

export const modelPage: Page = async (root, { params, signal }) => {
  const id = params[0]!;
  const { served } = await getJson<ModelsResponse>('/api/models', signal);
  const m = served.find((x) => x.id === id);
  if (!m) {
    root.append(h('h1', null, id), note('This server does not serve that model. ', h('a', { href: '#/models' }, 'Models')));
    return;
  }
  const sub = m.kind === 'language'
    ? `GPT · ${human(m.parameters)} parameters · context ${m.config.blockSize}`
    : `classical · ${m.task}`;
  root.append(h('div', { class: 'page-head' }, h('h1', null, m.id), h('span', { class: 'dim' }, sub)));
  if (m.kind === 'language') language(root, m, signal);
  else classical(root, m);
};

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', null, label), input);
}

function numberInput(name: string, value: string, props: Record<string, string> = {}): HTMLInputElement {
  return h('input', { type: 'number', name, value, ...props });
}

const optNum = (el: HTMLInputElement): number | undefined => (el.value.trim() === '' ? undefined : Number(el.value));

function language(root: HTMLElement, m: Language, pageSignal: AbortSignal): void {
  // Sampling controls shared by completion and chat.
  const maxTokens = numberInput('max_tokens', String(Math.min(64, Math.floor(m.config.blockSize / 2))), { min: '1', max: String(m.config.blockSize) });
  const temperature = numberInput('temperature', '0.8', { min: '0', max: '2', step: '0.05' });
  const topK = numberInput('top_k', '40', { min: '1', placeholder: 'off' });
  const topP = numberInput('top_p', '1', { min: '0', max: '1', step: '0.05' });
  const seed = numberInput('seed', '', { placeholder: 'random' });
  const sampling = () => ({
    max_tokens: optNum(maxTokens), temperature: optNum(temperature), top_k: optNum(topK), top_p: optNum(topP), seed: optNum(seed),
  });

  const stats = h('span', { class: 'dim', id: 'playground-stats' });
  let running: AbortController | null = null;
  const stopButton = h('button', { type: 'button', class: 'ghost', disabled: true, onclick: () => running?.abort() }, 'Stop');
  /** Runs one streamed request, feeding text pieces to `onText`; one at a time. */
  const stream = async <C>(path: string, body: object, piece: (c: C) => string, onText: (s: string) => void, onError: (message: string) => void, done: () => void) => {
    running?.abort();
    const ctl = new AbortController();
    running = ctl;
    pageSignal.addEventListener('abort', () => ctl.abort(), { once: true });
    stopButton.disabled = false;
    const t0 = performance.now();
    let n = 0;
    try {
      for await (const chunk of sse<C>(path, { model: m.id, stream: true, ...sampling(), ...body }, ctl.signal)) {
        const s = piece(chunk);
        if (s) { n++; onText(s); }
        stats.textContent = `${n} chunks · ${(n / ((performance.now() - t0) / 1000)).toFixed(1)}/s`;
      }
    } catch (err) {
      if (!ctl.signal.aborted) onError((err as Error).message);
    } finally {
      if (running === ctl) { running = null; stopButton.disabled = true; }
      done();
    }
  };

  // Completion
  const prompt = h('textarea', { id: 'prompt', rows: '4', placeholder: 'Once upon a time' }, 'Once upon a time');
  const output = h('pre', { id: 'playground-output', class: 'output' });
  const generate = h('button', { type: 'submit', class: 'primary' }, 'Generate');
  const completeForm = h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const text = prompt.value;
    fill(output, h('span', { class: 'dim' }, text));
    const gen = h('span', { class: 'generated' });
    output.append(gen);
    generate.disabled = true;
    void (async () => {
      // Ask for no more tokens than the context has room for after the prompt.
      const room = await postJson<{ count: number }>('/tokenize', { model: m.id, text }, pageSignal)
        .then((t) => m.config.blockSize - t.count, () => m.config.blockSize);
      const want = optNum(maxTokens);
      const max = Math.max(1, Math.min(want ?? room, room));
      await stream<Completion>('/v1/completions', { prompt: text, max_tokens: max }, (c) => c.choices[0]?.text ?? '', (s) => gen.append(s),
        (message) => output.append(h('span', { class: 'error' }, `\n${message}`)), () => { generate.disabled = false; });
    })();
  } }, prompt, h('div', { class: 'row' }, generate, stopButton, stats), output);

  // Chat
  const messages: { role: 'system' | 'user' | 'assistant'; content: string }[] = [];
  const log = h('div', { class: 'chat-log', id: 'chat-log' });
  const system = h('input', { type: 'text', placeholder: 'System prompt (optional)' });
  const say = h('input', { type: 'text', id: 'chat-input', placeholder: 'Say something…', required: true });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const bubble = (role: string, text: string) => h('div', { class: `msg ${role}` }, h('span', { class: 'who' }, role), h('span', { class: 'text' }, text));
  const chatForm = h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const text = say.value.trim();
    if (!text) return;
    say.value = '';
    messages.push({ role: 'user', content: text });
    log.append(bubble('user', text));
    const reply = bubble('assistant', '');
    const replyText = reply.querySelector('.text')!;
    log.append(reply);
    const all = system.value.trim() ? [{ role: 'system' as const, content: system.value.trim() }, ...messages] : messages;
    send.disabled = true;
    void stream<ChatCompletionChunk>('/v1/chat/completions', { messages: all }, (c) => c.choices[0]?.delta.content ?? '',
      (s) => { replyText.append(s); log.scrollTop = log.scrollHeight; },
      (message) => reply.append(h('span', { class: 'error' }, message)),
      () => { messages.push({ role: 'assistant', content: replyText.textContent ?? '' }); send.disabled = false; });
  } }, system, log, h('div', { class: 'row' }, say, send,
    h('button', { type: 'button', class: 'ghost', onclick: () => { messages.length = 0; fill(log); } }, 'Clear')));

  const completeTab = h('button', { type: 'button', class: 'tab active' }, 'Complete');
  const chatTab = h('button', { type: 'button', class: 'tab' }, 'Chat');
  const panel = h('div', null, completeForm);
  completeTab.addEventListener('click', () => { completeTab.classList.add('active'); chatTab.classList.remove('active'); fill(panel, completeForm); });
  chatTab.addEventListener('click', () => { chatTab.classList.add('active'); completeTab.classList.remove('active'); fill(panel, chatForm); });

  root.append(h('section', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Playground'), h('div', { class: 'tabs' }, completeTab, chatTab)),
    h('div', { class: 'controls sampling' },
      field('max tokens', maxTokens), field('temperature', temperature), field('top k', topK), field('top p', topP), field('seed', seed)),
    panel));

  // Classify and ask
  const text = h('textarea', { rows: '3', id: 'classify-input', placeholder: 'I loved this film, it was wonderful.' });
  const labels = h('input', { type: 'text', id: 'classify-labels', placeholder: m.labels ? `blank: the model's own (${m.labels.join(', ')})` : 'positive, negative' });
  const classResult = h('div', { id: 'classify-result' });
  const classifyForm = h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const ls = labels.value.split(',').map((x) => x.trim()).filter(Boolean);
    const body = { model: m.id, input: text.value, ...(ls.length ? { labels: ls } : m.labels ? {} : { labels: ['positive', 'negative'] }) };
    fill(classResult, note('Classifying…'));
    postJson<{ data: { label: string; scores: Record<string, number> }[] }>('/v1/classify', body).then((r) => {
      const d = r.data[0]!;
      fill(classResult, h('p', null, 'Label: ', h('strong', null, d.label)),
        ...Object.entries(d.scores).sort((a, b) => b[1] - a[1]).map(([k, v]) => h('div', { class: 'bar' },
          h('span', null, k), h('span', { class: 'track' }, h('span', { class: 'fill', style: `width:${(v * 100).toFixed(1)}%` })), h('span', { class: 'mono' }, v.toFixed(3)))));
    }, (err: Error) => fill(classResult, h('p', { class: 'error' }, err.message)));
  } }, text, labels, h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Classify')), classResult);

  const question = h('input', { type: 'text', id: 'ask-input', placeholder: 'What is the capital of France?' });
  const answer = h('p', { id: 'ask-answer', class: 'answer' });
  const askForm = h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    fill(answer, note('Thinking…'));
    postJson<ChatCompletion>('/v1/chat/completions', { model: m.id, messages: [{ role: 'user', content: question.value }], temperature: 0, max_tokens: 48 })
      .then((r) => fill(answer, r.choices[0]?.message.content?.trim() || '(no answer)'), (err: Error) => fill(answer, h('span', { class: 'error' }, err.message)));
  } }, question, h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Ask')), answer);

  root.append(h('div', { class: 'two' }, card('Classify', classifyForm), card('Ask', askForm)));
  root.append(inBrowserCard(m.id, m.labels, pageSignal));
}

function classical(root: HTMLElement, m: Classical): void {
  const features = m.features ?? [];
  // One-row form
  const inputs = features.map((f) => h('input', { type: 'text', name: f, placeholder: f }));
  const result = h('p', { id: 'form-result', class: 'answer' });
  const form = h('form', { class: 'stack', onsubmit: (e) => {
    e.preventDefault();
    const row = Object.fromEntries(features.map((f, i) => [f, inputs[i]!.value.trim() === '' ? null : inputs[i]!.value.trim()]));
    postJson<{ data: { prediction: string | number }[] }>('/v1/predict', { model: m.id, rows: [row] })
      .then((r) => fill(result, 'Prediction: ', h('strong', null, String(r.data[0]!.prediction))), (err: Error) => fill(result, h('span', { class: 'error' }, err.message)));
  } }, h('div', { class: 'feature-grid' }, ...features.map((f, i) => field(f, inputs[i]!))), h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Predict')), result);

  // CSV upload
  const file = h('input', { type: 'file', id: 'csv-input', accept: '.csv,text/csv' });
  const out = h('div', { id: 'predictions' });
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (!f) return;
    fill(out, note(`Reading ${f.name}…`));
    void (async () => {
      try {
        const { columns, rows } = parseCsv(await f.text());
        if (rows.length === 0) throw new Error('the CSV has a header but no rows');
        const missing = features.filter((x) => !columns.includes(x));
        if (missing.length) throw new Error(`the CSV lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        const predictions: (string | number)[] = [];
        for (let i = 0; i < rows.length; i += 5000) {
          const batch = rows.slice(i, i + 5000).map((r) => (features.length ? Object.fromEntries(features.map((x) => [x, r[x] ?? null])) : columns.map((c) => r[c] ?? null)));
          const res = await postJson<{ data: { prediction: string | number }[] }>('/v1/predict', { model: m.id, rows: batch });
          predictions.push(...res.data.map((d) => d.prediction));
        }
        const shown = [...(features.length ? features : columns), 'prediction'];
        const withPred: Record<string, unknown>[] = rows.map((r, i) => ({ ...r, prediction: predictions[i] }));
        const url = URL.createObjectURL(new Blob([toCsv([...columns, 'prediction'], withPred)], { type: 'text/csv' }));
        fill(out,
          h('p', null, `${rows.length} predictions. `, h('a', { href: url, download: f.name.replace(/\.csv$/i, '') + '.predictions.csv' }, 'Download CSV')),
          table(shown, withPred.slice(0, 200).map((r) => shown.map((c) => (c === 'prediction' ? h('strong', null, String(r.prediction)) : String(r[c] ?? '')))), { class: 'predictions' }),
          rows.length > 200 ? note(`First 200 of ${rows.length} rows shown.`) : null);
      } catch (err) {
        fill(out, h('p', { class: 'error' }, (err as Error).message));
      }
    })();
  });

  root.append(h('div', { class: 'two' },
    card('Predict one', features.length ? form : note('This model does not name its features: upload a CSV whose columns are in training order.')),
    card('Predict a CSV', note('A header line naming ', features.length ? `the features (${features.join(', ')})` : 'the columns', '; other columns are kept in the download.'), file, out)));
  if (m.labels) root.append(note(`Classes: ${m.labels.join(', ')}`));
}
