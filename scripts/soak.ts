// npm run soak: sustained load on a running `moxing serve`, to see whether its memory stays bounded.
// C clients of the official openai package each loop over the server's kinds of work (streaming chat,
// one stream in three abandoned midway; completions with n=2 and logprobs; classification;
// embeddings) for N minutes, while /metrics is sampled every few seconds. It prints requests,
// errors, latency percentiles and the slope of resident memory over the second half of the run.
//
//   moxing serve &                        # or: nice -n 10 node bin/moxing.js serve
//   npm run soak -- --minutes 10 --clients 32 [--url http://127.0.0.1:8080] [--api-key k] [--csv rss.csv]
//
// Loopback only (it refuses another host), and bounded: after --minutes no new request starts and
// the ones in flight get 60 s to end.

import OpenAI from 'openai';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    minutes: { type: 'string', default: '10' },
    clients: { type: 'string', default: '32' },
    'api-key': { type: 'string', default: process.env.MOXING_API_KEY ?? 'none' },
    'chat-model': { type: 'string', default: 'moxing-chat' },
    'base-model': { type: 'string', default: 'moxing-base' },
    'classify-model': { type: 'string', default: 'moxing-sentiment' },
    'sample-seconds': { type: 'string', default: '5' },
    csv: { type: 'string' },
  },
});

function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

const minutes = Number(args.minutes);
const clients = Number(args.clients);
const sampleMs = Number(args['sample-seconds']) * 1000;
if (!(minutes > 0 && minutes <= 24 * 60)) fail(`--minutes must be in (0, 1440], got '${args.minutes}'`);
if (!(Number.isInteger(clients) && clients >= 1 && clients <= 1024)) fail(`--clients must be an integer in [1, 1024], got '${args.clients}'`);
if (!(sampleMs >= 1000)) fail(`--sample-seconds must be at least 1, got '${args['sample-seconds']}'`);
const base = new URL(args.url!);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) fail(`--url must be on loopback (127.0.0.1, localhost or [::1]), got '${base.hostname}'`);
const root = base.origin;

const client = new OpenAI({ baseURL: `${root}/v1`, apiKey: args['api-key'], maxRetries: 0, timeout: 120_000 });
const authHeaders: Record<string, string> = args['api-key'] === 'none' ? {} : { Authorization: `Bearer ${args['api-key']}` };

const QUESTIONS = ['What is the capital of France?', 'What is the capital of Japan?', 'What is the chemical symbol of gold?', 'Tell me about iron.', 'What is the capital of Peru?'];
const PROMPTS = ['It is a truth universally acknowledged, that', 'The weather in the morning was', 'She opened the door and saw', 'In the beginning', 'The letter said that'];
const REVIEWS = ['Great coffee, I order it every month.', 'The box arrived crushed and the cookies were stale.', 'Tastes fine, a bit pricey.', 'My dog loves these treats!'];

// ---- what each request does ----

type Kind = 'chat-stream' | 'chat-abandon' | 'completion' | 'classify' | 'embedding';
interface Outcome { kind: Kind; ms: number; ttftMs: number | null; error: string | null }

