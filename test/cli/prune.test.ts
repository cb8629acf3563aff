// `cyberid prune` reclaims what reads already ignore: expired durable grants and tokens.
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
});
