// The server over HTTP: JSON GET/POST with the saved API key, and server-sent events read from fetch.

const KEY = 'moxing.apiKey';

/** The API key saved in this browser (for servers started with --api-key), or null. */
export function apiKey(): string | null {
  return localStorage.getItem(KEY);
}

/** Saves (or with '' forgets) the API key. */
export function setApiKey(key: string): void {
  if (key.trim() === '') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, key.trim());
}

/** An error response: the server's message (OpenAI's envelope) and status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function headers(json: boolean): HeadersInit {
  const h: Record<string, string> = {};
  if (json) h['Content-Type'] = 'application/json';
  const key = apiKey();
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function fail(res: Response): Promise<never> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { message?: string } };
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON: keep the status line.
  }
  if (res.status === 401) message += ' (set the key with the Key button)';
  throw new HttpError(res.status, message);
}

/** GET a JSON document. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: headers(false), signal });
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

/** POST a JSON body, get JSON back. */
export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal });
  if (!res.ok) return fail(res);
  return (await res.json()) as T;
}

/**
 * The `data:` events of an SSE response (GET, or POST with a JSON body) as parsed JSON, until `[DONE]`.
 * fetch rather than EventSource, so the Authorization header goes too and POST works.
 */
export async function* sse<T>(path: string, body: unknown, signal: AbortSignal): AsyncGenerator<T> {
  const init: RequestInit = body === undefined
    ? { headers: headers(false), signal }
    : { method: 'POST', headers: headers(true), body: JSON.stringify(body), signal };
  const res = await fetch(path, init);
  if (!res.ok || !res.body) return yield* failed(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (data === '') continue;
        if (data === '[DONE]') return;
        const parsed = JSON.parse(data) as { error?: { message?: string } };
        if (parsed.error?.message) throw new HttpError(500, parsed.error.message);
        yield parsed as T;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

async function* failed(res: Response): AsyncGenerator<never> {
  await fail(res);
}
