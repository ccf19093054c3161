// bench:serve: a bounded load test of `moxing serve` on loopback: 1, 8 and 32 concurrent streaming
// clients for a fixed time each, then a deliberate overload burst that must get 429s. Reports
// p50/p95 time to first token and total tokens/s, and checks batched throughput >= 2x one stream.
//
//   npm run bench:serve [-- --model moxing-base --seconds 60 --clients 1,8,32 --max-tokens 64]

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'moxing-base' },
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '1,8,32' },
    'max-tokens': { type: 'string', default: '64' },
    'max-concurrency': { type: 'string', default: '32' },
    'as-server': { type: 'boolean', default: false },
  },
});

const PROMPTS = [
  'It is a truth universally acknowledged, that',
  'The quick brown fox',
  'Once upon a time, in a small village by the sea,',
  'The results of the experiment show that',
  'Dear Sir, I write to you concerning',
  'In the beginning',
  'The most important thing to remember about machine learning is',
  'She opened the door and saw',
];

// ---- the server side (a child process, so clients and server do not share one event loop) ----

async function runServer(): Promise<void> {
  // As bin/moxing.js does: Node 20 runs the relaxed-SIMD wasm kernels only behind a flag.
  if (Number(process.versions.node.split('.')[0]) < 22) {
    try {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // the plain-SIMD kernels run anyway
    }
  }
  const { startServe } = await import('../src/cli/commands/serve.js');
  const model = await benchModel(args.model!);
  const concurrency = Number(args['max-concurrency']);
  const server = await startServe({ port: 0, models: [model], maxConcurrency: concurrency, maxQueue: concurrency, log: (l) => process.stderr.write(`${l}\n`) });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void server.close().then(() => process.exit(0)));
}

/** The default model if installed, else a random-weight GPT of the shipped base family's shape. */
async function benchModel(name: string): Promise<string> {
  const { resolveModelPath } = await import('../src/llm/models.js');
  try {
    return resolveModelPath(name);
  } catch {
    const { Tokenizer } = await import('../src/text/tokenizer.js');
    const { GPT } = await import('../src/llm/gpt.js');
    const { configFromPreset } = await import('../src/llm/config.js');
    const { RUN_FORMAT, saveCheckpoint } = await import('../src/llm/run-dir.js');
    process.stderr.write(`bench: ${name} is not installed; serving a random-weight GPT with the 'mini' preset (6 layers, 192 dims, context 256) and a 4096-token BPE\n`);
    const texts: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|md)$/.test(n)) texts.push(readFileSync(p, 'utf8'));
      }
    };
    walk(join(root, 'src'));
    const tokenizer = Tokenizer.train(texts, { vocabSize: 4096, specialTokens: ['<|endoftext|>'] });
    const model = new GPT(configFromPreset('mini', { vocabSize: tokenizer.vocabSize }), { seed: 0 });
    const dir = join(mkdtempSync(join(tmpdir(), 'moxing-bench-')), 'bench-mini');
    await saveCheckpoint(dir, { model, tokenizer, config: { format: RUN_FORMAT, kind: 'gpt', model: model.config, createdAt: new Date().toISOString(), name: 'bench-mini' } });
    return dir;
  }
}

// ---- the client side ----

interface RequestResult {
  status: number;
  ttftMs: number | null;
  tokens: number;
  error: string | null;
}

/** One streaming completion; TTFT is the time to the first chunk carrying text. */
async function streamOnce(url: string, model: string, maxTokens: number, seed: number): Promise<RequestResult> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ model, prompt: PROMPTS[seed % PROMPTS.length], max_tokens: maxTokens, temperature: 0.8, seed, stream: true, stream_options: { include_usage: true } }),
  });
  if (res.status !== 200) {
    const body = await res.text();
    return { status: res.status, ttftMs: null, tokens: 0, error: body.slice(0, 200) };
  }
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let ttft: number | null = null;
  let tokens = 0;
  let done = false;
  let error: string | null = null;
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    buf += dec.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = event.slice('data: '.length);
      if (data === '[DONE]') { done = true; continue; }
      const chunk = JSON.parse(data) as { error?: { message: string }; choices?: Array<{ text: string }>; usage?: { completion_tokens: number } | null };
      if (chunk.error) error = chunk.error.message;
      if (ttft === null && chunk.choices?.some((c) => c.text)) ttft = performance.now() - t0;
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
    }
  }
  if (!done && !error) error = 'stream ended without [DONE]';
  return { status: 200, ttftMs: ttft, tokens, error };
}

