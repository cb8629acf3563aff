// The Grant read through a copy in Redis (src/oidc/grant-copies.ts), on real PostgreSQL and
// Redis: a read is answered from the copy, and once a save or a revocation has returned no read
// sees the old grant — also when a read that began before it finishes after it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOidcPayloadQueries } from '../../src/queries/oidc-payloads.js';
import { createGrantCopies } from '../../src/oidc/grant-copies.js';
import type { ModelStore, Payload } from '../../src/storage/model-store.js';
import { realServices } from '../support/real-services.js';
import { postgresDatabase, redisStore, type TestDatabase, type TestEphemeralStore } from '../support/stores.js';

const MARK_SECONDS = 1;

describe('grant copies', () => {
  let db: TestDatabase;
  let redis: TestEphemeralStore;
  let durable: ModelStore;
  let reads: number;
  /** A durable read that answers what it read only when `release` is called. */
  let held: { release(): void; read: Promise<void> } | undefined;

  before(async () => {
    const { databaseUrl, redisUrl } = await realServices();
    if (!databaseUrl || !redisUrl) throw new Error('needs PostgreSQL and Redis');
    db = await postgresDatabase(databaseUrl);
    redis = redisStore(redisUrl);
    const queries = createOidcPayloadQueries(db.knex);
    durable = {
      ...queries,
      async find(model, id) {
        reads += 1;
        const payload = await queries.find(model, id);
        const hold = held;
        held = undefined;
        if (hold) { hold.release(); await hold.read; }
        return payload;
      },
    };
  });
  after(async () => {
    await redis.drop();
    await db.drop();
  });
  beforeEach(() => (reads = 0));

  const grant = (scope: string): Payload => ({ accountId: 'A', clientId: 'c', openid: { scope }, exp: Math.floor(Date.now() / 1000) + 3600 });
  /** Saved, and its mark gone, so reads store copies again. */
  async function saved(id: string, payload: Payload) {
    const grants = createGrantCopies(durable, redis, MARK_SECONDS);
    await grants.upsert('Grant', id, payload, 3600);
    await sleep(MARK_SECONDS * 1000 + 100);
    return grants;
  }
  /** Starts a read whose PostgreSQL answer is held until `then` has run. */
  async function readAround(grants: ModelStore, id: string, then: () => Promise<void>) {
    let release!: () => void;
    let done!: () => void;
    const read = new Promise<void>((resolve) => (done = resolve));
    const reached = new Promise<void>((resolve) => (release = resolve));
    held = { release, read };
    const result = grants.find('Grant', id);
    await reached;
    await then();
    done();
    return result;
  }

  it('answers the second read from the copy', async () => {
    const grants = await saved('g-copy', grant('openid'));
    assert.deepEqual((await grants.find('Grant', 'g-copy'))?.openid, { scope: 'openid' });
    assert.deepEqual((await grants.find('Grant', 'g-copy'))?.openid, { scope: 'openid' });
    assert.equal(reads, 1);
  });

  it('a save or a revocation replaces a copy in use at once', async () => {
    const grants = await saved('g-used', grant('openid identity'));
    await grants.find('Grant', 'g-used');
    await grants.upsert('Grant', 'g-used', grant('openid'), 3600);
    assert.deepEqual((await grants.find('Grant', 'g-used'))?.openid, { scope: 'openid' });
    await sleep(MARK_SECONDS * 1000 + 100);
    await grants.find('Grant', 'g-used');
    await grants.destroy('Grant', 'g-used');
    assert.equal(await grants.find('Grant', 'g-used'), undefined);
  });

  it('a save is read back at once, even past a read that began before it', async () => {
    const grants = await saved('g-save', grant('openid identity'));
    const old = await readAround(grants, 'g-save', () => grants.upsert('Grant', 'g-save', grant('openid'), 3600));
    assert.deepEqual(old?.openid, { scope: 'openid identity' }, 'the racing read answers what it read');
    assert.deepEqual((await grants.find('Grant', 'g-save'))?.openid, { scope: 'openid' });
    await sleep(MARK_SECONDS * 1000 + 100);
    assert.deepEqual((await grants.find('Grant', 'g-save'))?.openid, { scope: 'openid' }, 'also once the mark is gone');
  });

  it('a revoked grant is gone at once, and a read that began before does not bring it back', async () => {
    const grants = await saved('g-gone', grant('openid'));
    await grants.find('Grant', 'g-gone'); // a copy exists
    await redis.destroy('GrantCopy', 'g-gone'); // the next read misses and races the revocation
    await readAround(grants, 'g-gone', () => grants.destroy('Grant', 'g-gone'));
    assert.equal(await grants.find('Grant', 'g-gone'), undefined);
    await sleep(MARK_SECONDS * 1000 + 100);
    assert.equal(await grants.find('Grant', 'g-gone'), undefined, 'also once the mark is gone');
  });
});
