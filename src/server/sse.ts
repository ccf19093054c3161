// Server-sent events as OpenAI streams them: `data: <json>\n\n` per chunk, then `data: [DONE]\n\n`.

import { toApiError } from './errors.js';

/** Called once when the stream ends: normally, by an error, or because the client went away. */
export type StreamEnd = (outcome: 'done' | 'error' | 'cancelled') => void;

/**
 * A text/event-stream Response pulling chunks one at a time (a slow client slows its own stream,
 * nothing piles up). If the client disconnects, `onCancel` runs so the generation stops; an error
 * after the headers went out becomes one `data: {"error": ...}` event.
 * @example return sseResponse(chatChunks(run, meta, entry, null, false), () => abort.abort(), (o) => log(o));
 */
export function sseResponse(chunks: AsyncIterable<object>, onCancel: () => void, onEnd: StreamEnd = () => {}): Response {
  const it = chunks[Symbol.asyncIterator]();
  const enc = new TextEncoder();
  let ended = false;
  const end = (outcome: 'done' | 'error' | 'cancelled') => {
    if (ended) return;
    ended = true;
    onEnd(outcome);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await it.next();
        if (r.done) {
          controller.enqueue(enc.encode('data: [DONE]\n\n'));
          controller.close();
          end('done');
        } else {
          controller.enqueue(enc.encode(`data: ${JSON.stringify(r.value)}\n\n`));
        }
      } catch (err) {
        if (ended) return;
        controller.enqueue(enc.encode(`data: ${JSON.stringify(toApiError(err).toBody())}\n\n`));
        controller.close();
        end('error');
      }
    },
    cancel() {
      onCancel();
      void it.return?.();
      end('cancelled');
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  });
}
