// An ISP's token revocation (RFC 7009) lands in the citizen's authentication log.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { revoke, signInForTokens } from '../support/tokens.js';

describe('token revocation in the audit log', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('records the ISP, the token kind and the citizen, and nothing for an unknown token', async () => {
    const client = await createClient(app.container, { name: 'Revoking ISP' });
    const citizen = await app.container.citizens.createTestCitizen();
    const { tokens } = await signInForTokens(app.url, client, citizen);
    const revocations = async () => (await app.container.audit.listForCitizen(citizen.citizen.id)).filter((e) => e.type === 'token.revoked');

    assert.equal((await revoke(app.url, client, 'not-a-token')).status, 200, 'RFC 7009 §2.2: unknown tokens also get 200');
    assert.equal((await revocations()).length, 0);

    assert.equal((await revoke(app.url, client, tokens.access_token)).status, 200);
    const [entry] = await revocations();
    assert.equal(entry?.clientId, client.client_id);
    assert.equal(entry?.actor, 'isp');
    assert.deepEqual(entry?.details, { token_type: 'access_token' });
  });
});
