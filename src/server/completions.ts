// /v1/completions and /v1/chat/completions: requests to generation jobs (with OpenAI's limits and
// errors), and generation events to responses, whole or as stream chunks.

import { randomBytes, randomInt } from 'node:crypto';
import type { SamplingOptions, TokenChoice } from '../llm/sampling.js';
import { ApiError, invalidRequest } from './errors.js';
import { chatPromptIds, type ChatMessage } from './chat-template.js';
import { jsonObjectConstraint } from './json-constraint.js';
import type { LanguageModelEntry } from './model-registry.js';
import type { GenerationJob, GenerationRun } from './generation.js';
import type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessageInput, ChatTokenLogprob, Completion,
  CompletionLogprobs, CompletionRequest, FinishReason, Usage,
} from './openai-types.js';

/** Identifies the serving configuration, as OpenAI's system_fingerprint does. */
export const SYSTEM_FINGERPRINT = 'fp_moxing';

type Common = CompletionRequest | ChatCompletionRequest;

/** How the response reports tokens: top-k alternatives per token, or no logprobs at all. */
export interface LogprobsSpec {
  top: number;
}

function samplingOf(req: Common, entry: LanguageModelEntry, top: number): SamplingOptions {
  const V = entry.model.config.vocabSize;
  let logitBias: Record<number, number> | undefined;
  if (req.logit_bias) {
    logitBias = {};
    for (const [k, v] of Object.entries(req.logit_bias)) {
      const id = Number(k);
      if (id >= V) throw invalidRequest(`Invalid key in 'logit_bias': ${k}. Token ids must be below the vocabulary size ${V}.`, 'logit_bias');
      logitBias[id] = v;
    }
  }
  return {
    temperature: req.temperature ?? 1,
    // top_p 0 keeps only the most likely token (the sampler wants p > 0).
    topP: req.top_p === 0 ? 1e-9 : req.top_p ?? undefined,
    topK: req.top_k ?? undefined,
    presencePenalty: req.presence_penalty ?? undefined,
    frequencyPenalty: req.frequency_penalty ?? undefined,
    logitBias,
    topLogprobs: top > 0 ? top : undefined,
  };
}

/** Checks each prompt against the context and gives each its token budget. */
function budgets(entry: LanguageModelEntry, prompts: number[][], requested: number | null, fallback: number | null, param: string): number[] {
  const { blockSize } = entry.model.config;
  return prompts.map((p) => {
    if (requested !== null && p.length + requested > blockSize) {
      throw new ApiError(400, `This model's maximum context length is ${blockSize} tokens. However, you requested ${p.length + requested} tokens (${p.length} in the ${param}, ${requested} in the completion). Please reduce the length of the ${param} or completion.`, { param, code: 'context_length_exceeded' });
    }
    if (p.length >= blockSize) {
      throw new ApiError(400, `This model's maximum context length is ${blockSize} tokens. However, your ${param} resulted in ${p.length} tokens, which leaves no room for the completion. Please reduce the length of the ${param}.`, { param, code: 'context_length_exceeded' });
    }
    return requested ?? Math.min(fallback ?? Infinity, blockSize - p.length);
  });
}

function stopsOf(stop: string | string[] | null | undefined): string[] {
  return stop === null || stop === undefined ? [] : typeof stop === 'string' ? [stop] : stop;
}

function checkTokenIds(entry: LanguageModelEntry, ids: readonly number[], param: string): void {
  const V = entry.tokenizer.vocabSize;
  for (const id of ids) if (id >= V) throw invalidRequest(`Invalid token id ${id} in '${param}': the vocabulary has ${V} tokens.`, param);
}

/** A prompt string's ids; an empty prompt starts from <|endoftext|>, as GPT-2 does. */
function encodePrompt(entry: LanguageModelEntry, text: string, param: string): number[] {
  const ids = entry.tokenizer.encode(text, { allowSpecial: true });
  if (ids.length > 0) return ids;
  if (entry.eosId === null) throw invalidRequest(`'${param}' is empty.`, param);
  return [entry.eosId];
}