async function timed(kind: Kind, body: () => Promise<number | null>): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const ttft = await body();
    return { kind, ms: performance.now() - t0, ttftMs: ttft === null ? null : ttft - t0, error: null };
  } catch (err) {
    return { kind, ms: performance.now() - t0, ttftMs: null, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Streams a chat answer; `abandonAfter` chunks in, the client drops the connection. */
async function chat(seed: number, abandonAfter: number | null): Promise<number | null> {
  const stream = await client.chat.completions.create({
    model: args['chat-model']!, messages: [{ role: 'user', content: QUESTIONS[seed % QUESTIONS.length]! }],
    max_tokens: 48, temperature: 0.8, seed, stream: true, stream_options: { include_usage: true },
  });
  let first: number | null = null;
  let chunks = 0;
  let done = false;
  for await (const chunk of stream) {
    if (first === null && chunk.choices.some((c) => c.delta.content)) first = performance.now();
    if (chunk.choices.some((c) => c.finish_reason)) done = true;
    if (abandonAfter !== null && ++chunks >= abandonAfter) {
      stream.controller.abort(); // the client goes away mid-answer
      return first;
    }
  }
  if (!done) throw new Error('chat stream ended without a finish_reason');
  return first;
}

async function completion(seed: number): Promise<null> {
  const r = await client.completions.create({
    model: args['base-model']!, prompt: PROMPTS[seed % PROMPTS.length]!, max_tokens: 24, n: 2, logprobs: 3, temperature: 0.9, seed,
  });
  if (r.choices.length !== 2 || !r.choices.every((c) => c.logprobs?.token_logprobs?.length)) throw new Error('completion: expected 2 choices with logprobs');
  return null;
}

async function classify(seed: number): Promise<null> {
  const r = await client.post<{ data: Array<{ label: string }> }>('/classify', {
    body: { model: args['classify-model'], input: [REVIEWS[seed % REVIEWS.length], REVIEWS[(seed + 1) % REVIEWS.length]] },
  });
  if (r.data.length !== 2) throw new Error('classify: expected 2 results');
  return null;
}

async function embedding(seed: number): Promise<null> {
  const r = await client.embeddings.create({ model: args['base-model']!, input: [PROMPTS[seed % PROMPTS.length]!, REVIEWS[seed % REVIEWS.length]!] });
  if (r.data.length !== 2) throw new Error('embeddings: expected 2 vectors');
  return null;
}

/** The mix: per six requests, three streamed chats (one abandoned), a completion, a classification and an embedding. */
function next(seed: number): Promise<Outcome> {
  switch (seed % 6) {
    case 0: return timed('chat-stream', () => chat(seed, null));
    case 1: return timed('completion', () => completion(seed));
    case 2: return timed('chat-abandon', () => chat(seed, 3 + (seed % 5)));
    case 3: return timed('classify', () => classify(seed));
    case 4: return timed('chat-stream', () => chat(seed, null));
    default: return timed('embedding', () => embedding(seed));
  }
}

// ---- memory samples from /metrics ----

interface Sample { t: number; rss: number; heapUsed: number; heapTotal: number; external: number; wasmReserved: number; wasmTop: number; wasmLive: number }

const gauge = (text: string, name: string): number => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};

async function sample(t0: number): Promise<Sample> {
  const res = await fetch(`${root}/metrics`, { headers: authHeaders });
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  const text = await res.text();
  const rss = gauge(text, 'process_resident_memory_bytes');
  if (!Number.isFinite(rss)) throw new Error('GET /metrics has no process_resident_memory_bytes');
  return {
    t: (Date.now() - t0) / 60_000, rss, heapUsed: gauge(text, 'nodejs_heap_size_used_bytes'), heapTotal: gauge(text, 'nodejs_heap_size_total_bytes'),
    external: gauge(text, 'nodejs_external_memory_bytes'), wasmReserved: gauge(text, 'moxing_wasm_heap_reserved_bytes'),
    wasmTop: gauge(text, 'moxing_wasm_heap_top_bytes'), wasmLive: gauge(text, 'moxing_wasm_heap_live_bytes'),
  };
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const MB = 2 ** 20;
const mb = (bytes: number) => (bytes / MB).toFixed(1);

// ---- the run ----

async function main(): Promise<void> {
  try {
    await sample(Date.now());
  } catch (err) {
    fail(`cannot read ${root}/metrics (is moxing serve running there?): ${(err as Error).message}`);
  }
  const t0 = Date.now();
  const deadline = t0 + minutes * 60_000;
  const outcomes: Outcome[] = [];
  const samples: Sample[] = [];
  const errors = new Map<string, number>();
  let seed = 0;
  let lastReport = t0;

  const sampler = setInterval(() => {
    sample(t0).then((s) => {
      samples.push(s);
      if (Date.now() - lastReport >= 60_000) {
        lastReport = Date.now();
        const errs = outcomes.filter((o) => o.error).length;
        process.stderr.write(`soak: ${s.t.toFixed(1)} min, ${outcomes.length} requests, ${errs} errors, rss ${mb(s.rss)} MB, heap used ${mb(s.heapUsed)} MB, wasm live ${mb(s.wasmLive)} / top ${mb(s.wasmTop)} / reserved ${mb(s.wasmReserved)} MB\n`);
      }
    }, (err: unknown) => errors.set(`metrics: ${(err as Error).message}`, (errors.get(`metrics: ${(err as Error).message}`) ?? 0) + 1));
  }, sampleMs);

  const worker = async () => {
    while (Date.now() < deadline) {
      const o = await next(seed++);
      outcomes.push(o);
      if (o.error) errors.set(`${o.kind}: ${o.error}`, (errors.get(`${o.kind}: ${o.error}`) ?? 0) + 1);
    }
  };
  const grace = new Promise<void>((resolve) => setTimeout(resolve, minutes * 60_000 + 60_000).unref());
  await Promise.race([Promise.all(Array.from({ length: clients }, worker)), grace]);
  clearInterval(sampler);
  samples.push(await sample(t0));

  // ---- the report ----
  const secs = (Date.now() - t0) / 1000;
  const failed = outcomes.filter((o) => o.error).length + [...errors.keys()].filter((k) => k.startsWith('metrics:')).length;
  console.log(`soak: ${root}, ${clients} clients, ${(secs / 60).toFixed(1)} min`);
  console.log(`requests ${outcomes.length} (${(outcomes.length / secs).toFixed(1)}/s), errors ${failed}`);
  for (const [msg, n] of [...errors].slice(0, 10)) console.log(`  error x${n}: ${msg.slice(0, 200)}`);
  console.log('latency (ms)        count     p50     p95     p99');
  const row = (label: string, xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    console.log(`${label.padEnd(18)}${String(s.length).padStart(6)}${[50, 95, 99].map((p) => percentile(s, p).toFixed(0).padStart(8)).join('')}`);
  };
  const ok = outcomes.filter((o) => !o.error);
  for (const kind of ['chat-stream', 'chat-abandon', 'completion', 'classify', 'embedding'] as const) row(kind, ok.filter((o) => o.kind === kind).map((o) => o.ms));
  row('chat TTFT', ok.flatMap((o) => (o.ttftMs === null ? [] : [o.ttftMs])));

  const half = samples.filter((s) => s.t >= minutes / 2);
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  console.log(`rss: ${mb(first.rss)} MB at ${first.t.toFixed(1)} min, ${mb(last.rss)} MB at ${last.t.toFixed(1)} min, max ${mb(Math.max(...samples.map((s) => s.rss)))} MB`);
  if (half.length >= 2) {
    const k = slope(half.map((s) => s.t), half.map((s) => s.rss)) / MB;
    const lo = Math.min(...half.map((s) => s.rss));
    const hi = Math.max(...half.map((s) => s.rss));
    const slopeOf = (pick: (s: Sample) => number) => (slope(half.map((s) => s.t), half.map(pick)) / MB).toFixed(3);
    console.log(`second half (${half[0]!.t.toFixed(1)}-${last.t.toFixed(1)} min, ${half.length} samples): rss slope ${k.toFixed(3)} MB/min, range ${mb(lo)}-${mb(hi)} MB (${(((hi - lo) / lo) * 100).toFixed(1)}%)`);
    console.log(`  slopes in MB/min: V8 heap used ${slopeOf((s) => s.heapUsed)}, V8 heap total ${slopeOf((s) => s.heapTotal)}, wasm heap top ${slopeOf((s) => s.wasmTop)}`);
    console.log(`wasm heap at the end: reserved ${mb(last.wasmReserved)} MB, top ${mb(last.wasmTop)} MB, live ${mb(last.wasmLive)} MB`);
  }
  if (args.csv) {
    const lines = [
      'minutes,rss_bytes,heap_used_bytes,heap_total_bytes,external_bytes,wasm_reserved_bytes,wasm_top_bytes,wasm_live_bytes',
      ...samples.map((s) => [s.t.toFixed(3), s.rss, s.heapUsed, s.heapTotal, s.external, s.wasmReserved, s.wasmTop, s.wasmLive].join(',')),
    ];
    writeFileSync(args.csv, `${lines.join('\n')}\n`);
    console.log(`samples: ${args.csv}`);
  }
  process.exit(failed > 0 ? 1 : 0);
}

await main();
