// A push-to-pull queue: the scheduler pushes events, an HTTP handler consumes them with for await.

/**
 * An unbounded async queue that ends (or fails) once.
 * @example const ch = new Channel<number>(); ch.push(1); ch.end(); for await (const x of ch) console.log(x);
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  private error: unknown = null;
  private failed = false;

  /** Adds an item (ignored after end). */
  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake();
  }

  /** No more items. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Ends with an error: the consumer's loop throws it after the items already pushed. */
  fail(err: unknown): void {
    if (this.ended) return;
    this.failed = true;
    this.error = err;
    this.end();
  }

  get closed(): boolean {
    return this.ended;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift()!;
        continue;
      }
      if (this.ended) {
        if (this.failed) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}
