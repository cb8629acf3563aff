// Store factories for tests: each call gets an isolated namespace (PostgreSQL schema, PGlite
// directory, Redis key prefix) and a cleanup that removes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createRedisStore } from '../../src/storage/redis-store.js';
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

export function redisStore(url: string): TestEphemeralStore {
  const store = createRedisStore({ url, prefix: `${uniqueName('test')}:` });
  return {
    ...store,
    async drop() {
      const keys = await store.redis.keys(`${store.prefix}*`);
      if (keys.length > 0) await store.redis.del(...keys);
      await store.close();
    },
  };
}

export function memoryStore(): TestEphemeralStore {
  const store = createMemoryStore();
  return { ...store, drop: () => store.close() };
}
