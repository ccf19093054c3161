// moxing serve: the OpenAI-compatible HTTP server over GPTs and classical models.

import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHIPPED_MODELS, shippedModelsDir } from '../../llm/models.js';
import { ModelRegistry } from '../../server/model-registry.js';
import { createApp } from '../../server/app.js';
import { listen, type ServerHandle } from '../../server/server.js';
import { apiKeysFrom } from '../../server/auth.js';
import { useWasmHeap } from '../../server/process-metrics.js';
import { startHeapCollector, type HeapCollector } from '../../server/heap-collector.js';
import { positiveInt, port, timerSeconds } from '../options.js';
import { UserError } from '../errors.js';
import { loadChatDocs } from '../../server/docs-chat.js';
import { initBackends } from '../../backends/index.js';
import { initDevices } from '../../backends/devices.js';

interface ServeFlags {
  port: number;
  host: string;
  model?: string[];
  apiKey?: string[];
  metricsKey?: string[];
  maxConcurrency: number;
  maxQueue?: number;
  maxBodyBytes: number;
  timeout: number;
  docs?: string;
}

/** Options of {@link startServe} (the flags of `moxing serve`). */
export interface ServeOptions {
  port?: number;
  host?: string;
  /** Run dirs, model files or shipped names; default: the shipped models that are installed. */
  models?: readonly string[];
  apiKeys?: readonly string[];
  /** Keys that open /metrics only; with API keys, /metrics takes those too (never public then). */
  metricsKeys?: readonly string[];
  maxConcurrency?: number;
  maxQueue?: number;
  maxBodyBytes?: number;
  timeoutSeconds?: number;
  /** A document index: chat answers from it and names its sources (`--docs`). */
  docs?: string;
  /** Where the startup lines go. Default stderr. */
  log?: (line: string) => void;
}

/**
 * Registers the fast kernels (BLAS, wasm): batched decoding is what they speed up most. The wasm
 * heap's figures go to /metrics, and a collector keeps its garbage small (see heap-collector.ts).
 */
function initFastBackends(): { collector: HeapCollector | null } {
  const { wasm } = initBackends();
  const heap = wasm?.runtime.heap ?? null;
  useWasmHeap(heap);
  return { collector: heap ? startHeapCollector(heap) : null };
}

/**
 * Loads the models and starts listening; resolves once the server accepts connections.
 * @example const srv = await startServe({ port: 0, models: ['runs/austen'] }); console.log(srv.url); await srv.close();
 */
export async function startServe(options: ServeOptions = {}): Promise<ServerHandle> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  // Keys first: a bad one is said before the models load.
  let apiKeys: string[];
  let metricsKeys: string[];
  try {
    apiKeys = apiKeysFrom(options.apiKeys, process.env.MOXING_API_KEYS);
    metricsKeys = apiKeysFrom(options.metricsKeys, process.env.MOXING_METRICS_KEYS);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  const { collector } = initFastBackends();
  const backends = (await initDevices()).description;
  const maxBatch = options.maxConcurrency ?? 32;
  const registry = new ModelRegistry({ scheduler: { maxBatch, maxQueue: options.maxQueue ?? 4 * maxBatch } });
  const wanted = options.models && options.models.length > 0 ? options.models : SHIPPED_MODELS.filter((n) => existsSync(join(shippedModelsDir(), n)));
  for (const m of wanted) {
    try {
      await registry.load(m);
    } catch (err) {
      collector?.stop();
      throw new UserError(`cannot serve '${m}': ${(err as Error).message}`);
    }
  }
  let docs;
  try {
    docs = options.docs ? loadChatDocs(options.docs) : undefined;
  } catch (err) {
    collector?.stop();
    throw new UserError(`--docs ${options.docs}: ${(err as Error).message}`);
  }
  const app = createApp({
    registry, apiKeys, metricsKeys, docs,
    maxBodyBytes: options.maxBodyBytes,
    requestTimeoutMs: (options.timeoutSeconds ?? 600) * 1000,
  });
  let server: ServerHandle;
  try {
    server = await listen(app, { port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  } catch (err) {
    const code = (err as { code?: string }).code;
    collector?.stop();
    throw new UserError(code === 'EADDRINUSE' ? `port ${options.port} is already in use (choose another with --port)` : `cannot listen: ${(err as Error).message}`);
  }
  const models = registry.list();
  if (models.length === 0) {
    log(`moxing serve: serving no models (none of ${SHIPPED_MODELS.join(', ')} is installed in ${shippedModelsDir()}; pass --model <run-dir|model.json>)`);
  }
  for (const m of models) {
    const what = m.kind === 'classical'
      ? `classical ${m.predictor.task} model`
      : `GPT, context ${m.model.config.blockSize}${m.labels ? `, classifier (${m.labels.join('/')})` : ''}${m.defaultChatTemplate ? ', default chat template' : ''}`;
    log(`moxing serve: model ${m.id} (${what})`);
  }
  if (docs) log(`moxing serve: chat answers from ${options.docs} (${docs.index.size} chunks from ${docs.index.manifest.sources.length} files)`);
  log(`moxing serve: listening on ${server.url} (batch ${maxBatch}, on ${backends}, auth ${apiKeys.length > 0 ? 'on' : 'off'}, /metrics ${apiKeys.length + metricsKeys.length > 0 ? 'needs a key' : 'open'})`);
  return { ...server, close: () => { collector?.stop(); return server.close(); } };
}

/**
 * Registers `moxing serve`.
 * @example registerServe(program);
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve models over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions, /v1/embeddings, ...)')
    .option('--port <n>', 'TCP port (0: any free port)', port, 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--model <dir|name...>', 'model to serve: run dir, model.json or shipped name (repeatable; default: the shipped models)')
    .option('--api-key <key...>', 'require Authorization: Bearer <key> on /v1 routes (repeatable; also MOXING_API_KEYS=k1,k2)')
    .option('--metrics-key <key...>', 'a key that opens /metrics only (repeatable; also MOXING_METRICS_KEYS); with --api-key, /metrics needs one of either kind')
    .option('--max-concurrency <n>', 'sequences decoded together per step', positiveInt, 32)
    .option('--max-queue <n>', 'requests allowed to wait before 429 (default 4x max-concurrency)', positiveInt)
    .option('--max-body-bytes <n>', 'larger request bodies get 413', positiveInt, 4 * 1024 * 1024)
    .option('--timeout <seconds>', 'a request still running after this long fails', timerSeconds, 600)
    .option('--docs <dir>', 'a document index (moxing index build): chat answers from it, and responses name their sources')
    .action(async (f: ServeFlags) => {
      const server = await startServe({
        port: f.port, host: f.host, models: f.model, apiKeys: f.apiKey, metricsKeys: f.metricsKey, maxConcurrency: f.maxConcurrency,
        maxQueue: f.maxQueue, maxBodyBytes: f.maxBodyBytes, timeoutSeconds: f.timeout, docs: f.docs,
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`moxing serve: ${signal}, shutting down\n`);
          void server.close().then(resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
