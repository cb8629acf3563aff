// `cyberid prune` reclaims what reads already ignore: expired durable grants and tokens; and
// what is no longer owed: logout deliveries given up long ago.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { runCommand } from '../../src/cli/registry.js';

describe('cyberid prune', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('deletes expired grants and keeps live ones', async () => {
    const { durable } = app.container;
    await durable.upsert('Grant', 'short-lived', { accountId: 'A', clientId: 'c' }, 1);
    await durable.upsert('Grant', 'long-lived', { accountId: 'A', clientId: 'c' }, 3600);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await runCommand(app.container, ['prune', '--json']);
    assert.equal(result.exitCode ?? 0, 0, result.output);
    assert.ok(JSON.parse(result.output).expired_grants_and_tokens >= 1);
    const left = await app.container.db.knex('oidc_payloads').where({ model: 'Grant' }).pluck('id');
    assert.ok(!left.includes('short-lived'));
    assert.ok(left.includes('long-lived'));
  });

  it('deletes back-channel logout deliveries given up more than 30 days ago, keeps newer ones', async () => {
    const { knex } = app.container.db;
    const failedAt = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
    const ids = await knex('logout_outbox').insert([
      { client_id: 'isp_old', account_id: 'A', status: 'failed', attempts: 10, finished_at: failedAt(31) },
      { client_id: 'isp_recent', account_id: 'A', status: 'failed', attempts: 10, finished_at: failedAt(29) },
      { client_id: 'isp_pending', account_id: 'A', status: 'pending', attempts: 1 },
    ]).returning('client_id');
    assert.equal(ids.length, 3);
    const result = JSON.parse((await runCommand(app.container, ['prune', '--json'])).output) as { failed_logout_deliveries: number };
    assert.equal(result.failed_logout_deliveries, 1);
    assert.deepEqual((await knex('logout_outbox').orderBy('client_id').pluck('client_id')), ['isp_pending', 'isp_recent']);
  });
});
