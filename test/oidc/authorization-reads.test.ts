// What an authorization with a live session reads from PostgreSQL (docs/performance.md): the
// citizen once, though findAccount, the connection record and the authentication log all need
// the row — and the connection and its claims.released audit entry are still both written
// before the browser is sent back to the ISP.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { authorizeUrl, signIn } from '../support/flow.js';
import type { TestClient } from '../support/tokens.js';

describe('store reads of an authorization with a live session', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Counted authorization ISP' });
  });
  after(async () => app.stop());

  it('reads the citizen once and records the connection and the release before the redirect', async () => {
    const citizen = await app.container.citizens.createTestCitizen();
    const { browser } = await signIn(app.url, client, citizen);
    let citizenReads = 0;
    const count = (query: { sql: string }) => {
      if (/from "citizens"/.test(query.sql)) citizenReads += 1;
    };
    app.container.db.knex.on('query', count);
    let result;
    try {
      result = await browser.navigate(authorizeUrl(app.url, client).url.href);
    } finally {
      app.container.db.knex.removeListener('query', count);
    }
    assert.ok('redirectedTo' in result && result.redirectedTo.searchParams.get('code'), 'a code straight away (live session, consent given)');
    assert.equal(citizenReads, 1);
    const connection = (await app.container.connections.list(citizen.citizen)).find((c) => c.clientId === client.client_id);
    assert.equal(connection?.signIns, 2, 'the second sign-in at this ISP is recorded');
    const released = (await app.container.audit.listForCitizen(citizen.citizen.id)).filter((e) => e.type === 'claims.released' && e.clientId === client.client_id);
    assert.equal(released.length, 2, 'each authorization audited');
  });
});
