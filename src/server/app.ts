// The HTTP routes (Hono): OpenAI's /v1 API, moxing's classify/predict/tokenize, health and metrics.

import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { ApiError, invalidRequest, modelNotFound, toApiError } from './errors.js';
import {
  ChatCompletionRequest, ClassifyRequest, CompletionRequest, DetokenizeRequest, EmbeddingRequest, PredictRequest, TokenizeRequest,
  parseBody, type ModelObject,
} from './openai-types.js';
import { bearerCheck } from './auth.js';
import { Metrics } from './metrics.js';
import { processMetrics } from './process-metrics.js';
import type { ClassicalModelEntry, LanguageModelEntry, ModelRegistry } from './model-registry.js';
import { startGeneration, type GenerationRun } from './generation.js';
import { chatChunks, chatJob, collectChat, collectCompletion, completionChunks, completionJob, newMeta, type Observer } from './completions.js';
import { sseResponse } from './sse.js';
import { withDocs, type ChatDocs } from './docs-chat.js';
import { embedIds } from './embed.js';
import { dashboardRoute, mountDashboard, type DashboardOptions } from './dashboard-api.js';
import { mountBrowserAssets } from './browser-assets.js';
import { deviceFaultOf } from '../backends/fault.js';

export interface AppOptions {
  registry: ModelRegistry;
  /** With keys, every /v1 route needs `Authorization: Bearer <key>`. */
  apiKeys?: readonly string[];
  /**
   * Keys that open /metrics only (a Prometheus scraper need not hold an API key). /metrics is
   * public when there are neither API keys nor metrics keys; otherwise it takes either kind.
   */
  metricsKeys?: readonly string[];
  /** Larger bodies get 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /** A request still generating after this long fails with a timeout. Default 600 s. */
  requestTimeoutMs?: number;
  metrics?: Metrics;
  /** Where the dashboard (/api and the web app at /) reads runs, reports and its files. */
  dashboard?: DashboardOptions;
  /** Chat answers from a document index (`moxing serve --docs`). */
  docs?: ChatDocs;
}

/** Per-request values: a streamed response reports its own metrics when it ends. */
type Env = { Variables: { streaming: boolean; startedAt: number } };

const ROUTES = new Set(['/health', '/metrics', '/v1/models', '/v1/completions', '/v1/chat/completions', '/v1/embeddings', '/v1/classify', '/v1/predict', '/tokenize', '/detokenize']);

function routeOf(path: string): string {
  if (ROUTES.has(path)) return path;
  return path.startsWith('/v1/models/') ? '/v1/models/:id' : dashboardRoute(path) ?? 'unmatched';
}

async function readJson(c: Context<Env>): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON payload, but what was sent was not valid JSON.)", null, 'invalid_json');
  }
}

async function body<S extends z.ZodType>(c: Context<Env>, schema: S): Promise<z.infer<S>> {
  return parseBody(schema, await readJson(c));
}

/**
 * Builds the Hono app over a registry of loaded models.
 * @example
 * const app = createApp({ registry });
 * const res = await app.request('/v1/models'); // in-process, no socket
 */
