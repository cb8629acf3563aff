// METRICS_ADDRESS: /metrics on a listener of its own (an internal interface the public cannot
// reach), so the public port never serves it. Nothing else is served there.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { Metrics } from './metrics.js';
import { metricsEndpoint } from './web/metrics-access.js';

export type MetricsServer = { url: string; stop(): Promise<void> };

export async function listenForMetrics(metrics: Pick<Metrics, 'registry'>, address: { host: string; port: number }, token: string | undefined): Promise<MetricsServer> {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  router.get('/metrics', metricsEndpoint(metrics, token));
  app.use(router.routes());
  const server = http.createServer(app.callback());
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, resolve);
  });
  const { address: host, port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
