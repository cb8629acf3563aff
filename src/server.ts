// Starts the HTTP server for a container and stops it gracefully: on SIGTERM/SIGINT the server
// first drains (readiness 503, Connection: close, still serving), then stops accepting
// connections, lets in-flight requests finish (bounded), then closes the stores.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Container } from './container.js';
import { boundConnectionsPerAddress } from './connection-bound.js';

export type RunningServer = { url: string; server: http.Server; stop(): Promise<void> };


export async function listen(app: Koa, container: Container, port: number, shutdownGraceMs = 10_000, drainMs = 0): Promise<RunningServer> {
  let draining = false;
  const handle = app.callback();
  // While draining: readiness says 503 so load balancers take us out, every other request is
  // still served but told to close its connection, so no keep-alive request is reset later.
  const server = http.createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    if (!draining) return handle(req, res);
    res.setHeader('connection', 'close');
    if (req.url === '/readyz') {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' }).end(JSON.stringify({ status: 'draining' }));
      return;
    }
    return handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  // Slow clients (slowloris headers, trickled bodies) are cut off instead of holding sockets,
  // and one address cannot hold more than its share of them (config.http).
  const limits = container.config.http;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  boundConnectionsPerAddress(server, limits.maxConnectionsPerAddress);
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
        draining = true;
        if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
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