/** The job of a /v1/completions request, plus the echo text of each prompt. */
export function completionJob(entry: LanguageModelEntry, req: CompletionRequest, signal: AbortSignal): { job: GenerationJob; echo: string[]; logprobs: LogprobsSpec | null } {
  const n = req.n ?? 1;
  if (req.best_of != null && req.best_of !== n) throw invalidRequest('best_of is not supported (other than best_of = n).', 'best_of');
  if (req.suffix) throw invalidRequest('suffix is not supported by this model.', 'suffix');
  if (req.echo && req.logprobs != null) throw invalidRequest('echo with logprobs is not supported.', 'echo');
  const p = req.prompt;
  let prompts: number[][];
  if (typeof p === 'string') prompts = [encodePrompt(entry, p, 'prompt')];
  else if (p.length > 0 && typeof p[0] === 'string') prompts = (p as string[]).map((s) => encodePrompt(entry, s, 'prompt'));
  else if (typeof p[0] === 'number') prompts = [p as number[]];
  else prompts = (p as number[][]).map((x) => x.slice());
  if (prompts.length * n > 64) throw invalidRequest(`Too many choices: ${prompts.length} prompts x n=${n} exceeds 64.`, 'n');
  prompts.forEach((ids) => checkTokenIds(entry, ids, 'prompt'));
  const maxTokens = budgets(entry, prompts, req.max_tokens ?? null, 16, 'prompt');
  const top = req.logprobs ?? 0;
  const job: GenerationJob = {
    entry, prompts, n, maxTokens,
    sampling: samplingOf(req, entry, top),
    seed: req.seed ?? randomInt(2 ** 31),
    stop: stopsOf(req.stop),
    stopTokens: entry.eosId === null ? [] : [entry.eosId],
    logprobs: req.logprobs != null,
    signal,
  };
  const echo = prompts.map((ids) => (req.echo ? entry.tokenizer.decode(ids) : ''));
  return { job, echo, logprobs: req.logprobs == null ? null : { top } };
}

function contentOf(m: ChatMessageInput): string {
  if (m.content === null || m.content === undefined) return '';
  return typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
}

/** The job of a /v1/chat/completions request. */
export function chatJob(entry: LanguageModelEntry, req: ChatCompletionRequest, signal: AbortSignal): { job: GenerationJob; logprobs: LogprobsSpec | null } {
  if ((req.tools && req.tools.length > 0) || (req.functions && req.functions.length > 0)) {
    throw invalidRequest('Tools and function calling are not supported by this model.', req.tools ? 'tools' : 'functions');
  }
  const format = req.response_format?.type ?? 'text';
  if (format === 'json_schema') throw invalidRequest("response_format 'json_schema' is not supported; use {\"type\": \"json_object\"}.", 'response_format');
  if (req.top_logprobs != null && !req.logprobs) throw invalidRequest('top_logprobs requires logprobs to be true.', 'top_logprobs');
  const turns: ChatMessage[] = req.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role === 'tool' ? 'user' : m.role,
    content: contentOf(m),
  }));
  const t = entry.chatTemplate;
  const prompt = chatPromptIds(entry.tokenizer, t, turns);
  const requested = req.max_completion_tokens ?? req.max_tokens ?? null;
  const maxTokens = budgets(entry, [prompt], requested, null, 'messages');
  if (format === 'json_object' && maxTokens[0]! < 2) throw invalidRequest('JSON mode needs room for at least 2 tokens ("{}").', requested === null ? 'messages' : 'max_tokens');
  const stopTokens = entry.eosId === null ? [] : [entry.eosId];
  const stop = stopsOf(req.stop);
  const json = format === 'json_object';
  // The template's end marker ends the reply: as a token when it is a special one, else as a stop
  // string (not in JSON mode, where the end of the object ends the reply).
  const endIds = t.end ? entry.tokenizer.encode(t.end, { allowSpecial: true }) : [];
  if (endIds.length === 1 && specialIds(entry).has(endIds[0]!)) stopTokens.push(endIds[0]!);
  else if (t.end && !json) stop.push(t.end);
  const n = req.n ?? 1;
  const top = req.logprobs ? req.top_logprobs ?? 0 : 0;
  const job: GenerationJob = {
    entry, prompts: [prompt], n, maxTokens,
    sampling: samplingOf(req, entry, top),
    seed: req.seed ?? randomInt(2 ** 31),
    stop,
    stopTokens,
    constraint: json ? jsonObjectConstraint(tokenBytes(entry)) : undefined,
    logprobs: req.logprobs ?? false,
    signal,
  };
  return { job, logprobs: req.logprobs ? { top } : null };
}

const specialCache = new WeakMap<LanguageModelEntry, Set<number>>();
function specialIds(entry: LanguageModelEntry): Set<number> {
  let s = specialCache.get(entry);
  if (!s) specialCache.set(entry, (s = new Set(entry.tokenizer.specialTokens.map((t) => t.id))));
  return s;
}

