// OpenAI's error envelope {"error": {"message", "type", "param", "code"}} and the statuses OpenAI uses.

import { type DeviceFaultError, deviceFaultOf } from '../backends/fault.js';

/** The body of every error response, as OpenAI sends it. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * An error that becomes an HTTP response with OpenAI's envelope.
 * @example throw new ApiError(404, 'The model `x` does not exist.', { code: 'model_not_found', param: 'model' });
 */
export class ApiError extends Error {
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  /** Extra response headers (e.g. Retry-After on 429). */
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    message: string,
    options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.type = options.type ?? defaultType(status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
  }

  /** The JSON body. */
  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function defaultType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'invalid_request_error';
  return 'invalid_request_error';
}

/**
 * 400 for a request that does not fit the schema, naming the offending field.
 * @example throw invalidRequest('temperature must be <= 2', 'temperature');
 */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, { param, code });
}

/**
 * 404 for a model that is not served, worded as OpenAI words it.
 * @example throw modelNotFound('gpt-5');
 */
export function modelNotFound(model: string): ApiError {
  return new ApiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { param: 'model', code: 'model_not_found' });
}

/**
 * 429 when the scheduler's queue is full; clients should retry after a short wait.
 * @example throw overloaded(1);
 */
export function overloaded(retryAfterSeconds = 1): ApiError {
  return new ApiError(429, 'The server is at capacity (its request queue is full). Please retry your request after a brief wait.', {
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

/**
 * 503 for a request that met a GPU fault: a lost device (the server moves its models to the cpu,
 * so a retry is served there) or a GPU out of memory (a smaller or later request may fit).
 * @example throw deviceFault(new DeviceFaultError('webgpu', 'lost', 'webgpu: the GPU device was lost'));
 */
export function deviceFault(fault: DeviceFaultError): ApiError {
  if (fault.kind === 'lost') {
    return new ApiError(503, `The GPU serving this model was lost while processing your request (${fault.message}); the server now serves its models on the CPU. Please retry your request.`, {
      type: 'server_error', code: 'device_lost', headers: { 'Retry-After': '1' },
    });
  }
  if (fault.kind === 'out-of-memory') {
    return new ApiError(503, `The GPU ran out of memory while processing your request (${fault.message}). Please retry later or with fewer tokens.`, {
      type: 'server_error', code: 'device_out_of_memory', headers: { 'Retry-After': '1' },
    });
  }
  return new ApiError(500, `The server had a GPU error while processing your request: ${fault.message}`, { type: 'server_error', code: 'device_error' });
}

/**
 * Any thrown value as an ApiError (unknown errors become a 500 without internals).
 * @example const e = toApiError(err); return c.json(e.toBody(), e.status);
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  // By name, so this file needs neither the scheduler nor the DOM types.
  if (name === 'SchedulerBusyError') return overloaded(1);
  const fault = deviceFaultOf(err);
  if (fault) return deviceFault(fault);
  if (name === 'TimeoutError') return new ApiError(500, 'The request timed out before generation finished. Ask for fewer tokens or retry later.', { type: 'server_error', code: 'timeout' });
  const detail = err instanceof Error ? err.message : String(err);
  return new ApiError(500, `The server had an error while processing your request: ${detail}`, { type: 'server_error' });
}
