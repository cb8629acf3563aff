// A sector_identifier_uri document is checked when the ISP is registered or updated, not on
// every load: an ISP's web server being down must not break its citizens' logins.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { exchangeCode, signIn } from '../support/flow.js';

describe('sector identifier documents', () => {
  let app: TestApp;
  let sectorOnline = true;
  const requests: string[] = [];
  const sectorUri = 'https://sector.example/redirects.json';
  const redirectUris = ['https://a.shop.example/cb', 'https://b.shop.example/cb'];

  before(async () => {
    app = await startTestApp({
      fetch: async (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (url !== sectorUri) return globalThis.fetch(input, init);
        requests.push(url);
        return sectorOnline ? Response.json(redirectUris) : new Response('down', { status: 503 });
      },
    });
  });
  after(async () => app.stop());

  it('is fetched at registration, then not again when the provider reloads the client', async () => {
    const client = await createClient(app.container, { redirectUris, sectorIdentifierUri: sectorUri });
    assert.equal(requests.length, 1, 'validated once, at registration');
    sectorOnline = false;
    // A key rotation rebuilds oidc-provider, which loads the client afresh.
    await app.container.keys.rotateSigningKeys(0);
    assert.equal(await app.container.providerHolder.refresh(), true);
    const citizen = await createCitizen(app.container);
    const flow = await signIn(app.url, client, citizen);
    const tokens = await exchangeCode(app.url, client, flow.code!, flow.verifier);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal(requests.length, 1, 'the sector host being down did not matter');
  });

  it('is fetched again when the operator updates the client, and a failing document refuses the update', async () => {
    sectorOnline = true;
    const client = await createClient(app.container, { redirectUris, sectorIdentifierUri: sectorUri });
    const before = requests.length;
    await app.container.clients.updateClient(client.client_id, { name: 'Renamed shop' });
    assert.equal(requests.length, before + 1);
    sectorOnline = false;
    await assert.rejects(app.container.clients.updateClient(client.client_id, { name: 'Renamed again' }), /sector_identifier_uri/);
    assert.equal((await app.container.clients.findClient(client.client_id))?.name, 'Renamed shop', 'nothing changed');
  });
});
