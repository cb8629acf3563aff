// What a password sign-in costs at PostgreSQL (docs/performance.md): the citizen is read once for
// the form post, however many steps need the row (the per-account limit before the hash, the
// hash itself), and a citizen with no second factor is signed in without the recovery-code
// lookups that only a second step would show.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { expectPage, openLogin, submitLogin, type TestClient } from '../web/web-support.js';

describe('store reads of a password sign-in', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Counted sign-in ISP' });
  });
  after(async () => app.stop());

  it('reads the citizen once and no stand-in factor for a citizen without a second factor', async () => {
    const citizen = await createCitizen(app.container);
    const opened = await openLogin(app.url, client);
    // Counted from the form post until its answer (the redirect to the resume), not after.
    const tables: string[] = [];
    let counting = true;
    const count = (query: { sql: string }) => {
      const table = /\bfrom "?([a-z_]+)"?/i.exec(query.sql)?.[1];
      if (counting && table) tables.push(table);
    };
    const send = opened.browser.request.bind(opened.browser);
    opened.browser.request = async (url, init) => {
      const response = await send(url, init);
      counting = false;
      return response;
    };
    app.container.db.knex.on('query', count);
    try {
      const consent = expectPage(await submitLogin(opened, citizen.cyberspace_id, citizen.password), 'the consent page');
      assert.match(consent.url, /\/interaction\//);
    } finally {
      app.container.db.knex.removeListener('query', count);
    }
    assert.equal(tables.filter((t) => t === 'citizens').length, 1, `citizen reads in: ${tables.join(', ')}`);
    assert.deepEqual(tables.filter((t) => t === 'passkeys' || t === 'recovery_codes'), [], 'no stand-in lookups');
  });
});