const bytesCache = new WeakMap<LanguageModelEntry, Array<Uint8Array | null>>();
/** Each token's bytes for JSON mode (null for special tokens and ids past the tokenizer). */
function tokenBytes(entry: LanguageModelEntry): Array<Uint8Array | null> {
  let b = bytesCache.get(entry);
  if (!b) {
    const special = specialIds(entry);
    b = Array.from({ length: entry.model.config.vocabSize }, (_, id) => (id < entry.tokenizer.vocabSize && !special.has(id) ? entry.tokenizer.decodeBytes([id]) : null));
    bytesCache.set(entry, b);
  }
  return b;
}

/** Response identity shared by every chunk of one response. */
export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
}

/**
 * A fresh response id and timestamp.
 * @example newMeta('chatcmpl', 'moxing-chat'); // { id: 'chatcmpl-…', created: 1733000000, model: 'moxing-chat' }
 */
export function newMeta(prefix: string, model: string): ResponseMeta {
  return { id: `${prefix}-${randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model };
}

const finite = (x: number) => (Number.isFinite(x) ? x : -9999);

function tokenText(entry: LanguageModelEntry, id: number): string {
  return entry.tokenizer.decode([id]);
}

function chatLogprobs(entry: LanguageModelEntry, tokens: readonly TokenChoice[]): ChatTokenLogprob[] {
  const one = (id: number, logprob: number) => ({ token: tokenText(entry, id), logprob: finite(logprob), bytes: Array.from(entry.tokenizer.decodeBytes([id])) });
  return tokens.map((t) => ({ ...one(t.id, t.logprob), top_logprobs: (t.topLogprobs ?? []).map((a) => one(a.id, a.logprob)) }));
}

function completionLogprobs(entry: LanguageModelEntry, tokens: readonly TokenChoice[], spec: LogprobsSpec, offset: number): CompletionLogprobs {
  const out: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: spec.top > 0 ? [] : null, text_offset: [] };
  for (const t of tokens) {
    const s = tokenText(entry, t.id);
    out.tokens.push(s);
    out.token_logprobs.push(finite(t.logprob));
    out.text_offset.push(offset);
    offset += s.length;
    if (out.top_logprobs) out.top_logprobs.push(Object.fromEntries((t.topLogprobs ?? []).map((a) => [tokenText(entry, a.id), finite(a.logprob)])));
  }
  return out;
}

function usageOf(run: GenerationRun): Usage {
  const c = run.completionTokens();
  return { prompt_tokens: run.promptTokens, completion_tokens: c, total_tokens: run.promptTokens + c };
}

/** What a caller learns as events pass: used for time-to-first-token and token metrics. */
export interface Observer {
  onToken?: () => void;
}

/** Every choice's text, tokens and finish reason from a run's events (non-streaming responses). */
async function collectRun(run: GenerationRun, obs: Observer): Promise<{
  texts: Map<number, string>; toks: Map<number, TokenChoice[]>; reasons: Map<number, FinishReason>;
}> {
  const texts = new Map<number, string>();
  const toks = new Map<number, TokenChoice[]>();
  const reasons = new Map<number, FinishReason>();
  for await (const ev of run.events) {
    if (ev.type === 'text') {
      texts.set(ev.choice, (texts.get(ev.choice) ?? '') + ev.text);
      let list = toks.get(ev.choice);
      if (!list) toks.set(ev.choice, (list = []));
      list.push(...ev.tokens); // appended in place: a copy per event would be quadratic in length
      if (ev.tokens.length) obs.onToken?.();
    } else reasons.set(ev.choice, ev.reason);
  }
  return { texts, toks, reasons };
}

/**
 * Collects a run into a /v1/completions response.
 * @example const body = await collectCompletion(run, meta, entry, echo, null);
 */
export async function collectCompletion(run: GenerationRun, meta: ResponseMeta, entry: LanguageModelEntry, echo: readonly string[], spec: LogprobsSpec | null, obs: Observer = {}): Promise<Completion> {
  const { texts, toks, reasons } = await collectRun(run, obs);
  const choices = Array.from({ length: run.n * run.prompts }, (_, i) => {
    const prefix = echo[Math.floor(i / run.n)] ?? '';
    return {
      index: i,
      text: prefix + (texts.get(i) ?? ''),
      logprobs: spec ? completionLogprobs(entry, toks.get(i) ?? [], spec, prefix.length) : null,
      finish_reason: reasons.get(i) ?? 'length',
    };
  });
  return { id: meta.id, object: 'text_completion', created: meta.created, model: meta.model, system_fingerprint: SYSTEM_FINGERPRINT, choices, usage: usageOf(run) };
}

/**
 * Streams a run as /v1/completions chunks (the caller writes each as an SSE event, then [DONE]).
 * @example for await (const chunk of completionChunks(run, meta, entry, echo, null, true)) write(chunk);
 */
export async function* completionChunks(run: GenerationRun, meta: ResponseMeta, entry: LanguageModelEntry, echo: readonly string[], spec: LogprobsSpec | null, includeUsage: boolean, obs: Observer = {}): AsyncGenerator<Completion> {
  const base = { id: meta.id, object: 'text_completion' as const, created: meta.created, model: meta.model, system_fingerprint: SYSTEM_FINGERPRINT };
  const usage = includeUsage ? { usage: null } : {};
  const offsets = new Map<number, number>();
  const echoed = new Set<number>();
  for await (const ev of run.events) {
    const prefix = echo[Math.floor(ev.choice / run.n)] ?? '';
    let text = '';
    if (prefix && !echoed.has(ev.choice)) { echoed.add(ev.choice); text = prefix; offsets.set(ev.choice, prefix.length); }
    if (ev.type === 'text') {
      if (ev.tokens.length) obs.onToken?.();
      if (!ev.text && !spec && !text) continue;
      const offset = offsets.get(ev.choice) ?? 0;
      offsets.set(ev.choice, offset + ev.text.length);
      yield { ...base, choices: [{ index: ev.choice, text: text + ev.text, logprobs: spec ? completionLogprobs(entry, ev.tokens, spec, offset) : null, finish_reason: null }], ...usage };
    } else {
      yield { ...base, choices: [{ index: ev.choice, text, logprobs: null, finish_reason: ev.reason }], ...usage };
    }
  }
  if (includeUsage) yield { ...base, choices: [], usage: usageOf(run) };
}

/**
 * Collects a run into a /v1/chat/completions response.
 * @example const body = await collectChat(run, meta, entry, null);
 */
export async function collectChat(run: GenerationRun, meta: ResponseMeta, entry: LanguageModelEntry, spec: LogprobsSpec | null, obs: Observer = {}): Promise<ChatCompletion> {
  const { texts, toks, reasons } = await collectRun(run, obs);
  const choices = Array.from({ length: run.n * run.prompts }, (_, i) => ({
    index: i,
    message: { role: 'assistant' as const, content: texts.get(i) ?? '', refusal: null },
    logprobs: spec ? { content: chatLogprobs(entry, toks.get(i) ?? []) } : null,
    finish_reason: reasons.get(i) ?? 'length',
  }));
  return { id: meta.id, object: 'chat.completion', created: meta.created, model: meta.model, system_fingerprint: SYSTEM_FINGERPRINT, choices, usage: usageOf(run) };
}

/**
 * Streams a run as /v1/chat/completions chunks: a role chunk per choice, content deltas, a final
 * chunk with finish_reason, and with include_usage one last chunk with empty choices and usage.
 * @example for await (const chunk of chatChunks(run, meta, entry, null, true)) write(chunk);
 */
export async function* chatChunks(run: GenerationRun, meta: ResponseMeta, entry: LanguageModelEntry, spec: LogprobsSpec | null, includeUsage: boolean, obs: Observer = {}): AsyncGenerator<ChatCompletionChunk> {
  const base = { id: meta.id, object: 'chat.completion.chunk' as const, created: meta.created, model: meta.model, system_fingerprint: SYSTEM_FINGERPRINT };
  const usage = includeUsage ? { usage: null } : {};
  for (let i = 0; i < run.n * run.prompts; i++) {
    yield { ...base, choices: [{ index: i, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], ...usage };
  }
  for await (const ev of run.events) {
    if (ev.type === 'text') {
      if (ev.tokens.length) obs.onToken?.();
      if (!ev.text && !spec) continue;
      yield { ...base, choices: [{ index: ev.choice, delta: { content: ev.text }, logprobs: spec ? { content: chatLogprobs(entry, ev.tokens) } : null, finish_reason: null }], ...usage };
    } else {
      yield { ...base, choices: [{ index: ev.choice, delta: {}, logprobs: null, finish_reason: ev.reason }], ...usage };
    }
  }
  if (includeUsage) yield { ...base, choices: [], usage: usageOf(run) };
}
