// Fail fast on a Redis Cluster too (issue 9): the cluster this test starts itself is hung
// (SIGSTOP on every master) and killed; requests answer 503 within 2 s and service resumes by
// itself. A cluster client has a queue of its own with no deadline (commands waiting for the
// slot map), which is why the store turns it off and waits a bounded time for readiness.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startRedisCluster, type OwnRedisCluster } from '../support/redis-cluster.js';
import { realServices } from '../support/real-services.js';
import { createClient } from '../support/factories.js';
import { introspect } from '../support/tokens.js';
import { spawnSync } from 'node:child_process';

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work;
  return [result, Date.now() - started];
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('did not recover');
}

describe('Redis Cluster faults answer fast with 503 (issue 9)', function () {
  this.timeout(60_000);
  let cluster: OwnRedisCluster;
  let app: TestApp;
  before(async function () {
    if (!(await realServices()).databaseUrl) this.skip();
    cluster = await startRedisCluster();
    app = await startTestApp({ env: cluster.env });
  });
  after(async () => {
    if (!app) return;
    // The cluster dies with the test; only the schema and data directory need dropping.
    await app.container.db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [app.schema]);
    await app.stop({ keepData: true });
    await cluster.stop();
  });

  async function assertFastUnavailable() {
    const [ready, readyMs] = await timed(request(app.url).get('/readyz'));
    assert.equal(ready.status, 503);
    assert.equal(ready.body.ephemeral, false);
    assert.ok(readyMs < 2_000, `readyz took ${readyMs} ms`);
    const [me, meMs] = await timed(request(app.url).get('/me').set('authorization', 'Bearer ' + 'a'.repeat(43)));
    assert.equal(me.status, 503);
    assert.equal(me.headers['retry-after'], '5');
    assert.equal(me.body.error, 'temporarily_unavailable');
    assert.ok(meMs < 2_000, `userinfo took ${meMs} ms`);
    const [page, pageMs] = await timed(request(app.url).get('/account').set('cookie', `cid_account=${'b'.repeat(43)}`).set('accept', 'text/html'));
    assert.equal(page.status, 503);
    assert.ok(pageMs < 2_000, `page took ${pageMs} ms`);
  }

  it('every master hung (SIGSTOP): 503 within 2 s; service resumes by itself', async () => {
    assert.equal((await request(app.url).get('/readyz')).status, 200);
    cluster.signal('SIGSTOP');
    try {
      await assertFastUnavailable();
    } finally {
      cluster.signal('SIGCONT');
    }
    await waitFor(async () => (await request(app.url).get('/readyz')).status === 200);
  });

  it('every master killed: 503 within 2 s; service resumes when the cluster is back', async () => {
    await cluster.kill();
    await assertFastUnavailable();
    await cluster.restart();
    await waitFor(async () => (await request(app.url).get('/readyz')).status === 200);
    assert.equal((await request(app.url).get('/me').set('authorization', 'Bearer ' + 'a'.repeat(43))).status, 401, 'the store answers again: an unknown token is refused, not a fault');
  });
});

describe('a cluster node holding the ISP cache\'s subscription is lost (issue 9)', function () {
  this.timeout(60_000);
  let cluster: OwnRedisCluster;
  let a: TestApp;
  let b: TestApp;
  before(async function () {
    if (!(await realServices()).databaseUrl) this.skip();
    cluster = await startRedisCluster();
    a = await startTestApp({ env: cluster.env });
    b = await startTestApp({ shareWith: a, env: cluster.env });
  });
  after(async () => {
    if (!a) return;
    await a.container.db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [a.schema]);
    await b?.stop({ keepData: true });
    await a.stop({ keepData: true });
    await cluster.stop();
  });

  it('the cache empties at once, subscribes through another node, and a suspension made then is refused on the other instance', async () => {
    const client = await createClient(a.container, { name: 'Suspended during a node loss' }) as { client_id: string; client_secret: string; redirect_uri: string };
    await waitFor(async () => a.container.clientChanges.live() && b.container.clientChanges.live());
    assert.equal((await introspect(b.url, client, 'not-a-token')).status, 200, 'B serves the ISP and caches it');
    // Subscribers start on the first node given.
    const subscribers = spawnSync('redis-cli', ['-u', cluster.nodes[0]!, 'client', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((line) => / sub=1 /.test(line));
    assert.ok(subscribers.length >= 2, `both instances subscribe on the first node: ${subscribers.length}`);
    let dropped = false;
    b.container.clientChanges.onChange((clientId) => { if (clientId === undefined) dropped = true; });

    await cluster.kill(0);
    await waitFor(async () => dropped, 2_000);
    await waitFor(async () => b.container.clientChanges.live(), 5_000);
    await a.container.clientOnboarding.suspend(client.client_id, { reason: 'test: suspended while a node is down', by: { actor: 'operator' } });
    const refused = await introspect(b.url, client, 'not-a-token');
    assert.equal(refused.status, 401, 'B refuses the suspended ISP on the very next request');
    assert.equal(refused.body.error, 'invalid_client');
  });
});