interface PhaseResult {
  clients: number;
  /** Mean sequences per decode step during the phase (from /metrics). */
  meanBatch: number;
  requests: number;
  errors: number;
  rejected: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  ttftP50: number;
  ttftP95: number;
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `clients` loops, each sending streaming requests back to back until the time is up. */
async function decodeCounters(url: string): Promise<{ steps: number; sequences: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { steps: read('moxing_decode_steps_total'), sequences: read('moxing_decode_batch_sequences_total') };
}

async function phase(url: string, model: string, clients: number, seconds: number, maxTokens: number): Promise<PhaseResult> {
  const before = await decodeCounters(url);
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const results: RequestResult[] = [];
  let seed = clients * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) results.push(await streamOnce(url, model, maxTokens, seed++));
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const after = await decodeCounters(url);
  const meanBatch = (after.sequences - before.sequences) / Math.max(1, after.steps - before.steps);
  const ok = results.filter((r) => r.status === 200 && !r.error);
  const errors = results.filter((r) => r.status !== 429 && (r.status !== 200 || r.error));
  for (const e of errors.slice(0, 3)) process.stderr.write(`bench: error ${e.status}: ${e.error}\n`);
  const tokens = ok.reduce((s, r) => s + r.tokens, 0);
  const ttfts = ok.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
  return {
    clients, meanBatch, requests: results.length, errors: errors.length, rejected: results.filter((r) => r.status === 429).length,
    tokens, seconds: elapsed, tokensPerSecond: tokens / elapsed, ttftP50: percentile(ttfts, 50), ttftP95: percentile(ttfts, 95),
  };
}

async function startChild(): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--as-server', '--model', args.model!, '--max-concurrency', args['max-concurrency']!], {
    cwd: root, stdio: ['ignore', 'inherit', 'pipe'],
  });
  const log: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        process.stderr.write(`  ${line}\n`);
        const m = /listening on (http:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with code ${code}`)));
  });
  return { child, url, log };
}

async function main(): Promise<void> {
  if (args['as-server']) return runServer();
  const seconds = Number(args.seconds);
  const maxTokens = Number(args['max-tokens']);
  const counts = args.clients!.split(',').map(Number);
  const { child, url } = await startChild();
  try {
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    const model = models.data[0]!.id;
    process.stderr.write(`bench: ${url}, model ${model}, ${seconds} s per phase, max_tokens ${maxTokens}, clients ${counts.join(', ')}\n`);
    await streamOnce(url, model, 8, 0); // warm up
    const phases: PhaseResult[] = [];
    for (const c of counts) {
      const r = await phase(url, model, c, seconds, maxTokens);
      phases.push(r);
      process.stderr.write(`bench: ${c} clients: ${r.tokensPerSecond.toFixed(1)} tok/s, mean batch ${r.meanBatch.toFixed(1)}, TTFT p50 ${r.ttftP50.toFixed(0)} ms p95 ${r.ttftP95.toFixed(0)} ms, ${r.requests} requests, ${r.errors} errors\n`);
    }
    // Deliberate overload: 4x the batch at once against a queue of 1x the batch: the excess gets 429.
    const burst = 4 * Number(args['max-concurrency']);
    const burstResults = await Promise.all(Array.from({ length: burst }, (_, i) => streamOnce(url, model, maxTokens, 90_000 + i)));
    const deliberate = burstResults.filter((r) => r.status === 429).length;
    const burstErrors = burstResults.filter((r) => r.status !== 429 && (r.status !== 200 || r.error)).length;

    console.log(`\n## bench:serve (${model}, max_tokens ${maxTokens}, ${seconds} s per phase, loopback)\n`);
    console.log('| clients | requests | tokens | tokens/s | TTFT p50 (ms) | TTFT p95 (ms) | mean batch | errors |');
    console.log('|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of phases) console.log(`| ${r.clients} | ${r.requests} | ${r.tokens} | ${r.tokensPerSecond.toFixed(1)} | ${r.ttftP50.toFixed(0)} | ${r.ttftP95.toFixed(0)} | ${r.meanBatch.toFixed(1)} | ${r.errors} |`);
    console.log(`\noverload burst: ${burst} simultaneous requests -> ${burst - deliberate} served, ${deliberate} deliberate 429s, ${burstErrors} errors`);
    const single = phases.find((p) => p.clients === 1);
    let failed = phases.some((p) => p.errors > 0) || burstErrors > 0 || deliberate === 0;
    if (single) {
      for (const p of phases.filter((q) => q.clients > 1)) {
        const speedup = p.tokensPerSecond / single.tokensPerSecond;
        const ok = speedup >= 2;
        failed ||= !ok;
        console.log(`${p.clients} clients vs 1: ${speedup.toFixed(2)}x throughput (${ok ? 'ok' : 'FAIL'}: needs >= 2x)`);
      }
    }
    console.log(failed ? '\nbench:serve FAILED' : '\nbench:serve ok: 0 errors besides the deliberate 429s');
    process.exitCode = failed ? 1 : 0;
  } finally {
    child.kill('SIGTERM');
  }
}

await main();
