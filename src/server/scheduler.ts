// The serving engine: continuous batching of decode steps (Yu et al. 2022, "Orca"): requests join and
// leave the running batch between steps; each step feeds one token of every running sequence through
// one batched forward pass over per-sequence KV caches. Tokens equal generate()'s for the same seed.

import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/random.js';
import { GPT, KVCache } from '../llm/gpt.js';
import { fitPrompt, hostValues } from '../llm/generate.js';
import { kernelsFor } from '../backends/registry.js';
import { Sampler, type SamplingOptions, type TokenChoice } from '../llm/sampling.js';
import { Channel } from './channel.js';
import { fastPick } from './fast-pick.js';

/** Restricts the next token (e.g. JSON mode); one instance per sequence. */
export interface TokenConstraint {
  /**
   * Sets the logits of forbidden tokens to -Infinity. `remaining` counts the tokens the sequence may
   * still produce, this one included, so a constraint can make sure its output completes in time.
   */
  mask(logits: Float32Array, remaining: number): void;
  /** Advances over the chosen token. */
  accept(id: number): void;
  /** True once the output is complete: the sequence then stops with finish reason 'stop'. */
  readonly complete: boolean;
}

/** One generation request: n sequences continuing the same prompt. */
export interface GenerationRequest {
  promptIds: readonly number[];
  maxNewTokens: number;
  sampling: SamplingOptions;
  /** Choice i uses Rng(seed + i), so choice 0 equals generate() with this seed. */
  seed: number;
  /** Default 1. */
  n?: number;
  /** Generation ends when one of these is sampled; it is not emitted. */
  stopTokens?: readonly number[];
  /** Whether token logprobs are wanted (default true); without, sampling skips their normalizer. */
  logprobs?: boolean;
  /** Makes a fresh constraint for each sequence. */
  constraint?: () => TokenConstraint;
  /** Cancels the request (client gone, timeout): its sequences leave the batch at the next step. */
  signal?: AbortSignal;
}

/** What a sequence produced at one step: a token, the end, or both. */
export interface StepEvent {
  /** The choice (0..n-1). */
  index: number;
  token: TokenChoice | null;
  finishReason: 'stop' | 'length' | null;
}

/** Raised by submit when the queue is full, or on a waiting request when it waited too long. */
export class SchedulerBusyError extends Error {
  constructor(readonly reason: 'full' | 'timeout', message: string) {
    super(message);
    this.name = 'SchedulerBusyError';
  }
}

export interface SchedulerOptions {
  /** Sequences decoded together in one step. Default 32. */
  maxBatch?: number;
  /** Requests (and tasks) allowed to wait for a batch slot before submit throws. Default 4 * maxBatch. */
  maxQueue?: number;
  /** A request waiting longer than this for a slot fails with SchedulerBusyError('timeout'). Default 60 s. */
  queueTimeoutMs?: number;
  /** Prompt tokens prefilled per step at most (at least one request is admitted). Default 512. */
  prefillBudget?: number;
}

/** Counters read by /metrics. */
export interface SchedulerStats {
  /** Requests and tasks waiting. */
  queued: number;
  /** Sequences in the running batch. */
  running: number;
  promptTokens: number;
  generatedTokens: number;
  steps: number;
  /** Sum of batch sizes over decode steps (divide by steps for the mean batch). */
  batchedSequences: number;
  /** KV caches held: those of running sequences and the spares kept for reuse (at most maxBatch). */
  kvCaches: number;
}

interface Group {
  req: GenerationRequest;
  n: number;
  channel: Channel<StepEvent>;
  enqueuedAt: number;
  cancelled: boolean;
  /** Choices still running. */
  live: number;
  finished: boolean[];
  /** Removes the abort listener from the request's signal (see `close`). */
  detach: () => void;
}

interface Sequence {
  group: Group;
  index: number;
  cache: KVCache;
  sampler: Sampler;
  history: number[];
  /** Logits of the next position (owned copy: tensor storage may be recycled). */
  logits: Float32Array;
  generated: number;
  stops: ReadonlySet<number>;
  constraint: TokenConstraint | null;
}

