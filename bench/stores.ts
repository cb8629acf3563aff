// Model-store throughput: the operations oidc-provider performs on every sign-in (upsert, find,
// consume), on each of the four implementations. Prints operations per second and the ratio to
// the fastest. Bounded: a fixed number of operations per store.
import { performance } from 'node:perf_hooks';
import { createOidcPayloadQueries } from '../src/queries/oidc-payloads.js';
import type { ModelStore } from '../src/storage/model-store.js';
import { realServices } from '../test/support/real-services.js';
import { memoryStore, pgliteDatabase, postgresDatabase, redisStore } from '../test/support/stores.js';

const OPERATIONS = Number(process.env.BENCH_OPERATIONS ?? 2000);
const CONCURRENCY = 16;

async function measure(store: ModelStore): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < OPERATIONS) {
      const i = next++;
      const id = `bench-${i}`;
      await store.upsert('AuthorizationCode', id, { grantId: `g-${i}`, accountId: 'A', clientId: 'c' }, 60);
      await store.find('AuthorizationCode', id);
      await store.consume('AuthorizationCode', id);
    }
  }));
  return (OPERATIONS * 3) / ((performance.now() - started) / 1000);
}

export async function benchStores(): Promise<Array<{ name: string; opsPerSecond: number }>> {
  const services = await realServices();
  const results: Array<{ name: string; opsPerSecond: number }> = [];
  const subjects: Array<[string, () => Promise<{ store: ModelStore; drop(): Promise<void> }>]> = [
    ['memory', async () => { const s = memoryStore(); return { store: s, drop: () => s.drop() }; }],
    ['Redis', async () => { const s = redisStore(services.redisUrl!); return { store: s, drop: () => s.drop() }; }],
    ['PostgreSQL', async () => { const db = await postgresDatabase(services.databaseUrl!); return { store: createOidcPayloadQueries(db.knex), drop: () => db.drop() }; }],
    ['PGlite', async () => { const db = await pgliteDatabase(); return { store: createOidcPayloadQueries(db.knex), drop: () => db.drop() }; }],
  ];
  for (const [name, open] of subjects) {
    if ((name === 'Redis' && !services.redisUrl) || (name === 'PostgreSQL' && !services.databaseUrl)) continue;
    const { store, drop } = await open();
    try {
      await measure(store); // warm-up (connections, JIT)
      results.push({ name, opsPerSecond: await measure(store) });
    } finally {
      await drop();
    }
  }
  return results;
}
