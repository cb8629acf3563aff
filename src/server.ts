// Starts the HTTP server for a container and stops it gracefully: on SIGTERM/SIGINT the server
// stops accepting connections, lets in-flight requests finish (bounded), then closes the stores.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Container } from './container.js';

export type RunningServer = { url: string; server: http.Server; stop(): Promise<void> };

export async function listen(app: Koa, container: Container, port: number, shutdownGraceMs = 10_000): Promise<RunningServer> {
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  const { port: actualPort } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://localhost:${actualPort}`,
    server,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // close() ends idle keep-alive connections once; a connection whose request finishes
        // later turns idle too and would hold the exit for keepAliveTimeout: keep sweeping.
        server.closeIdleConnections();
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const timer = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
        await closed;
        clearInterval(sweep);
        clearTimeout(timer);
        await container.close();
      })();
      return stopping;
    },
  };
}
