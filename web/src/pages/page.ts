// What a page gets from the router; its work stops when `signal` aborts (the user went elsewhere).

/** Route parameters, the query after `?` in the hash, and the page's lifetime. */
export interface PageContext {
  params: string[];
  query: URLSearchParams;
  signal: AbortSignal;
}

/** Renders into root; may keep updating it (polling, streams) until the signal aborts. */
export type Page = (root: HTMLElement, ctx: PageContext) => void | Promise<void>;

/** Calls fn every ms until the signal aborts (the first call right away); errors show in `onError`. */
export function every(ms: number, signal: AbortSignal, fn: () => Promise<void>, onError: (err: Error) => void): void {
  const tick = async () => {
    if (signal.aborted) return;
    try {
      await fn();
    } catch (err) {
      if (!signal.aborted) onError(err as Error);
    }
    if (!signal.aborted) setTimeout(() => void tick(), ms);
  };
  void tick();
}