interface Task {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Batches concurrent generation requests over one shared model.
 * @example
 * const s = new Scheduler(model, { maxBatch: 16 });
 * const handle = s.submit({ promptIds: [1, 2], maxNewTokens: 8, sampling: { temperature: 0 }, seed: 0 });
 * for await (const ev of handle.events) if (ev.token) console.log(ev.token.id);
 */
export class Scheduler {
  readonly maxBatch: number;
  readonly maxQueue: number;
  private readonly queueTimeoutMs: number;
  private readonly prefillBudget: number;
  private readonly queue: Group[] = [];
  private readonly tasks: Task[] = [];
  private running: Sequence[] = [];
  /**
   * KV caches of finished sequences, reused by the next ones. A cache (0.8 MB for moxing-base)
   * lives as long as its request, so it dies in V8's old generation and its wasm blocks came back
   * only at the next full GC; meanwhile new requests allocated fresh ones, and the dead ones were the
   * largest part of the wasm heap's growth under load. At most maxBatch spares are kept.
   */
  private readonly spareCaches: KVCache[] = [];
  private scheduled = false;
  /** A model being moved to another device (after a GPU fault): rounds wait for it. */
  private moving: Promise<void> | null = null;
  /** Why this scheduler cannot serve any more (its model could not be moved off a lost device). */
  private broken: Error | null = null;
  private counters = { promptTokens: 0, generatedTokens: 0, steps: 0, batchedSequences: 0 };

  constructor(public model: GPT, options: SchedulerOptions = {}) {
    this.maxBatch = options.maxBatch ?? 32;
    this.maxQueue = options.maxQueue ?? 4 * this.maxBatch;
    this.queueTimeoutMs = options.queueTimeoutMs ?? 60_000;
    this.prefillBudget = options.prefillBudget ?? 512;
  }

  /** Current counters. */
  stats(): SchedulerStats {
    return { queued: this.queue.length + this.tasks.length, running: this.running.length, ...this.counters, kvCaches: this.running.length + this.spareCaches.length };
  }

  /**
   * Queues a request; throws SchedulerBusyError('full') when the queue is full. Events arrive in
   * order per choice; `finish(i)` ends choice i early (a stop string seen by the caller).
   */
  submit(req: GenerationRequest): { events: AsyncIterable<StepEvent>; finish: (index: number) => void } {
    const n = req.n ?? 1;
    new Sampler(req.sampling, new Rng(0)); // validates the options now, not inside the loop
    if (!(req.maxNewTokens >= 1)) throw new RangeError(`maxNewTokens must be >= 1, got ${req.maxNewTokens}`);
    this.checkCapacity();
    const group: Group = { req, n, channel: new Channel(), enqueuedAt: Date.now(), cancelled: false, live: n, finished: new Array<boolean>(n).fill(false), detach: () => {} };
    const { signal } = req;
    if (signal) {
      if (signal.aborted) group.cancelled = true;
      else {
        const onAbort = () => this.cancel(group);
        signal.addEventListener('abort', onAbort, { once: true });
        group.detach = () => signal.removeEventListener('abort', onAbort);
      }
    }
    this.queue.push(group);
    this.schedule();
    return {
      events: group.channel,
      finish: (index) => this.finishChoice(group, index),
    };
  }

