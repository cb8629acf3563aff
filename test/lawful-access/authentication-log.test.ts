// The authentication log lawful assistance may provide (issue 11): each sign-in, code issued,
// code exchanged and token refreshed, succeeded or failed, with time, ISP, outcome, acr, and the
// requester's network address and User-Agent — those encrypted per citizen, the address the one
// the trusted proxy appended (never what the client wrote first), kept AUTH_LOG_RETENTION_DAYS
// and then pruned, and append-only before that.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { signIn, basicAuth } from '../support/flow.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { runCommand } from '../../src/cli/registry.js';
import { ACR_PASSWORD } from '../../src/sign-in/acr.js';

const BROWSER_ADDRESS = '203.0.113.77';
const SPOOFED_ADDRESS = '198.51.100.66';
const BROWSER_AGENT = 'Mozilla/5.0 (AuthLogTest; Linux) Gecko/20100101 Firefox/140.0';
const ISP_ADDRESS = '192.0.2.10';
const ISP_AGENT = 'ExampleShop-Backend/2.3 (auth-log test)';
const DAY_MS = 86_400_000;

describe('the authentication log', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => (app = await startTestApp({ env: { TRUST_PROXY: 'true' } })));
  after(async () => app.stop());

  const knex = () => app.container.db.knex;
  // The client wrote a spoofed address first; the proxy appended the one it saw.
  const browserHeaders = { 'x-forwarded-for': `${SPOOFED_ADDRESS}, ${BROWSER_ADDRESS}`, 'user-agent': BROWSER_AGENT };
  const ispHeaders = { 'x-forwarded-for': ISP_ADDRESS, 'user-agent': ISP_AGENT };

  /** The token endpoint, called as the ISP's server behind the proxy. */
  async function tokenCall(client: { client_id: string; client_secret?: string }, params: Record<string, string>) {
    const response = await fetch(`${app.url}/token`, {
      method: 'POST',
      headers: { ...ispHeaders, 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client.client_id, client.client_secret!) },
      body: new URLSearchParams(params),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  it('records sign-ins, codes, exchanges and refreshes with the address the proxy saw and the User-Agent', async () => {
    const client = await createClient(app.container, { name: 'Logged ISP', scope: 'openid offline_access' });
    const citizen = await app.container.citizens.createTestCitizen();
    const browser = new Browser(app.url, browserHeaders);

    // A wrong password first, then the sign-in, the code, a failed and a good exchange, a refresh.
    await signInToAccount(new Browser(app.url, browserHeaders), citizen.cyberspace_id, 'not the password at all');
    const flow = await signIn(app.url, client, citizen, { browser, params: { scope: 'openid offline_access', prompt: 'consent' } });
    const wrongVerifier = await tokenCall(client, { grant_type: 'authorization_code', code: flow.code!, redirect_uri: client.redirect_uri, code_verifier: 'x'.repeat(43) });
    assert.equal(wrongVerifier.status, 400);
    const tokens = await tokenCall(client, { grant_type: 'authorization_code', code: flow.code!, redirect_uri: client.redirect_uri, code_verifier: flow.verifier });
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    assert.equal((await tokenCall(client, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token! })).status, 200);

    const log = (await app.container.authenticationLog.reveal(citizen.citizen.id)).reverse();
    const summary = log.map((e) => [e.event, e.outcome, e.client_id, e.reason_code, e.address, e.user_agent]);
    assert.deepEqual(summary, [
      ['sign_in', 'failed', null, 'invalid_credentials', BROWSER_ADDRESS, BROWSER_AGENT],
      ['sign_in', 'succeeded', client.client_id, null, BROWSER_ADDRESS, BROWSER_AGENT],
      ['authorization', 'succeeded', client.client_id, null, BROWSER_ADDRESS, BROWSER_AGENT],
      ['code_exchange', 'failed', client.client_id, 'invalid_grant', ISP_ADDRESS, ISP_AGENT],
      ['code_exchange', 'succeeded', client.client_id, null, ISP_ADDRESS, ISP_AGENT],
      ['refresh', 'succeeded', client.client_id, null, ISP_ADDRESS, ISP_AGENT],
    ]);
    assert.deepEqual(log.filter((e) => e.outcome === 'succeeded').map((e) => e.acr), [ACR_PASSWORD, ACR_PASSWORD, ACR_PASSWORD, ACR_PASSWORD], 'the acr of the sign-in, carried by its code and tokens');
    assert.ok(log.every((e) => !Number.isNaN(Date.parse(e.occurred_at))));

    // Stored: ids, codes and ciphertext; neither the address nor the User-Agent in clear.
    const rows = JSON.stringify(await knex()('authentication_log').where({ citizen_id: citizen.citizen.id }));
    for (const secret of [BROWSER_ADDRESS, SPOOFED_ADDRESS, ISP_ADDRESS, BROWSER_AGENT, ISP_AGENT, 'AuthLogTest', 'ExampleShop']) assert.ok(!rows.includes(secret), secret);
    assert.ok(!log.some((e) => e.address === SPOOFED_ADDRESS), 'the address the client wrote itself is never taken');
  });

  it('records an authorization refused to a citizen with a session (consent denied)', async () => {
    const client = await createClient(app.container, { name: 'Denied ISP', redirectUris: ['https://denied.isp.example/cb'] });
    const citizen = await app.container.citizens.createTestCitizen();
    const flow = await signIn(app.url, client, citizen, { browser: new Browser(app.url, browserHeaders), consent: 'deny' });
    assert.equal(flow.callback.searchParams.get('error'), 'access_denied');
    const log = await app.container.authenticationLog.reveal(citizen.citizen.id);
    assert.ok(log.some((e) => e.event === 'authorization' && e.outcome === 'failed' && e.reason_code === 'access_denied' && e.client_id === client.client_id && e.address === BROWSER_ADDRESS), JSON.stringify(log));
  });

  describe('retention', () => {
    const insertEntry = (citizenId: string, ageDays: number) =>
      knex()('authentication_log').insert({ id: randomUUID(), citizen_id: citizenId, occurred_at: new Date(Date.now() - ageDays * DAY_MS), event: 'sign_in', outcome: 'succeeded' });

    it('is 183 days unless configured longer, and prune deletes older entries and keeps the rest', async () => {
      assert.equal(app.container.config.authenticationLog.retentionDays, 183);
      const [recent, old] = [randomUUID(), randomUUID()];
      await knex()('authentication_log_keys').insert([
        { citizen_id: recent, data_key: 'v1:x:recent', created_at: new Date(Date.now() - 400 * DAY_MS) },
        { citizen_id: old, data_key: 'v1:x:old', created_at: new Date(Date.now() - 400 * DAY_MS) },
      ]);
      for (const age of [1, 100, 182]) await insertEntry(recent, age);
      await insertEntry(recent, 190);
      for (const age of [184, 300]) await insertEntry(old, age);

      const pruned = await runCommand(app.container, ['prune', '--json']);
      assert.equal(pruned.exitCode ?? 0, 0, pruned.output);
      const result = JSON.parse(pruned.output) as { authentication_log_entries: number; authentication_log_keys: number };
      assert.equal(result.authentication_log_entries, 3);
      const ages = async (citizenId: string) => (await knex()('authentication_log').where({ citizen_id: citizenId }).pluck('occurred_at')).map((at: Date) => Math.round((Date.now() - at.getTime()) / DAY_MS)).sort((a, b) => a - b);
      assert.deepEqual(await ages(recent), [1, 100, 182]);
      assert.deepEqual(await ages(old), []);
      const keys = await knex()('authentication_log_keys').whereIn('citizen_id', [recent, old]).pluck('citizen_id');
      assert.deepEqual(keys, [recent], 'a key no entry needs any more goes too (crypto-shredding what is left)');
    });

    it('the database refuses changes, and deletes within the legal minimum, whatever the caller', async () => {
      const citizenId = randomUUID();
      await insertEntry(citizenId, 10);
      await assert.rejects(knex()('authentication_log').where({ citizen_id: citizenId }).update({ outcome: 'failed' }), /append-only/);
      await assert.rejects(knex()('authentication_log').where({ citizen_id: citizenId }).delete(), /append-only/);
      await assert.rejects(knex().raw('TRUNCATE authentication_log'), /append-only/);
      assert.equal((await knex()('authentication_log').where({ citizen_id: citizenId })).length, 1);
    });
  });

  it('writes a known citizen\'s entry in one statement, and never under a key the database no longer holds', async () => {
    const citizen = await app.container.citizens.createTestCitizen();
    const log = app.container.authenticationLog;
    // The first two carry no address: nothing sealed under the key the test then removes.
    const entry = (address?: string) => ({ citizenId: citizen.citizen.id, event: 'refresh' as const, outcome: 'succeeded' as const, address });
    await log.record(entry());
    let statements = 0;
    const count = () => (statements += 1);
    knex().on('query', count);
    try {
      await log.record(entry());
    } finally {
      knex().removeListener('query', count);
    }
    assert.equal(statements, 1, 'the key this instance opened for the first entry is used again');
    // The key goes (as a prune takes a key no entry needs): the next entry gets a new key, not the
    // one this instance still remembers, so lawful access can still read it.
    await knex()('authentication_log_keys').where({ citizen_id: citizen.citizen.id }).delete();
    await log.record(entry('192.0.2.3'));
    const [newest] = await log.reveal(citizen.citizen.id);
    assert.equal(newest!.address, '192.0.2.3');
  });

  it('entries recorded at once share INSERTs, and every one is there when record() returns', async () => {
    const citizens = await Promise.all([1, 2, 3, 4, 5].map(() => app.container.citizens.createTestCitizen()));
    const log = app.container.authenticationLog;
    const record = (citizenId: string, n: number) => log.record({ citizenId, event: 'refresh', outcome: 'succeeded', address: `192.0.2.${n}` });
    for (const c of citizens) await record(c.citizen.id, 1); // their keys are known now
    let inserts = 0;
    const count = (query: { sql: string }) => { if (/^insert into authentication_log /.test(query.sql)) inserts += 1; };
    knex().on('query', count);
    try {
      await Promise.all(citizens.flatMap((c) => [10, 11, 12, 13].map((n) => record(c.citizen.id, n))));
    } finally {
      knex().removeListener('query', count);
    }
    assert.ok(inserts < 20, `${inserts} INSERTs for 20 entries`);
    for (const c of citizens) {
      const addresses = (await log.reveal(c.citizen.id)).map((e) => e.address).sort();
      assert.deepEqual(addresses, ['192.0.2.1', '192.0.2.10', '192.0.2.11', '192.0.2.12', '192.0.2.13']);
    }
  });

  it('an entry the database refuses does not take the others in its INSERT with it', async () => {
    const citizen = await app.container.citizens.createTestCitizen();
    const log = app.container.authenticationLog;
    const entry = (address: string, acr?: string) => ({ citizenId: citizen.citizen.id, event: 'refresh' as const, outcome: 'succeeded' as const, address, acr });
    await log.record(entry('192.0.2.1'));
    const results = await Promise.allSettled([log.record(entry('192.0.2.2')), log.record(entry('192.0.2.3', 'x'.repeat(100))), log.record(entry('192.0.2.4'))]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual((await log.reveal(citizen.citizen.id)).map((e) => e.address).sort(), ['192.0.2.1', '192.0.2.2', '192.0.2.4']);
  });

  it('a User-Agent longer than the log keeps is cut, not refused', async () => {
    const citizen = await app.container.citizens.createTestCitizen();
    await app.container.authenticationLog.record({ citizenId: citizen.citizen.id, event: 'sign_in', outcome: 'failed', reasonCode: 'invalid_credentials', address: BROWSER_ADDRESS, userAgent: 'A'.repeat(5000) });
    const [entry] = await app.container.authenticationLog.reveal(citizen.citizen.id);
    assert.equal(entry!.user_agent, 'A'.repeat(512));
  });
});
