// The application on a real three-master Redis Cluster (REDIS_CLUSTER_NODES), end to end: an ISP
// signs a citizen in and verifies the ID token, refreshes, and a replayed refresh token revokes
// the grant's tokens, wherever their slots put them; the keys spread over the masters, every one
// with a TTL. A command or script spanning slots would fail here with CROSSSLOT.
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { ownRedisCluster } from '../support/redis-cluster.js';
import { assertAccessTokenAlive, assertAccessTokenDead, assertRefreshTokenDead, refresh, signInForTokens, userinfo, type TokenSet } from '../support/tokens.js';

describe('on a Redis Cluster (three masters)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let redis: Cluster;
  before(async () => {
    app = await startTestApp({ env: (await ownRedisCluster()).env });
    redis = (app.container.ephemeral as unknown as { redis: Cluster }).redis;
    assert.ok(redis instanceof Cluster, 'REDIS_CLUSTER_NODES selects a cluster client');
  });
  after(async () => app?.stop());

  it('signs a citizen in for an ISP, refreshes, and a replayed refresh token revokes the grant', async () => {
    const client = await createClient(app.container, { scope: 'openid offline_access' });
    const citizen = await createCitizen(app.container);
    const { tokens } = await signInForTokens(app.url, client, citizen, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(`${app.url}/jwks`)), { issuer: app.url, audience: client.client_id });
    assert.ok(payload.sub);
    const me = await userinfo(app.url, tokens.access_token);
    assert.equal(me.status, 200);
    assert.equal(me.body.sub, payload.sub);

    const rotated = await refresh(app.url, client, tokens.refresh_token!);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const newest = rotated.body as unknown as TokenSet;
    await assertAccessTokenAlive(app.url, newest.access_token);

    const replay = await refresh(app.url, client, tokens.refresh_token!);
    assert.equal(replay.body.error, 'invalid_grant');
    await assertRefreshTokenDead(app.url, client, newest.refresh_token!, 'the newest refresh token');
    await assertAccessTokenDead(app.url, newest.access_token, 'the newest access token');
    await assertAccessTokenDead(app.url, tokens.access_token, 'the first access token');
  });

  it('spreads its keys over the masters, every key with a TTL', async () => {
    const citizen = await createCitizen(app.container);
    await signInToAccount(new Browser(app.url), citizen.cyberspace_id, citizen.password);
    await signInToAccount(new Browser(app.url), citizen.cyberspace_id, 'a wrong password');
    const perMaster = await Promise.all(redis.nodes('master').map((node) => node.keys(`${app.redisPrefix}*`)));
    assert.equal(perMaster.length, 3);
    assert.ok(perMaster.filter((keys) => keys.length > 0).length >= 2, `keys on more than one master: ${perMaster.map((k) => k.length)}`);
    const forever: string[] = [];
    for (const key of perMaster.flat()) if ((await redis.ttl(key)) < 0) forever.push(key.slice(app.redisPrefix.length));
    assert.deepEqual(forever, [], 'keys without a TTL');
  });
});
