// What a page needs to run moxing itself: the browser build at /moxing.js (and the wasm kernels it
// fetches from beside it), each served language model's files at /models/<name>/<file>, and the
// COOP/COEP headers that make the page cross-origin isolated, so its wasm kernels may share memory
// with worker threads (SharedArrayBuffer).

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Env, Hono } from 'hono';
import type { ModelRegistry } from './model-registry.js';
import { ApiError } from './errors.js';

/** The files of a model a page may fetch (nothing else in its directory is served). */
export const MODEL_FILES: Readonly<Record<string, string>> = {
  'config.json': 'application/json; charset=utf-8',
  'tokenizer.json': 'application/json; charset=utf-8',
  'model.safetensors': 'application/octet-stream',
  'head.safetensors': 'application/octet-stream',
};

const BUNDLE_FILES: Readonly<Record<string, string>> = {
  'moxing.js': 'text/javascript; charset=utf-8',
  'kernels.wasm': 'application/wasm',
  'kernels-relaxed.wasm': 'application/wasm',
};

/** Headers that make a page cross-origin isolated (SharedArrayBuffer, threads for wasm). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * build/browser under the package root (from src/server and dist/server alike), where
 * `npm run build:browser` writes moxing.js and the kernels.
 */
export function browserBuildDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'browser');
}

function notFound(what: string): ApiError {
  return new ApiError(404, what, { code: 'not_found' });
}

async function sendFile(c: Context, path: string, type: string): Promise<Response> {
  const bytes = await readFile(path);
  return c.body(new Uint8Array(bytes), 200, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
}

/**
 * Adds the isolation headers to every later route and serves the browser build and model files.
 * Call before the dashboard mounts its pages, so they get the headers too.
 * @example mountBrowserAssets(app, registry)
 */
export function mountBrowserAssets<E extends Env>(app: Hono<E>, registry: ModelRegistry, dir = browserBuildDir()): void {
  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) c.res.headers.set(k, v);
  });
  for (const [file, type] of Object.entries(BUNDLE_FILES)) {
    app.get(`/${file}`, async (c) => {
      const path = join(dir, file);
      if (!existsSync(path)) throw notFound(`/${file} is not built: run \`npm run build:browser\` (it writes ${path}).`);
      return sendFile(c, path, type);
    });
  }
  app.get('/models/:name/:file', async (c) => {
    const { name, file } = c.req.param();
    const entry = registry.get(name);
    if (!entry || entry.kind !== 'language' || !entry.dir) throw notFound(`No language model '${name}' is served.`);
    const type = MODEL_FILES[file];
    if (!type) throw notFound(`/models/${name}/${file}: not a model file (${Object.keys(MODEL_FILES).join(', ')}).`);
    const path = join(entry.dir, file);
    if (!existsSync(path)) throw notFound(`/models/${name}/${file}: this model has no ${file}.`);
    return sendFile(c, path, type);
  });
}
