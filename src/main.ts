// `npm start`: validate configuration, open the stores (embedded ones when none are
// configured), apply migrations, seed the demo in development, serve, stop gracefully.
import { loadConfigOrReport } from './config/config.js';
import { buildContainer } from './container.js';
import { createApp } from './app.js';
import { listen } from './server.js';
import { listenForMetrics } from './metrics-server.js';
import { seedDemo } from './demo/seed.js';
import { createDemoIspRouter } from './demo/demo-isp.js';
import { serveCliBridge } from './cli/bridge.js';
import { KEY_POLL_SECONDS } from './oidc/key-reload.js';


async function main(): Promise<void> {
  const config = loadConfigOrReport();
  if (!config) process.exit(1);
  const container = await buildContainer(config);
  const { logger } = container;
  const demo = config.env === 'production' ? undefined : await seedDemo(container);
  const app = createApp(container, {
    extraRouters: demo ? [createDemoIspRouter(config.issuer, demo, container.render)] : [],
  });
  container.providerHolder.startPolling(KEY_POLL_SECONDS);
  await container.keyChanges.listen(() => container.providerHolder.refresh());
  container.notifications.worker.start(config.notifications.pollMs);
  container.logoutDeliveries.worker.start(config.logoutDeliveries.pollMs);
  // The logs' months ahead, then authentication log retention (AUTH_LOG_RETENTION_DAYS): every
  // instance does both hourly; creating an existing month and dropping a dropped one are no-ops,
  // so instances running them at once do no harm.
  const logUpkeep = async () => {
    const created = await container.logPartitions.createAhead()
      .catch((error: unknown) => logger.error({ err: { message: (error as Error).message } }, 'creating log partitions failed'));
    if (created?.length) logger.info({ partitions: created }, 'log partitions created');
    await container.authenticationLog.prune()
      .then((pruned) => (pruned.partitions.length || pruned.entries) && logger.info({ partitions: pruned.partitions, entries: pruned.entries, keys: pruned.keys }, 'authentication log pruned'))
      .catch((error: unknown) => logger.error({ err: { message: (error as Error).message } }, 'authentication log prune failed'));
  };
  void logUpkeep();
  setInterval(logUpkeep, 3_600_000).unref();
  // Lawful accesses whose embargo has passed are told to their subject, hourly, once each.
  const tellDisclosures = () => container.disclosureNotices.notifyEndedEmbargoes()
    .then((told) => told && logger.info({ count: told }, 'lawful-access subjects told'))
    .catch((error: unknown) => logger.error({ err: { message: (error as Error).message } }, 'telling lawful-access subjects failed'));
  void tellDisclosures();
  setInterval(tellDisclosures, 3_600_000).unref();
  const running = await listen(app, container, config.port, 10_000, config.drainSeconds * 1000);
  const metricsServer = config.metrics.address ? await listenForMetrics(container.metrics, config.metrics.address, config.metrics.token) : undefined;
  if (metricsServer) logger.info({ url: `${metricsServer.url}/metrics` }, 'metrics served on their own listener');
  else if (!config.metrics.onPublicPort) logger.warn('metrics are not served: set METRICS_TOKEN or METRICS_ADDRESS to scrape them');
  // The authentication log and the sign-in limits take the client address from ctx.ip (app.ts):
  // behind a proxy without TRUST_PROXY, that is the proxy's own address for everyone.
  if (config.env === 'production' && !config.trustProxy) logger.warn('TRUST_PROXY is false: client addresses in the authentication log and sign-in limits are the connection peer; behind a proxy set TRUST_PROXY=true');
  // The embedded database admits one process: the CLI talks to us instead (cli/bridge.ts).
  const bridge = container.db.embedded ? serveCliBridge(container) : undefined;
  logger.info({ issuer: config.issuer, database: container.db.embedded ? 'embedded PGlite' : 'PostgreSQL', ephemeral: container.ephemeral.kind }, 'Cyberspace ID is running');
  if (demo) {
    process.stdout.write([
      '',
      `  Cyberspace ID (development) at ${config.issuer}`,
      `  stores: ${container.db.embedded ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}, ${container.ephemeral.kind === 'memory' ? 'in-memory ephemeral store' : 'Redis'}`,
      '',
      `  Try a login: open ${config.issuer}/demo-isp and sign in as the demo citizen`,
      `    cyberspace ID: ${demo.cyberspace_id}`,
      `    password:      ${demo.password}`,
      `  Discovery:     ${config.issuer}/.well-known/openid-configuration`,
      '',
    ].join('\n'));
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    Promise.all([bridge?.close(), metricsServer?.stop()]).then(() => running.stop()).then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