  /**
   * Runs model work (embeddings, classification; async where it reads a device's results) between
   * decode steps, so it shares the model fairly with generation and counts toward the queue.
   * @example const v = await scheduler.runTask(() => model.hidden(idx));
   */
  runTask<T>(run: () => T | Promise<T>): Promise<T> {
    this.checkCapacity();
    return new Promise<T>((resolve, reject) => {
      this.tasks.push({ run, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /**
   * Serves `next` instead of the current model once it resolves (a GPU was lost: the same weights
   * reloaded on the cpu). Running sequences fail with `fault` (their KV caches were on the old
   * device); queued requests and tasks wait, then run on the new model. If `next` rejects, every
   * request, now and later, fails with that error.
   * @example scheduler.moveTo(loadOnCpu(dir), lostError)
   */
  moveTo(next: Promise<GPT>, fault: Error): Promise<void> {
    const moved = next.then((model) => {
      this.model = model;
    }, (err: unknown) => {
      this.broken = err instanceof Error ? err : new Error(String(err));
    }).then(() => {
      for (const s of this.running) this.close(s.group, fault);
      this.running = [];
      this.spareCaches.length = 0;
      this.moving = null;
      this.schedule();
    });
    this.moving = moved;
    return moved;
  }

  private checkCapacity(): void {
    if (this.broken) throw this.broken;
    if (this.queue.length + this.tasks.length >= this.maxQueue) {
      throw new SchedulerBusyError('full', `queue full (${this.maxQueue} waiting, ${this.running.length} running)`);
    }
  }

  private cancel(group: Group): void {
    group.cancelled = true;
    const i = this.queue.indexOf(group);
    if (i >= 0) this.queue.splice(i, 1);
    this.close(group);
  }

  private finishChoice(group: Group, index: number): void {
    if (group.finished[index]) return;
    group.finished[index] = true;
    if (--group.live === 0) this.close(group);
  }

  /**
   * Ends a group's events, failing them with `err` if given, and lets go of its signal. An abort
   * listener on a signal that has a timeout among its sources keeps that signal, and through the
   * listener the whole group, alive until the timeout fires (Node holds such signals strongly so
   * the timeout can still reach the listener): with the server's 600 s request timeout, every
   * finished request stayed in memory for ten minutes.
   */
  private close(group: Group, err?: unknown): void {
    group.detach();
    group.detach = () => {};
    if (err === undefined) group.channel.end();
    else group.channel.fail(err);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: I/O callbacks (new requests, socket writes) run between steps.
    setImmediate(() => void this.tick());
  }

  /**
   * One scheduling round. Async because a model on a device (a GPU) hands its logits back through
   * a read the host waits for; on the cpu every read is in place and nothing here waits.
   */
  private async tick(): Promise<void> {
    // `scheduled` stays set while the round runs, so a request arriving during a device read
    // queues for the next round instead of starting a second one beside it.
    try {
      if (this.moving) await this.moving;
      if (this.broken) this.failAll(this.broken);
      const task = this.tasks.shift();
      if (task) {
        try {
          task.resolve(await task.run());
        } catch (err) {
          task.reject(err);
        }
      }
      await this.admit();
      this.expireWaiting();
      await this.step();
    } catch (err) {
      // A failing forward pass fails every running request; the server keeps serving.
      for (const s of this.running) this.close(s.group, err);
      this.running = [];
    }
    this.scheduled = false;
    if (this.running.length > 0 || this.queue.length > 0 || this.tasks.length > 0) this.schedule();
  }

  private failAll(err: Error): void {
    for (const t of this.tasks.splice(0)) t.reject(err);
    for (const g of this.queue.splice(0)) this.close(g, err);
  }

  private expireWaiting(): void {
    const now = Date.now();
    while (this.queue.length > 0 && now - this.queue[0]!.enqueuedAt > this.queueTimeoutMs) {
      const g = this.queue.shift()!;
      this.close(g, new SchedulerBusyError('timeout', `waited ${now - g.enqueuedAt} ms for a batch slot`));
    }
  }

  private async admit(): Promise<void> {
    let prefilled = 0;
    while (this.queue.length > 0) {
      const g = this.queue[0]!;
      if (this.running.length > 0 && this.running.length + g.n > this.maxBatch) break;
      if (prefilled > 0 && prefilled + g.req.promptIds.length > this.prefillBudget) break;
      this.queue.shift();
      if (g.cancelled) continue;
      try {
        prefilled += await this.prefill(g);
      } catch (err) {
        this.close(g, err);
      }
    }
  }

  /** Runs the prompt through the model once and starts n sequences from copies of its cache. */
  private async prefill(g: Group): Promise<number> {
    const { model } = this;
    const context = fitPrompt(g.req.promptIds, model.config.blockSize);
    const cache = this.takeCache();
    const logits = await hostValues(model.forwardCached(new Tensor(Int32Array.from(context), [1, context.length]), [cache]));
    this.counters.promptTokens += context.length;
    const stops = new Set(g.req.stopTokens ?? []);
    for (let i = 0; i < g.n; i++) {
      this.running.push({
        group: g,
        index: i,
        cache: i === g.n - 1 ? cache : copyCache(cache, this.takeCache()),
        sampler: new Sampler(g.req.sampling, new Rng(g.req.seed + i)),
        history: [...context],
        logits: Float32Array.from(logits as ArrayLike<number>),
        generated: 0,
        stops,
        constraint: g.req.constraint ? g.req.constraint() : null,
      });
    }
    return context.length;
  }

  /** Samples one token for every running sequence, then advances the survivors in one forward pass. */
  private async step(): Promise<void> {
    const { blockSize } = this.model.config;
    const next: Sequence[] = [];
    for (const s of this.running) {
      const g = s.group;
      if (g.cancelled || g.finished[s.index]) continue;
      const end = (token: TokenChoice | null, reason: 'stop' | 'length') => {
        g.channel.push({ index: s.index, token, finishReason: reason });
        this.finishChoice(g, s.index);
      };
      if (s.constraint?.complete) { end(null, 'stop'); continue; }
      // Tokens this sequence may still produce, this one included: the budget, and the context
      // (a token sampled when the cache is full cannot be fed back).
      const remaining = Math.min(g.req.maxNewTokens - s.generated, blockSize - s.cache.length + 1);
      s.constraint?.mask(s.logits, remaining);
      const choice = fastPick(s.sampler, s.logits, s.history, { logprob: g.req.logprobs ?? true });
      if (s.stops.has(choice.id)) { end(null, 'stop'); continue; }
      s.history.push(choice.id);
      s.generated++;
      this.counters.generatedTokens++;
      s.constraint?.accept(choice.id);
      if (s.constraint?.complete) { end(choice, 'stop'); continue; }
      if (s.generated >= g.req.maxNewTokens || s.cache.length >= blockSize) { end(choice, 'length'); continue; }
      g.channel.push({ index: s.index, token: choice, finishReason: null });
      next.push(s);
    }
    // The caches of sequences that left (finished, stopped, cancelled) go back to the spares.
    let kept = 0;
    for (const s of this.running) {
      if (next[kept] === s) kept++;
      else this.releaseCache(s.cache);
    }
    this.running = next;
    if (next.length === 0) return;
    const B = next.length;
    const V = this.model.config.vocabSize;
    const idx = Int32Array.from(next, (s) => s.history[s.history.length - 1]!);
    const out = await hostValues(this.model.forwardCached(new Tensor(idx, [B, 1]), next.map((s) => s.cache)));
    const rows = out instanceof Float32Array ? out : Float32Array.from(out);
    for (let b = 0; b < B; b++) next[b]!.logits = rows.slice(b * V, (b + 1) * V);
    this.counters.steps++;
    this.counters.batchedSequences += B;
  }

  /** A spare cache emptied (positions past `length` are never read), or a new one. */
  private takeCache(): KVCache {
    const spare = this.spareCaches.pop();
    if (!spare) return new KVCache(this.model.config);
    spare.length = 0;
    return spare;
  }

  private releaseCache(cache: KVCache): void {
    if (this.spareCaches.length < this.maxBatch) this.spareCaches.push(cache);
  }
}

/** Copies a prefilled cache into another (n choices share one prompt). */
function copyCache(src: KVCache, c: KVCache): KVCache {
  // Through the device's copy kernel: on a GPU the caches never come to the host.
  const k = kernelsFor(src.device);
  const n = src.config.blockSize * src.config.nEmbd;
  const whole = { shape: [n], xOffset: 0, xStrides: [1], outOffset: 0, outStrides: [1], accumulate: false };
  src.layers.forEach((l, i) => {
    k.copyStrided(l.k, c.layers[i]!.k, whole);
    k.copyStrided(l.v, c.layers[i]!.v, whole);
  });
  c.length = src.length;
  return c;
}
