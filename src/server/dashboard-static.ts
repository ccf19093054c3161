// Serves the built dashboard (web/dist) at /: files by path, index.html for app routes, a clear page if not built.

import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The package's web/dist (next to src/ or dist/). */
export function defaultDashboardDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

const NOT_BUILT = (dir: string) => `<!doctype html><meta charset="utf-8"><title>moxing dashboard not built</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5">
<h1>The moxing dashboard is not built</h1>
<p>The server looked for it in <code>${dir.replace(/[<>&]/g, '')}</code>. Build it with <code>npm run build:web</code>
(or <code>npm run build</code>, which <code>npm ci</code> runs), then reload this page.</p>
<p>The API works without it: <a href="/v1/models">/v1/models</a>, <a href="/api/runs">/api/runs</a>, <a href="/health">/health</a>.</p>
</body>`;

async function fileAt(path: string): Promise<Buffer | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}

/**
 * A GET of the dashboard: `/` (index.html; the app routes itself with #/...) or one of its files.
 * Without a build, `/` is a 503 page saying how to build it. Null when there is no such file.
 * @example app.get('*', async (c) => (await serveDashboard(c.req.path, dir)) ?? c.notFound());
 */
export async function serveDashboard(path: string, dir: string = defaultDashboardDir()): Promise<Response | null> {
  const root = resolve(dir);
  if (path === '/' || path === '/index.html') {
    const index = await fileAt(join(root, 'index.html'));
    if (!index) return new Response(NOT_BUILT(root), { status: 503, headers: { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-store' } });
    return new Response(index, { headers: { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache' } });
  }
  let rel: string;
  try {
    rel = decodeURIComponent(path);
  } catch {
    return null;
  }
  const file = resolve(root, `.${rel}`);
  if (!file.startsWith(root + sep)) return null; // ../ out of the dashboard
  const body = await fileAt(file);
  if (!body) return null;
  // Vite puts a content hash in every name under assets/, so those never change.
  const cache = rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
  return new Response(body, { headers: { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache } });
}
