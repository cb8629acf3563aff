// Fail fast on store faults (issue 9), each fault injected for real: a Redis this test starts
// itself is hung (SIGSTOP) and killed; a lock on `citizens` is held from another connection.
// Never the shared services: only this test's own redis-server and its own schema are touched.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { rmSync } from 'node:fs';
import request from 'supertest';
import knexFactory from 'knex';
import { freePort, startTestApp, type TestApp } from '../support/test-app.js';
import { realServices } from '../support/real-services.js';
import { isStoreFault } from '../../src/storage/store-fault.js';

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (up) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await work;
  return [result, Date.now() - started];
}

describe('store faults answer fast with 503 (issue 9)', function () {
  this.timeout(30_000);

  describe('Redis hung or killed', () => {
    let redisPort: number;
    let redis: ChildProcess;
    let app: TestApp;
    before(async function () {
      if (!(await realServices()).databaseUrl) this.skip();
      redisPort = await freePort();
      redis = await startRedis(redisPort);
      app = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` } });
    });
    after(async () => {
      if (redis && redis.exitCode === null) { redis.kill('SIGCONT'); redis.kill('SIGKILL'); }
      if (!app) return;
      // This Redis dies with the test; only the schema and data directory need dropping.
      await app.container.db.knex.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [app.schema]);
      await app.stop({ keepData: true });
      rmSync(app.dataDir, { recursive: true, force: true });
    });

    it('SIGSTOP: /readyz says 503 within 2 s; userinfo answers 503 temporarily_unavailable; a page is a 503 in both languages', async () => {
      assert.equal((await request(app.url).get('/readyz')).status, 200);
      redis.kill('SIGSTOP');
      try {
        const [ready, readyMs] = await timed(request(app.url).get('/readyz'));
        assert.equal(ready.status, 503);
        assert.equal(ready.body.ephemeral, false);
        assert.equal(ready.body.database, true);
        assert.ok(readyMs < 2_000, `readyz took ${readyMs} ms`);

        const [me, meMs] = await timed(request(app.url).get('/me').set('authorization', 'Bearer ' + 'a'.repeat(43)));
        assert.equal(me.status, 503);
        assert.equal(me.headers['retry-after'], '5');
        assert.equal(me.body.error, 'temporarily_unavailable');
        assert.ok(meMs < 2_000, `userinfo took ${meMs} ms`);

        for (const [lang, text] of [['en', 'briefly unavailable'], ['zh-CN', '服务暂时不可用']] as const) {
          const [page, pageMs] = await timed(request(app.url).get('/account').set('cookie', `cid_account=${'b'.repeat(43)}`).set('accept', 'text/html').set('accept-language', lang));
          assert.equal(page.status, 503, `${lang}: ${page.status}`);
          assert.equal(page.headers['retry-after'], '5');
          assert.ok(page.text.includes(text), `${lang} page says the service is unavailable`);
          assert.ok(pageMs < 2_000, `page took ${pageMs} ms`);
        }
      } finally {
        redis.kill('SIGCONT');
      }
      // Service resumes by itself.
      await waitFor(async () => (await request(app.url).get('/readyz')).status === 200);
    });

    it('killed: requests answer 503 within 2 s, and service resumes when Redis is back', async () => {
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      const [ready, readyMs] = await timed(request(app.url).get('/readyz'));
      assert.equal(ready.status, 503);
      assert.ok(readyMs < 2_000, `readyz took ${readyMs} ms`);
      const [me, meMs] = await timed(request(app.url).get('/me').set('authorization', 'Bearer ' + 'a'.repeat(43)));
      assert.equal(me.status, 503);
      assert.ok(meMs < 2_000, `userinfo took ${meMs} ms`);
      redis = await startRedis(redisPort);
      await waitFor(async () => (await request(app.url).get('/readyz')).status === 200);
    });
  });

  describe('a lock held on citizens', () => {
    let app: TestApp;
    before(async function () {
      const services = await realServices();
      if (!services.databaseUrl) this.skip();
      app = await startTestApp();
    });
    after(async () => app?.stop());

    it('citizen reads give up within the lock timeout, the pool is not exhausted, /readyz stays fast', async () => {
      const citizen = await app.container.citizens.createTestCitizen();
      const holder = knexFactory({ client: 'pg', connection: (await realServices()).databaseUrl, searchPath: [app.schema, 'public'], pool: { min: 0, max: 1 } });
      const trx = await holder.transaction();
      try {
        await trx.raw('LOCK TABLE citizens IN ACCESS EXCLUSIVE MODE');
        // More waiting sign-ins than the pool has connections.
        const started = Date.now();
        const reads = await Promise.allSettled(Array.from({ length: 15 }, () => app.container.citizenQueries.findCitizenById(citizen.citizen.id)));
        const elapsed = Date.now() - started;
        assert.ok(reads.every((r) => r.status === 'rejected' && isStoreFault(r.reason)), 'every read behind the lock failed as a store fault (503)');
        assert.ok(elapsed < 5_000, `reads gave up after ${elapsed} ms`);
        const [ready, readyMs] = await timed(request(app.url).get('/readyz'));
        assert.equal(ready.status, 200);
        assert.ok(readyMs < 1_000, `readyz took ${readyMs} ms while the lock is held`);
      } finally {
        await trx.rollback().catch(() => {});
        await holder.destroy();
      }
      assert.ok(await app.container.citizenQueries.findCitizenById(citizen.citizen.id));
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('did not recover');
}
