// The pairwise sector is the host name without the port (OIDC Core §8.1 speaks of the host):
// an ISP moving from :8443 to :443 keeps every citizen's ID. Clients registered before this rule
// keep their IDs too: on default ports nothing changes (URL.host never had a default port), and
// one whose sector carried a port has it pinned by migration 20261202060100.
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { signIn, type Credentials } from '../support/flow.js';
import { redeem, type TestClient } from '../support/tokens.js';
import { pairwiseCyberspaceId } from '../../src/oidc/pairwise.js';
import * as pinPortedSectors from '../../migrations/20261202060100_pin_ported_sectors.js';

describe('pairwise sector: the host name, not the port', () => {
  let app: TestApp;
  let citizen: Credentials;
  before(async () => {
    app = await startTestApp();
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  const subAt = async (client: TestClient) => decodeJwt((await redeem(app.url, client, await signIn(app.url, client, citizen))).id_token).sub!;
  const expected = (sector: string) => pairwiseCyberspaceId(app.container.config.secrets.pairwiseSecret, sector, citizen.cyberspace_id);

  it('a client on :8443 that moves to :443 keeps every citizen\'s ID, and the ID is the host name\'s', async () => {
    const client = await createClient(app.container, { redirectUris: ['https://moving.isp.example:8443/callback'] });
    const before = await subAt(client);
    assert.equal(before, expected('moving.isp.example'));
    await app.container.clients.updateClient(client.client_id, { redirectUris: ['https://moving.isp.example/callback'] });
    assert.equal(await subAt({ ...client, redirect_uri: 'https://moving.isp.example/callback' }), before, 'moving ports is not a sector move');
  });

  it('a client on a default port gets the same ID the port-keeping rule gave it', async () => {
    const client = await createClient(app.container, { redirectUris: ['https://default.isp.example/callback'] });
    assert.equal(await subAt(client), expected(new URL('https://default.isp.example/callback').host));
  });

  it('a client registered on :8443 before the rule keeps its port-ful sector, pinned, through moves and updates', async () => {
    const client = await createClient(app.container, { redirectUris: ['https://old.isp.example:8443/callback'] });
    await pinPortedSectors.up(app.container.db.knex);
    const pinned = await subAt(client);
    assert.equal(pinned, expected('old.isp.example:8443'), 'the ID it had before the rule changed');
    await app.container.clients.updateClient(client.client_id, { redirectUris: ['https://old.isp.example/callback'], name: 'Moved ISP' });
    assert.equal(await subAt({ ...client, redirect_uri: 'https://old.isp.example/callback' }), pinned, 'the pin survives the update and the move');
    await pinPortedSectors.up(app.container.db.knex);
    assert.equal(await subAt({ ...client, redirect_uri: 'https://old.isp.example/callback' }), pinned, 'running the migration again changes nothing');
  });

  it('a host move is still refused', async () => {
    const client = await createClient(app.container, { redirectUris: ['https://stay.isp.example/callback'] });
    await assert.rejects(app.container.clients.updateClient(client.client_id, { redirectUris: ['https://elsewhere.isp.example/callback'] }), /pairwise sector/);
  });
});
