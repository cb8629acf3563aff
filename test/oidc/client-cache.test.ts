// The per-instance ISP cache (src/services/client-cache.ts): it saves the clients read on
// repeated requests, and a decision taken on one instance holds on every instance at once —
// a suspended ISP is refused by the next request anywhere, a reactivated one served again.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { introspect, redeem, refresh } from '../support/tokens.js';
import { signIn } from '../support/flow.js';
import { ownRedisCluster } from '../support/redis-cluster.js';

const by = { actor: 'operator' as const };

// One Redis server, and a Redis Cluster (pub/sub through whichever node the client picked).
const redisSetups: Array<[string, () => Promise<Record<string, string>>]> = [
  ['Redis', async () => ({})],
  ['Redis Cluster', async () => (await ownRedisCluster()).env],
];

for (const [setup, redisEnv] of redisSetups) describe(`ISP cache across instances (${setup})`, function () {
  this.timeout(60_000);
  let a: TestApp;
  let b: TestApp;

  before(async () => {
    const env = await redisEnv();
    a = await startTestApp({ env });
    b = await startTestApp({ shareWith: a, env });
    // Nothing is cached until an instance's subscription is live (a cluster's takes a moment).
    for (let i = 0; i < 100 && ![a, b].every((app) => app.container.clientChanges.live()); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  after(async () => {
    await b?.stop({ keepData: true });
    await a?.stop();
  });

  function clientReadsOn(app: TestApp) {
    let reads = 0;
    app.container.db.knex.on('query', (q: { sql: string }) => { if (/from "clients"/.test(q.sql)) reads += 1; });
    return () => reads;
  }

  it('reads an ISP from PostgreSQL once, not on every request', async () => {
    const client = await createClient(a.container, { name: 'Cached ISP' }) as { client_id: string; client_secret: string; redirect_uri: string };
    const reads = clientReadsOn(b);
    for (let i = 0; i < 3; i += 1) assert.equal((await introspect(b.url, client, 'not-a-token')).status, 200);
    assert.equal(reads(), 1, 'the first introspection reads the ISP, the next two use the cache');
  });

  it('refuses a suspended ISP on the other instance at once, and serves it again once reactivated', async () => {
    const client = await createClient(a.container, { name: 'Suspended elsewhere', scope: 'openid offline_access' }) as { client_id: string; client_secret: string; redirect_uri: string };
    const citizen = await createCitizen(a.container);
    const tokens = await redeem(a.url, client, await signIn(a.url, client, citizen, { params: { scope: 'openid offline_access', prompt: 'consent' } }));
    // B has the ISP cached, active.
    assert.equal((await introspect(b.url, client, tokens.access_token)).status, 200);
    assert.equal((await introspect(b.url, client, tokens.access_token)).body.active, true);

    await a.container.clientOnboarding.suspend(client.client_id, { reason: 'test: suspended on A', by });

    const refused = await introspect(b.url, client, tokens.access_token);
    assert.equal(refused.status, 401, 'B refuses the suspended ISP on the very next request');
    assert.equal(refused.body.error, 'invalid_client');
    const refreshed = await refresh(b.url, client, tokens.refresh_token!);
    assert.equal(refreshed.body.error, 'invalid_client');

    await a.container.clientOnboarding.reactivate(client.client_id, { reason: 'test: back in service', by });
    assert.equal((await introspect(b.url, client, 'not-a-token')).status, 200, 'B serves the reactivated ISP at once');
  });

  it('follows redirect URIs changed on the other instance at once', async () => {
    const client = await createClient(a.container, { name: 'Moved elsewhere' }) as { client_id: string; client_secret: string; redirect_uri: string };
    const citizen = await createCitizen(a.container);
    assert.ok((await signIn(b.url, client, citizen)).code, 'B serves the ISP (and caches it)');
    await a.container.clients.updateClient(client.client_id, { redirectUris: ['https://isp.example/moved'] });
    const moved = await signIn(b.url, { ...client, redirect_uri: 'https://isp.example/moved' }, citizen);
    assert.equal(moved.callback.origin + moved.callback.pathname, 'https://isp.example/moved');
    assert.ok(moved.code, 'B accepts the new redirect URI on the next request');
  });
});
