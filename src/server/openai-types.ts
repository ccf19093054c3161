// Request schemas (zod) and response types of the OpenAI-compatible API and moxing's own endpoints.

import { z } from 'zod';
import { invalidRequest, type ApiError } from './errors.js';

const int = () => z.number().int();
const stop = z.union([z.string(), z.array(z.string()).max(4, 'stop may hold at most 4 sequences')]).nullish();
const logitBias = z.record(z.string().regex(/^\d+$/, 'logit_bias keys must be token ids'), z.number().min(-100).max(100)).nullish();

/** Sampling fields shared by /v1/completions and /v1/chat/completions. */
const sampling = {
  model: z.string().min(1),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  /** Not in OpenAI's API; vLLM and llama.cpp accept it too. */
  top_k: int().min(1).nullish(),
  n: int().min(1).max(16).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  stop,
  max_tokens: int().min(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logit_bias: logitBias,
  seed: int().nullish(),
  user: z.string().nullish(),
};

const tokenIds = z.array(int().min(0)).min(1);

/** POST /v1/completions */
export const CompletionRequest = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenIds, z.array(tokenIds).min(1)]),
  logprobs: int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
  best_of: int().min(1).nullish(),
  suffix: z.string().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(textPart)]).nullish(),
  name: z.string().nullish(),
});
/** One chat message as the API takes it. */
export type ChatMessageInput = z.infer<typeof message>;

/** POST /v1/chat/completions */
export const ChatCompletionRequest = z.object({
  ...sampling,
  messages: z.array(message).min(1),
  max_completion_tokens: int().min(1).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: int().min(0).max(20).nullish(),
  response_format: z.object({ type: z.enum(['text', 'json_object', 'json_schema']) }).passthrough().nullish(),
  tools: z.array(z.unknown()).nullish(),
  functions: z.array(z.unknown()).nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** POST /v1/embeddings */
export const EmbeddingRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1), tokenIds, z.array(tokenIds).min(1)]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: int().min(1).nullish(),
  user: z.string().nullish(),
});
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

/** POST /v1/classify: labels for zero-shot; a fine-tuned classifier brings its own. */
export const ClassifyRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(256)]),
  labels: z.array(z.string().min(1)).min(2).max(64).nullish(),
});
export type ClassifyRequest = z.infer<typeof ClassifyRequest>;

const cell = z.union([z.number(), z.string(), z.null()]);
/** POST /v1/predict: rows as objects keyed by feature name (or arrays in the model's feature order). */
export const PredictRequest = z.object({
  model: z.string().min(1),
  rows: z.array(z.union([z.record(z.string(), cell), z.array(cell)])).min(1).max(100_000),
});
export type PredictRequest = z.infer<typeof PredictRequest>;

/** POST /tokenize (model defaults to the first language model served). */
export const TokenizeRequest = z.object({ model: z.string().min(1).nullish(), text: z.string() });
/** POST /detokenize */
export const DetokenizeRequest = z.object({ model: z.string().min(1).nullish(), tokens: z.array(int().min(0)) });

/**
 * Validates a parsed JSON body, turning the first problem into OpenAI's 400 with the field as `param`.
 * @example const req = parseBody(CompletionRequest, await readJson(c));
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  throw zodToApiError(r.error, body);
}

/** The value at an issue's path in the request (zod 4 does not report it by default). */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v = body;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function zodToApiError(error: z.ZodError, body: unknown): ApiError {
  const issue = error.issues[0]!;
  const param = issue.path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
  const value = valueAt(body, issue.path);
  if (issue.code === 'invalid_type' && value === undefined) return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : 'expected one of the allowed types';
    return invalidRequest(`Invalid type for '${param}': ${expected}, but got ${typeName(value)}.`, param, 'invalid_type');
  }
  return invalidRequest(`Invalid value for '${param}': ${issue.message}.`, param, 'invalid_value');
}

// ---- responses ----

/** usage in every response. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Legacy completions logprobs. */
export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: number[];
  top_logprobs: Array<Record<string, number>> | null;
  text_offset: number[];
}

/** One token of chat logprobs. */
export interface ChatTokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] }>;
}

export type FinishReason = 'stop' | 'length';

export interface CompletionChoice {
  index: number;
  text: string;
  logprobs: CompletionLogprobs | null;
  finish_reason: FinishReason | null;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: CompletionChoice[];
  usage?: Usage | null;
}

export interface ChatChoice {
  index: number;
  message: { role: 'assistant'; content: string; refusal: null };
  logprobs: { content: ChatTokenLogprob[] } | null;
  finish_reason: FinishReason;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: ChatChoice[];
  usage: Usage;
}

export interface ChatChunkChoice {
  index: number;
  delta: { role?: 'assistant'; content?: string };
  logprobs: { content: ChatTokenLogprob[] } | null;
  finish_reason: FinishReason | null;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: ChatChunkChoice[];
  usage?: Usage | null;
}

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}
