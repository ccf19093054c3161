// Runs the app on a socket with @hono/node-server and stops it cleanly.

import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening server. */
export interface ServerHandle {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** Stops accepting, ends open connections, resolves when closed. */
  close(): Promise<void>;
}

/**
 * Listens on host:port (port 0 picks a free one).
 * @example const srv = await listen(createApp({ registry }), { port: 0 }); console.log(srv.url); await srv.close();
 */
export function listen(app: { fetch(request: Request): Response | Promise<Response> }, options: { port?: number; host?: string } = {}): Promise<ServerHandle> {
  const host = options.host ?? '127.0.0.1';
  const server = createAdaptorServer({ fetch: (req: Request) => app.fetch(req), hostname: host }) as Server;
  // Generation can take minutes; Node's default request timeout (300 s) must not cut streams.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}`,
        port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
