// Which real services the test run talks to. Defaults to the standard local ports; when one is
// unreachable the run falls back to the embedded store and says so loudly — unless
// REQUIRE_REAL_STORES=1 (set by .ci/run), in which case it fails.
import net from 'node:net';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

export type Services = { databaseUrl: string | undefined; redisUrl: string | undefined };

let detected: Promise<Services> | undefined;

export function realServices(): Promise<Services> {
  detected ??= (async () => {
    const [pg, redis] = await Promise.all([reachable(TEST_DATABASE_URL), reachable(TEST_REDIS_URL)]);
    const missing = [!pg && `PostgreSQL (${TEST_DATABASE_URL})`, !redis && `Redis (${TEST_REDIS_URL})`].filter(Boolean);
    if (missing.length > 0) {
      if (process.env.REQUIRE_REAL_STORES === '1') {
        throw new Error(`REQUIRE_REAL_STORES=1 but unreachable: ${missing.join(', ')}`);
      }
      console.warn(`\n  !! ${missing.join(' and ')} unreachable: FALLING BACK TO EMBEDDED STORES for these tests\n`);
    }
    return { databaseUrl: pg ? TEST_DATABASE_URL : undefined, redisUrl: redis ? TEST_REDIS_URL : undefined };
  })();
  return detected;
}
