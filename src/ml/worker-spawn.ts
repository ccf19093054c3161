// Starting a worker thread of the classical models (forests, histogram boosting): from the compiled
// .js beside this file, or, run from source under tsx, from the .ts entry after registering tsx in
// the worker (Node 20 does not carry tsx's loader hooks into workers).

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

/** A worker and the port its owner talks to it on (the worker's end is `workerData.port`). */
export interface PoolWorker { worker: Worker; port: MessagePort }

/**
 * Starts the worker whose entry is ./<base>.js (or .ts under tsx), unref'd: it never keeps the process alive.
 * A failed start is posted on the port as `{ e: -1, error }`, since the owner may be blocked reading only messages.
 * @example const { port } = spawnWorker('forest-worker');
 */
export function spawnWorker(base: string): PoolWorker {
  const { port1, port2 } = new MessageChannel();
  const options = { workerData: { port: port2 }, transferList: [port2] };
  let worker: Worker;
  if (import.meta.url.endsWith('.ts')) {
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL(`./${base}.ts`, import.meta.url).href;
    const source = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`
      + `.catch((err) => require('node:worker_threads').workerData.port.postMessage({ e: -1, error: String(err) }));`;
    worker = new Worker(source, { ...options, eval: true });
  } else worker = new Worker(new URL(`./${base}.js`, import.meta.url), options);
  worker.unref();
  port1.unref();
  return { worker, port: port1 };
}
