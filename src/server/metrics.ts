// Prometheus metrics in the text exposition format: requests, tokens in/out, tokens/s, queue depth,
// request latency and time to first token.

import type { Scheduler } from './scheduler.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelsOf = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/**
 * The server's counters; `render()` gives the /metrics text.
 * @example
 * const m = new Metrics(); m.request('/v1/completions', 200, 0.12); m.tokens('moxing-base', 5, 16);
 * m.render(schedulers); // '# HELP moxing_requests_total ...'
 */
export class Metrics {
  private readonly requests = new Map<string, { route: string; status: string; n: number }>();
  private readonly latency = new Map<string, Histogram>();
  private readonly ttft = new Histogram();
  private readonly tokensIn = new Map<string, number>();
  private readonly tokensOut = new Map<string, number>();
  /** Generated tokens per wall-clock second over the last `windowS` seconds (a ring of buckets). */
  private readonly counts: Float64Array;
  private readonly stamps: Float64Array;
  constructor(private readonly windowS = 10) {
    this.counts = new Float64Array(windowS);
    this.stamps = new Float64Array(windowS).fill(-1);
  }

  /** Counts a finished request and its latency (to the end of the body, for streams). */
  request(route: string, status: number, seconds: number): void {
    const key = `${route} ${status}`;
    const r = this.requests.get(key) ?? { route, status: String(status), n: 0 };
    r.n++;
    this.requests.set(key, r);
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = new Histogram()));
    h.observe(seconds);
  }

  /** Time from a generation request's arrival to its first token. */
  firstToken(seconds: number): void {
    this.ttft.observe(seconds);
  }

  /** Tokens read (prompt) and written (completion) for a model. */
  tokens(model: string, prompt: number, completion: number): void {
    this.tokensIn.set(model, (this.tokensIn.get(model) ?? 0) + prompt);
    this.tokensOut.set(model, (this.tokensOut.get(model) ?? 0) + completion);
  }

  /** Generated tokens as they stream (for the tokens/s gauge); O(1) per call. */
  generated(count: number): void {
    const sec = Math.floor(Date.now() / 1000);
    const i = sec % this.windowS;
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i] += count;
  }

  /** Generated tokens per second over the last window. */
  tokensPerSecond(): number {
    const sec = Math.floor(Date.now() / 1000);
    let total = 0;
    for (let i = 0; i < this.windowS; i++) if (this.stamps[i]! > sec - this.windowS) total += this.counts[i]!;
    return total / this.windowS;
  }

  /** The Prometheus text, with queue depth and batch size from each model's scheduler. */
  render(schedulers: ReadonlyArray<{ model: string; scheduler: Scheduler }>): string {
    const out: string[] = [];
    const head = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    head('moxing_requests_total', 'counter', 'HTTP requests by route and status.');
    for (const r of this.requests.values()) out.push(`moxing_requests_total${labelsOf({ route: r.route, status: r.status })} ${r.n}`);
    head('moxing_prompt_tokens_total', 'counter', 'Prompt tokens read, by model.');
    for (const [m, n] of this.tokensIn) out.push(`moxing_prompt_tokens_total${labelsOf({ model: m })} ${n}`);
    head('moxing_completion_tokens_total', 'counter', 'Completion tokens generated, by model.');
    for (const [m, n] of this.tokensOut) out.push(`moxing_completion_tokens_total${labelsOf({ model: m })} ${n}`);
    head('moxing_tokens_per_second', 'gauge', `Generated tokens per second over the last ${this.windowS} s.`);
    out.push(`moxing_tokens_per_second ${this.tokensPerSecond()}`);
    head('moxing_queue_depth', 'gauge', 'Requests waiting for a batch slot, by model.');
    for (const s of schedulers) out.push(`moxing_queue_depth${labelsOf({ model: s.model })} ${s.scheduler.stats().queued}`);
    head('moxing_running_sequences', 'gauge', 'Sequences in the running batch, by model.');
    for (const s of schedulers) out.push(`moxing_running_sequences${labelsOf({ model: s.model })} ${s.scheduler.stats().running}`);
    head('moxing_kv_caches', 'gauge', 'KV caches held, by model: running sequences and spares kept for reuse (at most the batch size).');
    for (const s of schedulers) out.push(`moxing_kv_caches${labelsOf({ model: s.model })} ${s.scheduler.stats().kvCaches}`);
    head('moxing_decode_steps_total', 'counter', 'Batched decode steps, by model.');
    for (const s of schedulers) out.push(`moxing_decode_steps_total${labelsOf({ model: s.model })} ${s.scheduler.stats().steps}`);
    head('moxing_decode_batch_sequences_total', 'counter', 'Sum of batch sizes over decode steps (divide by steps for the mean batch).');
    for (const s of schedulers) out.push(`moxing_decode_batch_sequences_total${labelsOf({ model: s.model })} ${s.scheduler.stats().batchedSequences}`);
    const hist = (name: string, h: Histogram, labels: Record<string, string>) => {
      LATENCY_BUCKETS.forEach((le, i) => out.push(`${name}_bucket${labelsOf({ ...labels, le: String(le) })} ${h.counts[i]}`));
      out.push(`${name}_bucket${labelsOf({ ...labels, le: '+Inf' })} ${h.count}`);
      out.push(`${name}_sum${labelsOf(labels)} ${h.sum}`, `${name}_count${labelsOf(labels)} ${h.count}`);
    };
    head('moxing_request_duration_seconds', 'histogram', 'Request latency to the end of the response, by route.');
    for (const [route, h] of this.latency) hist('moxing_request_duration_seconds', h, { route });
    head('moxing_time_to_first_token_seconds', 'histogram', 'Time from a generation request to its first token.');
    hist('moxing_time_to_first_token_seconds', this.ttft, {});
    return `${out.join('\n')}\n`;
  }
}
