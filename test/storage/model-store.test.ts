// One contract, four implementations: PostgreSQL, PGlite, Redis (one server and a cluster), memory.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOidcPayloadQueries } from '../../src/queries/oidc-payloads.js';
import type { ModelStore } from '../../src/storage/model-store.js';
import { realServices } from '../support/real-services.js';
import { ownRedisCluster } from '../support/redis-cluster.js';
import { memoryStore, pgliteDatabase, postgresDatabase, redisStore } from '../support/stores.js';

type Subject = { name: string; open(): Promise<{ store: ModelStore; drop(): Promise<void> }> };

const subjects: Subject[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const { databaseUrl } = await realServices();
      const db = databaseUrl ? await postgresDatabase(databaseUrl) : await pgliteDatabase();
      return { store: createOidcPayloadQueries(db.knex), drop: () => db.drop() };
    },
  },
  {
    name: 'PGlite',
    async open() {
      const db = await pgliteDatabase();
      return { store: createOidcPayloadQueries(db.knex), drop: () => db.drop() };
    },
  },
  {
    name: 'Redis',
    async open() {
      const { redisUrl } = await realServices();
      const store = redisUrl ? redisStore(redisUrl) : memoryStore();
      return { store, drop: () => store.drop() };
    },
  },
  {
    // Three masters: every command and script must stay in one slot (redis-keys.ts).
    name: 'Redis Cluster',
    async open() {
      const store = redisStore({ clusterNodes: (await ownRedisCluster()).nodes });
      return { store, drop: () => store.drop() };
    },
  },
  {
    name: 'memory',
    async open() {
      const store = memoryStore();
      return { store, drop: () => store.drop() };
    },
  },
];

for (const subject of subjects) {
  describe(`model store contract: ${subject.name}`, () => {
    let store: ModelStore;
    let drop: () => Promise<void>;
    before(async () => ({ store, drop } = await subject.open()));
    after(async () => drop());

    it('stores, finds and destroys a payload', async () => {
      await store.upsert('Grant', 'g1', { accountId: 'A', clientId: 'c', exp: 1 }, 60);
      assert.deepEqual(await store.find('Grant', 'g1'), { accountId: 'A', clientId: 'c', exp: 1 });
      await store.upsert('Grant', 'g1', { accountId: 'B' }, 60);
      assert.deepEqual(await store.find('Grant', 'g1'), { accountId: 'B' });
      await store.destroy('Grant', 'g1');
      assert.equal(await store.find('Grant', 'g1'), undefined);
    });

    it('keeps models apart', async () => {
      await store.upsert('AccessToken', 'same', { kind: 'AccessToken' }, 60);
      await store.upsert('RefreshToken', 'same', { kind: 'RefreshToken' }, 60);
      assert.equal((await store.find('AccessToken', 'same'))?.kind, 'AccessToken');
      assert.equal((await store.find('RefreshToken', 'same'))?.kind, 'RefreshToken');
    });

    it('finds by uid and by user code', async () => {
      await store.upsert('Session', 's1', { uid: 'u-1', accountId: 'A' }, 60);
      await store.upsert('DeviceCode', 'd1', { userCode: 'ABCD-EFGH' }, 60);
      assert.equal((await store.findByUid('Session', 'u-1'))?.accountId, 'A');
      assert.equal(await store.findByUid('Session', 'u-2'), undefined);
      assert.equal((await store.findByUserCode('DeviceCode', 'ABCD-EFGH'))?.userCode, 'ABCD-EFGH');
    });

    it('expires entries after their TTL', async () => {
      await store.upsert('AuthorizationCode', 'short', { grantId: 'gx' }, 1);
      assert.ok(await store.find('AuthorizationCode', 'short'));
      await sleep(2100);
      assert.equal(await store.find('AuthorizationCode', 'short'), undefined);
      assert.equal(await store.consume('AuthorizationCode', 'short'), false, 'an expired entry cannot be consumed');
    });

    it('consumes exactly once, even when many callers race', async () => {
      await store.upsert('AuthorizationCode', 'race', { grantId: 'g-race' }, 60);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consume('AuthorizationCode', 'race')));
      assert.equal(results.filter(Boolean).length, 1);
      const consumed = (await store.find('AuthorizationCode', 'race'))?.consumed;
      assert.equal(typeof consumed, 'number');
      assert.equal(await store.consume('AuthorizationCode', 'missing'), false);
    });

    it('revokes by grant id, only in the named model', async () => {
      await store.upsert('AccessToken', 'a1', { grantId: 'G' }, 60);
      await store.upsert('AccessToken', 'a2', { grantId: 'G' }, 60);
      await store.upsert('AccessToken', 'a3', { grantId: 'other' }, 60);
      await store.upsert('RefreshToken', 'r1', { grantId: 'G' }, 60);
      await store.revokeByGrantId('AccessToken', 'G');
      assert.equal(await store.find('AccessToken', 'a1'), undefined);
      assert.equal(await store.find('AccessToken', 'a2'), undefined);
      assert.ok(await store.find('AccessToken', 'a3'));
      assert.ok(await store.find('RefreshToken', 'r1'));
    });
  });
}
