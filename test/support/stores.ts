// Store factories for tests: each call gets an isolated namespace (PostgreSQL schema, PGlite
// directory, Redis key prefix) and a cleanup that removes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Cluster } from 'ioredis';
import { createRedisStore } from '../../src/storage/redis-store.js';
import type { RedisConnection, RedisTarget } from '../../src/storage/redis-connection.js';
import { createMemoryStore } from '../../src/storage/memory-store.js';
import type { EphemeralStore } from '../../src/storage/model-store.js';

export const uniqueName = (label: string) => `${label}_${randomBytes(5).toString('hex')}`;

export type TestDatabase = Database & { schema?: string; drop(): Promise<void> };

export async function postgresDatabase(url: string): Promise<TestDatabase> {
  const schema = uniqueName('t');
  const db = await openDatabase({ databaseUrl: url, dataDir: tmpdir(), schema });
  await migrateToLatest(db.knex);
  return {
    ...db,
    schema,
    async drop() {
      await db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await db.close();
    },
  };
}

export async function pgliteDatabase(): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cyberid-pglite-'));
  const db = await openDatabase({ databaseUrl: undefined, dataDir });
  await migrateToLatest(db.knex);
  return {
    ...db,
    async drop() {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestEphemeralStore = EphemeralStore & { drop(): Promise<void> };

/** Every key under `prefix`: KEYS on each master of a cluster (each holds its own slots). */
export async function redisKeysUnder(redis: RedisConnection, prefix: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  return (await Promise.all(nodes.map((node) => node.keys(`${prefix}*`)))).flat();
}

/** Deletes a test's keys one by one: a multi-key DEL fails across cluster slots. */
export async function dropRedisKeys(redis: RedisConnection, prefix: string): Promise<void> {
  await Promise.all((await redisKeysUnder(redis, prefix)).map((key) => redis.del(key)));
}

export function redisStore(target: string | RedisTarget): TestEphemeralStore & { redis: RedisConnection; prefix: string } {
  const store = createRedisStore({ ...(typeof target === 'string' ? { url: target } : target), prefix: `${uniqueName('test')}:` });
  return {
    ...store,
    async drop() {
      await dropRedisKeys(store.redis, store.prefix);
      await store.close();
    },
  };
}

export function memoryStore(): TestEphemeralStore {
  const store = createMemoryStore();
  return { ...store, drop: () => store.close() };
}
