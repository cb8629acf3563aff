// Applying is one transaction (issue 8): the citizen row, its identity data, the audit entry and
// the notices it causes commit together or not at all. The fault is real: a trigger in the test's
// own schema makes the audit insert fail after the citizen row was written.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage } from '../support/browser.js';
import { applyInBrowser, issuedId, seedSandbox } from '../support/citizen-pages.js';
import { adultIdentity } from '../account/account-support.js';
import { personAged } from '../support/identities.js';
import { adultWithIdentity, confirmGuardianOf } from '../support/guardians.js';
import { APPLICATION_COOKIE } from '../../src/web/application-cookie.js';

const PASSWORD = 'a long memorable phrase';

describe('applying is atomic', () => {
  let app: TestApp;
  before(async function () {
    app = await startTestApp();
    if (!app.container.config.databaseUrl) this.skip(); // the trigger needs PostgreSQL (CI runs with it)
  });
  after(async () => app?.stop());

  const failAuditOf = async (type: string) => {
    const knex = app.container.db.knex;
    await knex.raw(`CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.type = '${type}' THEN RAISE EXCEPTION 'injected audit failure'; END IF; RETURN NEW; END $$`);
    await knex.raw('CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_fail_audit()');
  };
  const healAudit = () => app.container.db.knex.raw('DROP TRIGGER IF EXISTS test_fail_audit ON audit_log');
  const citizens = () => app.container.citizenQueries.countCitizens();

  it('writes no account when its audit entry cannot be written, and the same person can then apply', async () => {
    const identity = adultIdentity('原子甲');
    await seedSandbox(app.container, identity);
    const before = await citizens();
    await failAuditOf('account.applied');
    try {
      const failed = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...identity, password: PASSWORD });
      assert.ok(isPage(failed));
      assert.equal(failed.status, 500);
      assert.equal(failed.document.querySelector('#new-cyberspace-id'), null, 'no ID is shown for what was not committed');
      assert.equal(await citizens(), before, 'no citizen row was left behind');
    } finally {
      await healAudit();
    }
    const done = await applyInBrowser(new Browser(app.url, { 'accept-language': 'en' }), { ...identity, password: PASSWORD });
    assert.equal(done.status, 201, 'not "already registered": nothing of the failed attempt remains');
    const row = await app.container.citizenQueries.findCitizenByCyberspaceId(issuedId(done));
    assert.ok(row);
    const entries = await app.container.audit.listForCitizen(row.id, { limit: 10 });
    assert.deepEqual(entries.map((e) => e.type), ['account.applied'], 'and its audit entry is there');
  });

  it('shows the same browser its new ID once more when the answer was lost after the commit', async () => {
    const identity = adultIdentity('原子丙');
    await seedSandbox(app.container, identity);
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const done = await applyInBrowser(browser, { ...identity, password: PASSWORD });
    assert.equal(done.status, 201);
    const shownId = issuedId(done);
    assert.equal(browser.cookies.get(APPLICATION_COOKIE), undefined, 'an answer that arrives clears the token');
    // The same answer lost on the way: the browser still holds the token the form gave it.
    const lost = new Browser(app.url, { 'accept-language': 'en' });
    const notice = await lost.navigate('/apply');
    assert.ok(isPage(notice));
    const form = await lost.submit(notice, 'form[action="/apply"]', { accept: 'yes' });
    assert.ok(isPage(form));
    const token = lost.cookies.get(APPLICATION_COOKIE);
    assert.match(token ?? '', /^[A-Za-z0-9_-]{43}$/, 'the details form gives the browser an application token');
    const other = adultIdentity('原子丁');
    await seedSandbox(app.container, other);
    await lost.submit(form, 'form[action="/apply/submit"]', {
      document_type: other.documentType, document_number: other.documentNumber, name: other.name, birth_date: other.birthDate, password: PASSWORD, guardian: '',
    });
    lost.cookies.set(APPLICATION_COOKIE, token!); // as if that answer (which clears it) never arrived
    const row = await app.container.db.knex('citizens').whereNotNull('application_token_hash').orderBy('created_at', 'desc').first();
    assert.ok(row && !JSON.stringify(row).includes(token!), 'only a keyed hash of the token is stored');

    const again = await lost.navigate('/apply');
    assert.ok(isPage(again));
    assert.match(again.document.querySelector('#shown-again')!.text, /did not reach this browser/);
    const againId = issuedId(again);
    assert.notEqual(againId, shownId);
    assert.equal((await app.container.citizenQueries.findCitizenByCyberspaceId(againId))!.document_blind_index,
      app.container.vault.blindIndex(other.documentType, other.documentNumber), 'the ID of this browser’s application');
    const third = await lost.navigate('/apply');
    assert.ok(isPage(third));
    assert.equal(third.document.querySelector('#new-cyberspace-id'), null, 'shown once more, not for ever');
    lost.cookies.set(APPLICATION_COOKIE, token!);
    const replayed = await lost.navigate('/apply');
    assert.ok(isPage(replayed) && replayed.document.querySelector('#new-cyberspace-id') === null, 'the token works once');
  });

  it('tells the guardian a 14–17-year-old named them, in the same transaction', async () => {
    const guardian = await adultWithIdentity(app.container);
    const outbox = () => app.container.db.knex('notification_outbox').where({ citizen_id: guardian.citizen.id, kind: 'guardian_request' });
    const minor = personAged(15, '原子乙');
    await confirmGuardianOf(app.container, guardian, minor);
    await failAuditOf('account.applied');
    try {
      await assert.rejects(app.container.applications.apply({ ...minor, password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id }), /injected audit failure/);
      assert.equal((await outbox()).length, 0, 'no notice for an account that does not exist');
    } finally {
      await healAudit();
    }
    const applied = await app.container.applications.apply({ ...minor, password: PASSWORD, guardianCyberspaceId: guardian.cyberspace_id });
    assert.equal(applied.status, 'pending_guardian');
    assert.equal((await outbox()).length, 1, 'the guardian is told an account waits for them');
  });
});
