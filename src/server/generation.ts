// The one code path of /v1/completions and /v1/chat/completions: prompts go to the scheduler, tokens
// come back as text events per choice (UTF-8 whole, stop strings cut); streaming writes each event
// as a chunk, non-streaming collects the same events into one response.

import type { SamplingOptions, TokenChoice } from '../llm/sampling.js';
import { StreamDecoder } from '../llm/stream-decoder.js';
import { Channel } from './channel.js';
import type { LanguageModelEntry } from './model-registry.js';
import type { TokenConstraint } from './scheduler.js';
import type { FinishReason } from './openai-types.js';

/** A validated generation request. */
export interface GenerationJob {
  entry: LanguageModelEntry;
  /** Token ids of each prompt. */
  prompts: number[][];
  /** Choices per prompt: choice index = prompt * n + i. */
  n: number;
  /** Token budget of each prompt's choices. */
  maxTokens: number[];
  sampling: SamplingOptions;
  seed: number;
  /** Stop strings (cut from the text). */
  stop: readonly string[];
  /** Stop token ids (<|endoftext|>, a chat template's end token). */
  stopTokens: readonly number[];
  constraint?: () => TokenConstraint;
  /** Whether the response reports logprobs. */
  logprobs: boolean;
  signal: AbortSignal;
}

/** New text of one choice, with the tokens it came from. */
export interface TextEvent {
  type: 'text';
  choice: number;
  text: string;
  tokens: TokenChoice[];
}

/** The end of one choice. */
export interface FinishEvent {
  type: 'finish';
  choice: number;
  reason: FinishReason;
}

export type GenerationEvent = TextEvent | FinishEvent;

/** A started generation: its events and token counts. */
export interface GenerationRun {
  events: AsyncIterable<GenerationEvent>;
  /** Choices per prompt. */
  n: number;
  /** Number of prompts; choices = prompts * n. */
  prompts: number;
  promptTokens: number;
  /** Tokens generated so far (final once events end). */
  completionTokens(): number;
}

/**
 * Submits every prompt to the model's scheduler now (so a full queue throws before any response is
 * sent) and returns the merged events of all choices.
 * @example const run = startGeneration(job); for await (const ev of run.events) if (ev.type === 'text') out += ev.text;
 */
export function startGeneration(job: GenerationJob): GenerationRun {
  const { entry } = job;
  const out = new Channel<GenerationEvent>();
  const inner = new AbortController();
  const signal = AbortSignal.any([job.signal, inner.signal]);
  let completion = 0;
  const handles = [];
  try {
    for (let p = 0; p < job.prompts.length; p++) {
      handles.push(entry.scheduler.submit({
        promptIds: job.prompts[p]!,
        maxNewTokens: job.maxTokens[p]!,
        sampling: job.sampling,
        seed: job.seed,
        n: job.n,
        stopTokens: job.stopTokens,
        constraint: job.constraint,
        logprobs: job.logprobs,
        signal,
      }));
    }
  } catch (err) {
    inner.abort(err);
    throw err;
  }
  const pumps = handles.map(async (handle, p) => {
    const decoders = Array.from({ length: job.n }, () => new StreamDecoder(entry.tokenizer, job.stop));
    const done = new Array<boolean>(job.n).fill(false);
    for await (const ev of handle.events) {
      if (done[ev.index]) continue; // events queued before a stop string ended the choice
      const d = decoders[ev.index]!;
      const choice = p * job.n + ev.index;
      let text = '';
      if (ev.token) {
        completion++;
        text = d.push(ev.token.id);
      }
      if (ev.finishReason && !d.stopped) text += d.flush();
      const reason = d.stopped ? 'stop' : ev.finishReason;
      if (d.stopped && !ev.finishReason) handle.finish(ev.index); // the scheduler may drop the sequence
      if (text || ev.token) out.push({ type: 'text', choice, text, tokens: ev.token ? [ev.token] : [] });
      if (reason) {
        done[ev.index] = true;
        out.push({ type: 'finish', choice, reason });
      }
    }
    if (signal.aborted) throw signal.reason;
  });
  Promise.all(pumps).then(() => out.end(), (err: unknown) => {
    inner.abort(err);
    out.fail(err);
  });
  return { events: out, n: job.n, prompts: job.prompts.length, promptTokens: job.prompts.reduce((s, p) => s + p.length, 0), completionTokens: () => completion };
}
