// "Every key with a TTL": after real flows (sign-in, consent, code, tokens, refresh, the account
// pages, rate-limit counters), no key under the app's Redis prefix lives forever.
import assert from 'node:assert/strict';
import type { RedisConnection } from '../../src/storage/redis-connection.js';
import { redisKeysUnder } from '../support/stores.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { refresh, signInForTokens } from '../support/tokens.js';

describe('Redis keys', () => {
  let app: TestApp;
  before(async function () {
    app = await startTestApp();
    if (app.container.ephemeral.kind !== 'redis') this.skip();
  });
  after(async () => app?.stop());

  it('all carry a TTL after the flows that write them', async () => {
    const client = await createClient(app.container, { scope: 'openid offline_access' });
    const citizen = await app.container.citizens.createTestCitizen();
    const { tokens } = await signInForTokens(app.url, client, citizen, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    const refreshed = await refresh(app.url, client, tokens.refresh_token!);
    assert.equal(refreshed.status, 200);
    await signInToAccount(new Browser(app.url), citizen.cyberspace_id, citizen.password);
    await signInToAccount(new Browser(app.url), citizen.cyberspace_id, 'a wrong password');

    const redis = (app.container.ephemeral as unknown as { redis: RedisConnection }).redis;
    const keys = await redisKeysUnder(redis, app.redisPrefix);
    for (const kind of ['Session:', 'RefreshToken:', 'AccessToken:', 'AccountSession:', 'counter:{signin:', 'grant:']) {
      assert.ok(keys.some((key) => key.startsWith(`${app.redisPrefix}${kind}`)), `a ${kind} key was written (${keys.length} keys)`);
    }
    const forever: string[] = [];
    for (const key of keys) if ((await redis.ttl(key)) < 0) forever.push(key.slice(app.redisPrefix.length));
    assert.deepEqual(forever, [], 'keys without a TTL');
  });
});
