// The few browser globals the browser build uses, typed locally (the project compiles with the
// ES2022 lib, without the DOM's), as src/backends/wasm/wasm-api.ts does for WebAssembly.

/** A Web Worker, as far as the kernel pool uses it. */
export interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onerror: ((event: unknown) => void) | null;
}

/** A fetch response, as far as model loading uses it. */
export interface WebResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
}

interface MessagePortLike {
  onmessage: ((event: unknown) => void) | null;
  postMessage(message: unknown): void;
}

interface WebGlobals {
  Worker: new (url: string, options?: { name?: string }) => WebWorker;
  Blob: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void } & (new (url: string, base?: string) => { href: string });
  fetch(url: string, init?: { headers?: Record<string, string> }): Promise<WebResponse>;
  MessageChannel: new () => { port1: MessagePortLike; port2: MessagePortLike };
  navigator?: { hardwareConcurrency?: number; gpu?: unknown };
  crossOriginIsolated?: boolean;
  location?: { href: string };
  setImmediate?: (fn: () => void) => unknown;
}

/**
 * globalThis with the browser globals above.
 * @example web.crossOriginIsolated // true when the page was served with COOP/COEP
 */
export const web = globalThis as unknown as WebGlobals;

/**
 * Fetches a URL (with `headers`, if given), throwing a one-line error that names it when the
 * response is not OK.
 * @example const bytes = await (await fetchOk('/models/moxing-base/config.json')).json();
 */
export async function fetchOk(url: string, headers?: Record<string, string>): Promise<WebResponse> {
  let res: WebResponse;
  try {
    res = await (headers ? web.fetch(url, { headers }) : web.fetch(url));
  } catch (err) {
    throw new Error(`${url}: fetch failed (${(err as Error).message})`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`.trim());
  return res;
}

/**
 * setImmediate for a page: a MessageChannel task, which runs without setTimeout's 4 ms clamp.
 * The shared generation loop yields with setImmediate between tokens.
 */
export function installSetImmediate(): void {
  if (typeof web.setImmediate === 'function') return;
  const channel = new web.MessageChannel();
  const queue: Array<() => void> = [];
  channel.port1.onmessage = () => {
    const fn = queue.shift();
    if (fn) fn();
  };
  web.setImmediate = (fn: () => void) => {
    queue.push(fn);
    channel.port2.postMessage(0);
    return 0;
  };
}
