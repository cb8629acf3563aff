// Userinfo returns the same consented verification claims as the ID token (docs/claims.md):
// an ISP that reads claims from userinfo, as many libraries do by default, sees what the ID
// token carries. Plaintext identity stays on the ID token of the release it was consented for.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { signIn } from '../support/flow.js';
import { idTokenClaims, redeem, userinfo } from '../support/tokens.js';

const VERIFICATION_CLAIMS = ['age_over_14', 'age_over_16', 'age_over_18', 'real_name_verified', 'identity_assurance_level', 'verified_claims'];

describe('userinfo', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('returns the consented verification claims the ID token carries, and the same sub', async () => {
    const client = await createClient(app.container, { scope: 'openid age verified' });
    const created = await app.container.citizens.createTestCitizen({ birthDate: '1990-05-17' });
    const tokens = await redeem(app.url, client, await signIn(app.url, client, created, { params: { scope: 'openid age verified' } }));
    const idToken = idTokenClaims(tokens);
    const info = (await userinfo(app.url, tokens.access_token)).body;
    assert.equal(info.sub, idToken.sub);
    for (const claim of ['age_over_18', 'real_name_verified', 'identity_assurance_level']) assert.ok(claim in idToken, `the ID token carries ${claim}`);
    for (const claim of VERIFICATION_CLAIMS) assert.deepEqual(info[claim], idToken[claim], `userinfo carries ${claim} as the ID token does`);
  });
});

describe('what is recorded as released', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  async function released(birthDate?: string) {
    const client = await createClient(app.container, { scope: 'openid age' });
    const created = await app.container.citizens.createTestCitizen(birthDate ? { birthDate } : {});
    const tokens = await redeem(app.url, client, await signIn(app.url, client, created, { params: { scope: 'openid age' } }));
    const audited = (await app.container.audit.listForCitizen(created.citizen.id)).find((entry) => entry.type === 'claims.released' && entry.clientId === client.client_id);
    const [connection] = await app.container.connections.list(created.citizen);
    return { idToken: idTokenClaims(tokens), audited: (audited?.details as { claims?: string[] } | undefined)?.claims, dashboard: connection?.claims };
  }

  it('scope age without a birth date issues no age claim and records none (audit log, and the connection row the dashboard and export read)', async () => {
    const { idToken, audited, dashboard } = await released();
    assert.equal(idToken.age_over_18, undefined, 'nothing to compute it from');
    assert.ok(audited, 'the release is audited');
    for (const recorded of [audited, dashboard]) assert.ok(!recorded!.some((claim) => claim.startsWith('age_over_')), `recorded ${recorded!.join(', ')}`);
  });

  it('with a birth date, the age claims issued are the ones recorded', async () => {
    const { idToken, audited, dashboard } = await released('1990-05-17');
    assert.equal(idToken.age_over_18, true);
    for (const recorded of [audited, dashboard]) assert.ok(['age_over_14', 'age_over_16', 'age_over_18'].every((claim) => recorded!.includes(claim)));
  });
});
