// What the token-using endpoints read from PostgreSQL per request (docs/performance.md): the
// citizen and the grant once each, however many steps need them — and nothing remembered past
// the request, so a suspension is refused on the very next call.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { introspect, refresh, signInForTokens, userinfo, type TestClient, type TokenSet } from '../support/tokens.js';

const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };

describe('store reads per request on the token-using endpoints', () => {
  let app: TestApp;
  let client: TestClient;
  let reads = { citizens: 0, grants: 0 };
  const count = (query: { sql: string; bindings?: unknown[] }) => {
    if (/from "citizens"/.test(query.sql)) reads.citizens += 1;
    if (/from "oidc_payloads"/.test(query.sql) && query.bindings?.includes('Grant')) reads.grants += 1;
  };

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Counted ISP' });
    app.container.db.knex.on('query', count);
  });
  after(async () => {
    app.container.db.knex.removeListener('query', count);
    await app.stop();
  });

  async function offline() {
    const citizen = await app.container.citizens.createTestCitizen();
    const { tokens } = await signInForTokens(app.url, client, citizen, { params: OFFLINE });
    return { citizen, tokens: tokens as TokenSet };
  }
  const measured = async <T>(call: () => Promise<T>) => {
    reads = { citizens: 0, grants: 0 };
    const result = await call();
    return { result, reads: { ...reads } };
  };

  it('a refresh reads the citizen once (account check and authentication log) and the grant at most once', async () => {
    const { citizen, tokens } = await offline();
    const logged = async () => (await app.container.authenticationLog.reveal(citizen.citizen.id)).filter((e) => e.event === 'refresh').length;
    const { result, reads: seen } = await measured(() => refresh(app.url, client, tokens.refresh_token!));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal(seen.citizens, 1);
    // From PostgreSQL while the grant is freshly saved, else from its copy (grant-copies.ts).
    assert.ok(seen.grants <= 1, `${seen.grants} grant reads`);
    assert.equal(await logged(), 1, 'and the refresh is in the authentication log');
  });

  it('userinfo and introspection read the citizen once', async () => {
    const { tokens } = await offline();
    const info = await measured(() => userinfo(app.url, tokens.access_token));
    assert.equal(info.result.status, 200);
    assert.equal(info.reads.citizens, 1);
    const introspection = await measured(() => introspect(app.url, client, tokens.access_token));
    assert.equal(introspection.result.body.active, true);
    assert.equal(introspection.reads.citizens, 1);
  });

  it('remembers nothing past the request: a suspension is refused on the next refresh, userinfo and introspection', async () => {
    const { citizen, tokens } = await offline();
    const first = await refresh(app.url, client, tokens.refresh_token!);
    assert.equal(first.status, 200);
    const rotated = first.body as unknown as TokenSet;
    await app.container.lifecycle.suspendByOperator(citizen.cyberspace_id, 'test: suspended between requests');
    const second = await refresh(app.url, client, rotated.refresh_token!);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'invalid_grant');
    assert.equal((await userinfo(app.url, rotated.access_token)).status, 401);
    assert.equal((await introspect(app.url, client, rotated.access_token)).body.active, false);
    const refused = (await app.container.authenticationLog.reveal(citizen.citizen.id)).filter((e) => e.event === 'refresh');
    assert.deepEqual(refused.map((e) => e.outcome).sort(), ['failed', 'succeeded'], 'the refused refresh is logged against the citizen');
  });
});