export function createApp(options: AppOptions): Hono<Env> {
  const { registry } = options;
  const metrics = options.metrics ?? new Metrics();
  const timeoutMs = options.requestTimeoutMs ?? 600_000;
  const checkKey = bearerCheck(options.apiKeys ?? []);
  const checkMetricsKey = bearerCheck([...(options.apiKeys ?? []), ...(options.metricsKeys ?? [])]);
  const app = new Hono<Env>();

  const language = (id: string | null | undefined): LanguageModelEntry => {
    const entry = id ? registry.get(id) : registry.list().find((e) => e.kind === 'language');
    if (!entry) throw id ? modelNotFound(id) : invalidRequest('No language model is served.', 'model');
    if (entry.kind !== 'language') throw invalidRequest(`The model \`${entry.id}\` is a classical model: use /v1/predict.`, 'model', 'model_not_supported');
    return entry;
  };
  const classical = (id: string): ClassicalModelEntry => {
    const entry = registry.get(id);
    if (!entry) throw modelNotFound(id);
    if (entry.kind !== 'classical') throw invalidRequest(`The model \`${id}\` is a language model: /v1/predict serves classical models.`, 'model', 'model_not_supported');
    return entry;
  };
  /** Client disconnect or the request timeout, whichever comes first. */
  const signalOf = (c: Context<Env>) => AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(timeoutMs)]);

  // Metrics first, so every response (errors included) is counted; streams report when they end.
  app.use('*', async (c, next) => {
    const t0 = performance.now();
    c.set('startedAt', t0);
    await next();
    if (c.get('streaming')) return;
    metrics.request(routeOf(c.req.path), c.res.status, (performance.now() - t0) / 1000);
  });
  app.use('/v1/*', async (c, next) => {
    checkKey(c.req.header('Authorization'));
    await next();
  });
  app.use('*', bodyLimit({
    maxSize: options.maxBodyBytes ?? 4 * 1024 * 1024,
    onError: () => {
      throw new ApiError(413, `The request body is too large (the limit is ${options.maxBodyBytes ?? 4 * 1024 * 1024} bytes).`, { code: 'request_too_large' });
    },
  }));
  app.onError((err, c) => {
    // Usually the device's own loss report has started this already; a request may meet it first.
    const lost = deviceFaultOf(err, 'lost');
    if (lost) void registry.fallBackToCpu(lost);
    const e = toApiError(err);
    if (e.code === 'device_out_of_memory') process.stderr.write(`moxing serve: ${c.req.method} ${c.req.path}: ${e.message}\n`);
    else if (e.status >= 500 && e.code !== 'timeout' && e.code !== 'device_lost') process.stderr.write(`moxing serve: ${c.req.method} ${c.req.path}: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
    return c.json(e.toBody(), e.status as 400);
  });
  app.notFound((c) => c.json(new ApiError(404, `Unknown request URL: ${c.req.method} ${c.req.path}.`, { code: 'unknown_url' }).toBody(), 404));

  /** Streams a run as SSE, or collects it, from the same events. */
  const respond = <T extends object>(
    c: Context<Env>, run: GenerationRun, abort: AbortController, stream: boolean, route: string, model: string,
    collect: (obs: Observer) => Promise<T>, chunks: (obs: Observer) => AsyncIterable<object>,
  ) => {
    const t0 = c.get('startedAt');
    let first = true;
    const obs: Observer = {
      onToken: () => {
        if (first) { first = false; metrics.firstToken((performance.now() - t0) / 1000); }
        metrics.generated(1);
      },
    };
    const finish = () => metrics.tokens(model, run.promptTokens, run.completionTokens());
    if (!stream) return collect(obs).then((r) => { finish(); return c.json(r); }, (e: unknown) => { finish(); throw e; });
    c.set('streaming', true);
    return sseResponse(chunks(obs), () => abort.abort(new Error('client disconnected')), (outcome) => {
      finish();
      metrics.request(route, outcome === 'done' ? 200 : outcome === 'cancelled' ? 499 : 500, (performance.now() - t0) / 1000);
    });
  };

  // The device too: after a GPU fault the models answer on the cpu, and `fallback` says why.
  app.get('/health', (c) => c.json({
    status: 'ok', models: registry.list().map((m) => m.id), device: registry.device(),
    ...(registry.fellBack ? { fallback: registry.fellBack } : {}),
  }));

  app.get('/metrics', async (c) => {
    checkMetricsKey(c.req.header('Authorization'));
    const schedulers = registry.list().flatMap((m) => (m.kind === 'language' ? [{ model: m.id, scheduler: m.scheduler }] : []));
    const text = metrics.render(schedulers) + await processMetrics();
    return c.body(text, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });

  const modelObject = (id: string, created: number): ModelObject => ({ id, object: 'model', created, owned_by: 'moxing' });
  app.get('/v1/models', (c) => c.json({ object: 'list', data: registry.list().map((m) => modelObject(m.id, m.created)) }));
  app.get('/v1/models/:id{.+}', (c) => {
    const m = registry.get(c.req.param('id'));
    if (!m) throw modelNotFound(c.req.param('id'));
    return c.json(modelObject(m.id, m.created));
  });

  app.post('/v1/completions', async (c) => {
    const req = await body(c, CompletionRequest);
    const entry = language(req.model);
    const abort = new AbortController();
    const { job, echo, logprobs } = completionJob(entry, req, AbortSignal.any([signalOf(c), abort.signal]));
    const run = startGeneration(job);
    const meta = newMeta('cmpl', entry.id);
    return respond(c, run, abort, req.stream ?? false, '/v1/completions', entry.id,
      (obs) => collectCompletion(run, meta, entry, echo, logprobs, obs),
      (obs) => completionChunks(run, meta, entry, echo, logprobs, req.stream_options?.include_usage ?? false, obs));
  });

  app.post('/v1/chat/completions', async (c) => {
    const asked = await body(c, ChatCompletionRequest);
    const entry = language(asked.model);
    // With --docs: retrieved context before the question, and the sources named in the response.
    const { req, sources } = options.docs ? withDocs(asked, options.docs, entry.tokenizer, entry.chatTemplate, entry.model.config.blockSize) : { req: asked, sources: null };
    const abort = new AbortController();
    const { job, logprobs } = chatJob(entry, req, AbortSignal.any([signalOf(c), abort.signal]));
    const run = startGeneration(job);
    const meta = newMeta('chatcmpl', entry.id);
    const res = await respond(c, run, abort, req.stream ?? false, '/v1/chat/completions', entry.id,
      (obs) => collectChat(run, meta, entry, logprobs, obs).then((r) => (sources ? { ...r, sources } : r)),
      (obs) => chatChunks(run, meta, entry, logprobs, req.stream_options?.include_usage ?? false, obs));
    if (sources) res.headers.set('x-moxing-sources', encodeURIComponent(JSON.stringify(sources.map((x) => x.source))));
    return res;
  });

  app.post('/v1/embeddings', async (c) => {
    const req = await body(c, EmbeddingRequest);
    const entry = language(req.model);
    const { blockSize, nEmbd } = entry.model.config;
    const raw = req.input;
    const inputs: number[][] = typeof raw === 'string' ? [encodeInput(entry, raw)]
      : typeof raw[0] === 'string' ? (raw as string[]).map((s) => encodeInput(entry, s))
      : typeof raw[0] === 'number' ? [raw as number[]] : (raw as number[][]);
    if (inputs.length > 2048) throw invalidRequest(`Too many inputs: ${inputs.length} (at most 2048).`, 'input');
    inputs.forEach((ids, i) => {
      for (const id of ids) if (id >= entry.tokenizer.vocabSize) throw invalidRequest(`Invalid token id ${id} in 'input'.`, 'input');
      if (ids.length > blockSize) {
        throw new ApiError(400, `This model's maximum context length is ${blockSize} tokens, however you requested ${ids.length} tokens in your input${inputs.length > 1 ? ` (input[${i}])` : ''}. Please reduce your input.`, { param: 'input', code: 'context_length_exceeded' });
      }
    });
    const dims = req.dimensions ?? nEmbd;
    if (dims > nEmbd) throw invalidRequest(`dimensions must be at most ${nEmbd} for this model.`, 'dimensions');
    const vectors: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += 16) vectors.push(...await entry.scheduler.runTask(() => embedIds(entry.model, inputs.slice(i, i + 16))));
    const tokens = inputs.reduce((s, x) => s + x.length, 0);
    metrics.tokens(entry.id, tokens, 0);
    const base64 = req.encoding_format === 'base64';
    return c.json({
      object: 'list',
      data: vectors.map((v, index) => {
        const e = dims < nEmbd ? renormalize(v.subarray(0, dims)) : v;
        return { object: 'embedding', index, embedding: base64 ? Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64') : Array.from(e) };
      }),
      model: entry.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  app.post('/v1/classify', async (c) => {
    const req = await body(c, ClassifyRequest);
    const entry = language(req.model);
    const texts = typeof req.input === 'string' ? [req.input] : req.input;
    if (req.labels && new Set(req.labels).size !== req.labels.length) throw invalidRequest('labels must be distinct.', 'labels');
    if (!req.labels && !entry.labels) throw invalidRequest(`The model \`${entry.id}\` is not a fine-tuned classifier: give the candidate "labels" for zero-shot classification.`, 'labels', 'missing_required_parameter');
    const { results, tokens } = await entry.scheduler.runTask(() => entry.classify(texts, req.labels ?? null));
    metrics.tokens(entry.id, tokens, 0);
    const meta = newMeta('clf', entry.id);
    return c.json({
      id: meta.id, object: 'classification', created: meta.created, model: entry.id,
      data: results.map((r, index) => ({ index, label: r.label, scores: r.scores })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  app.post('/v1/predict', async (c) => {
    const req = await body(c, PredictRequest);
    const entry = classical(req.model);
    const predictions = entry.predictor.predict(req.rows);
    return c.json({ object: 'list', model: entry.id, data: predictions.map((prediction, index) => ({ index, prediction })) });
  });

  app.post('/tokenize', async (c) => {
    const req = await body(c, TokenizeRequest);
    const entry = language(req.model);
    const tokens = entry.tokenizer.encode(req.text, { allowSpecial: true });
    return c.json({ model: entry.id, tokens, count: tokens.length, max_model_len: entry.model.config.blockSize });
  });

  app.post('/detokenize', async (c) => {
    const req = await body(c, DetokenizeRequest);
    const entry = language(req.model);
    for (const id of req.tokens) if (id >= entry.tokenizer.vocabSize) throw invalidRequest(`Invalid token id ${id}: the vocabulary has ${entry.tokenizer.vocabSize} tokens.`, 'tokens');
    return c.json({ model: entry.id, text: entry.tokenizer.decode(req.tokens) });
  });

  // A served model's files are its weights: with keys, downloading them needs one as /v1 does
  // (the dashboard's in-browser page sends the key it saved). /moxing.js and the kernels stay open.
  app.use('/models/*', async (c, next) => {
    checkKey(c.req.header('Authorization'));
    await next();
  });
  // /moxing.js, /models/<name>/<file> and the COOP/COEP headers of the pages after it (the dashboard's).
  mountBrowserAssets(app, registry);
  mountDashboard(app, { ...options.dashboard, registry, checkKey });
  return app;
}

function encodeInput(entry: LanguageModelEntry, s: string): number[] {
  const ids = entry.tokenizer.encode(s, { allowSpecial: false });
  if (ids.length === 0) throw invalidRequest("'input' cannot be an empty string.", 'input');
  return ids;
}

function renormalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return Float32Array.from(v, (x) => x / n);
}
