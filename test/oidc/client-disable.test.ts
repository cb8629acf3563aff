// The operator disabling an ISP (`cyberid client disable`) revokes every token it holds: enabling
// it again does not bring back tokens that may have been stolen in the meantime.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { assertAccessTokenDead, assertRefreshTokenDead, signInForTokens } from '../support/tokens.js';
import { runCommand } from '../../src/cli/registry.js';

describe('disabling an ISP', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('revokes every grant and token it holds, for good', async () => {
    const client = await createClient(app.container, { name: 'Compromised ISP', scope: 'openid offline_access' });
    const bystander = await createClient(app.container, { name: 'Bystander ISP', redirectUris: ['https://bystander.example/cb'], scope: 'openid offline_access' });
    const citizens = await Promise.all([1, 2].map(() => app.container.citizens.createTestCitizen()));
    const held = await Promise.all(citizens.map((citizen) => signInForTokens(app.url, client, citizen, { params: { scope: 'openid offline_access', prompt: 'consent' } })));
    const other = await signInForTokens(app.url, bystander, citizens[0]!, { params: { scope: 'openid offline_access', prompt: 'consent' } });

    const disabled = await runCommand(app.container, ['client', 'disable', client.client_id]);
    assert.equal(disabled.exitCode ?? 0, 0, disabled.output);
    assert.match(disabled.output, /2 grant\(s\) and their tokens revoked/);
    const enabled = await runCommand(app.container, ['client', 'enable', client.client_id]);
    assert.equal(enabled.exitCode ?? 0, 0, enabled.output);

    for (const { tokens } of held) {
      await assertAccessTokenDead(app.url, tokens.access_token, 'an access token from before the disable');
      await assertRefreshTokenDead(app.url, client, tokens.refresh_token!, 'a refresh token from before the disable');
    }
    const response = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${other.tokens.access_token}` } });
    assert.equal(response.status, 200, 'another ISP is not affected');
  });
});
