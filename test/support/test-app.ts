// Starts the real application for a test: real PostgreSQL (own schema) and Redis (own key
// prefix) when reachable, generated secrets in a temporary DATA_DIR, logs captured in memory
// so privacy tests can scan them. Each app is stopped and its namespace dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/config.js';
import { buildContainer, type Container } from '../../src/container.js';
import { appRoutes, createApp, type AppRoute } from '../../src/app.js';
import { listen } from '../../src/server.js';
import { realServices } from './real-services.js';
import { dropRedisKeys, uniqueName } from './stores.js';
import type { RedisConnection } from '../../src/storage/redis-connection.js';

export type TestApp = {
  url: string;
  container: Container;
  logs: string[];
  dataDir: string;
  schema: string;
  redisPrefix: string;
  /** The app's own routes (src/app.ts appRoutes): the browser audit walks every page among them. */
  routes: AppRoute[];
  stop(options?: { keepData?: boolean }): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export type TestAppOptions = {
  env?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  /** Reuse another app's stores and secrets (restart / second instance scenarios). */
  shareWith?: Pick<TestApp, 'dataDir' | 'schema' | 'redisPrefix'>;
  port?: number;
  /** Adjusts the parsed configuration before the graph is built (limits a test needs small). */
  configure?: (config: Config) => void;
};

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const services = await realServices();
  const port = options.port ?? (await freePort());
  const dataDir = options.shareWith?.dataDir ?? mkdtempSync(path.join(tmpdir(), 'cyberid-test-'));
  const schema = options.shareWith?.schema ?? uniqueName('t');
  const redisPrefix = options.shareWith?.redisPrefix ?? `${uniqueName('test')}:`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...(services.databaseUrl ? { DATABASE_URL: services.databaseUrl } : {}),
    ...(services.redisUrl ? { REDIS_URL: services.redisUrl } : {}),
    ...options.env,
  };
  // An empty value unsets a variable (e.g. DATABASE_URL: '' for the embedded store).
  const config = loadConfig(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  options.configure?.(config);
  const logs: string[] = [];
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      if (process.env.TEST_LOGS === '1') process.stderr.write(chunk);
      done();
    },
  });
  const container = await buildContainer(config, { schema, redisPrefix, logDestination, fetch: options.fetch });
  const koa = createApp(container);
  const running = await listen(koa, container, port, 1000);
  return {
    routes: appRoutes(koa),
    url: config.issuer,
    container,
    logs,
    dataDir,
    schema,
    redisPrefix,
    async stop({ keepData = false } = {}) {
      if (!keepData) {
        if (container.config.databaseUrl) await container.db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
        if (container.ephemeral.kind === 'redis') {
          await dropRedisKeys((container.ephemeral as unknown as { redis: RedisConnection }).redis, redisPrefix);
        }
      }
      await running.stop();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
