// Account events the citizen (or their guardian) is told about by email, through the outbox
// (issue 8): a sign-in from a new device, and a ward's new service waiting for the guardian —
// once per request, not at every retry — naming the ISP in the language of each address.
// Delivered by a real SMTP server in the test process.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { signIn } from '../support/flow.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { startSmtpServer, type TestSmtpServer } from '../support/mail.js';
import { personAged, visitIsp } from '../support/identities.js';
import { adultWithIdentity, confirmGuardianOf } from '../support/guardians.js';
import type { TestClient } from '../support/tokens.js';

describe('notices of account events by email', () => {
  let app: TestApp;
  let smtp: TestSmtpServer;
  let isp: TestClient;

  before(async () => {
    smtp = await startSmtpServer();
    app = await startTestApp({ env: { SMTP_URL: smtp.url } });
    isp = await createClient(app.container, { name: 'Notice ISP', nameZh: '通知服务', redirectUris: ['https://notice.isp.example/callback'] });
  });
  after(async () => {
    await app.stop();
    await smtp.close();
  });

  /** Gives the citizen a confirmed email address, as the contacts page would. */
  async function withEmail(citizenId: string, address: string, locale = 'en') {
    const { contactQueries, sealing } = app.container.notifications;
    await contactQueries.upsertContact({
      citizen_id: citizenId, channel: 'email', address_sealed: sealing.seal(citizenId, 'email', address),
      address_index: sealing.blindIndex('email', address), locale, code_hash: null, code_expires_at: null, confirmed_at: new Date(),
    });
  }
  /** Delivers what is due and returns the mail that reached `address`. */
  async function mailTo(address: string, count = 1) {
    const before = smtp.delivered.length;
    await app.container.notifications.worker.runOnce();
    return (await smtp.waitFor(before + count)).slice(before).filter((m) => m.to === address);
  }
  const outboxKinds = async (citizenId: string, kind: string) =>
    (await app.container.db.knex('notification_outbox').where({ citizen_id: citizenId, kind })).length;

  it('tells the citizen of a sign-in at an ISP from a device not seen before, naming the ISP', async () => {
    const citizen = await app.container.citizens.createTestCitizen({ birthDate: '1985-01-01' });
    await withEmail(citizen.citizen.id, 'devices@example.cn');
    await signInToAccount(new Browser(app.url), citizen.cyberspace_id, citizen.password); // the first device: nothing to tell
    assert.equal(await outboxKinds(citizen.citizen.id, 'new_device'), 0);
    await signIn(app.url, isp, citizen, { browser: new Browser(app.url) });
    assert.equal(await outboxKinds(citizen.citizen.id, 'new_device'), 1);
    const [mail] = await mailTo('devices@example.cn');
    assert.match(mail!.subject, /New sign-in/);
    assert.match(mail!.text, /to Notice ISP from a device not seen before/);
  });

  it('names the ISP in Chinese to an address kept in Chinese (client_name#zh-CN)', async () => {
    const citizen = await app.container.citizens.createTestCitizen({ birthDate: '1986-02-03' });
    await withEmail(citizen.citizen.id, 'devices-zh@example.cn', 'zh-CN');
    await signInToAccount(new Browser(app.url), citizen.cyberspace_id, citizen.password);
    await signIn(app.url, isp, citizen, { browser: new Browser(app.url) });
    const [mail] = await mailTo('devices-zh@example.cn');
    assert.equal(mail!.language, 'zh-CN');
    assert.match(mail!.text, /登录了 通知服务。/);
    assert.doesNotMatch(mail!.text, /Notice ISP/, 'not the English name');
  });

  it('tells the guardian once that a ward’s new service waits for approval', async () => {
    const guardian = await adultWithIdentity(app.container);
    await withEmail(guardian.citizen.id, 'guardian@example.cn');
    const minor = personAged(15, '提醒少年');
    await confirmGuardianOf(app.container, guardian, minor);
    const password = 'a long memorable phrase';
    const ward = await app.container.applications.apply({ ...minor, password, guardianCyberspaceId: guardian.cyberspace_id });
    const wardRow = (await app.container.citizenQueries.findCitizenByCyberspaceId(ward.cyberspaceId))!;
    await app.container.guardianship.approveAccount(guardian.citizen, wardRow.id);

    // Applying naming the guardian already told them once (the account waits for them).
    assert.equal(await outboxKinds(guardian.citizen.id, 'guardian_request'), 1);
    const wardBrowser = new Browser(app.url);
    for (let visit = 0; visit < 2; visit++) {
      const result = await visitIsp(wardBrowser, isp, { cyberspace_id: ward.cyberspaceId, password });
      assert.equal(result.code, null, 'waiting for the guardian');
    }
    assert.equal(await outboxKinds(guardian.citizen.id, 'guardian_request'), 2, 'one more for the service, however often the ward tries');
    assert.equal(await outboxKinds(wardRow.id, 'guardian_request'), 0, 'the ward is not told to approve themselves');
    const mails = await mailTo('guardian@example.cn', 2);
    assert.equal(mails.length, 2);
    assert.ok(mails.every((mail) => /waiting for you as guardian/.test(mail.subject)));
    assert.ok(mails.some((mail) => /your ward asked to use Notice ISP/.test(mail.text)), 'the service is named');
    assert.ok(mails.every((mail) => !mail.text.includes(minor.name)), 'never the ward’s name');
  });

  it('a ward’s request for a service commits only with the guardian’s notice', async () => {
    const knex = app.container.db.knex;
    const guardian = await adultWithIdentity(app.container);
    const minor = personAged(15, '原子少年');
    await confirmGuardianOf(app.container, guardian, minor);
    const ward = await app.container.applications.apply({ ...minor, password: 'a long memorable phrase', guardianCyberspaceId: guardian.cyberspace_id });
    const wardRow = (await app.container.citizenQueries.findCitizenByCyberspaceId(ward.cyberspaceId))!;
    await app.container.guardianship.approveAccount(guardian.citizen, wardRow.id);
    const approvals = async () => (await knex('guardian_approvals').where({ ward_id: wardRow.id })).length;
    const asked = await outboxKinds(guardian.citizen.id, 'guardian_request');

    await knex.raw(`CREATE OR REPLACE FUNCTION test_fail_guardian_request() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.kind = 'guardian_request' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$`);
    await knex.raw('CREATE TRIGGER test_fail_guardian_request BEFORE INSERT ON notification_outbox FOR EACH ROW EXECUTE FUNCTION test_fail_guardian_request()');
    try {
      await assert.rejects(app.container.guardianship.checkConnection(wardRow, isp.client_id, 'openid'), /injected failure/);
    } finally {
      await knex.raw('DROP TRIGGER test_fail_guardian_request ON notification_outbox');
    }
    assert.equal(await approvals(), 0, 'no request the guardian is never told of');
    assert.equal(await outboxKinds(guardian.citizen.id, 'guardian_request'), asked);

    // Healed, the same request is asked again, and the guardian is told once.
    assert.equal(await app.container.guardianship.checkConnection(wardRow, isp.client_id, 'openid'), 'pending');
    assert.equal(await approvals(), 1);
    assert.equal(await outboxKinds(guardian.citizen.id, 'guardian_request'), asked + 1);
  });

  it('names the ward’s service in Chinese to a guardian whose address is kept in Chinese', async () => {
    const guardian = await adultWithIdentity(app.container);
    await withEmail(guardian.citizen.id, 'guardian-zh@example.cn', 'zh-CN');
    const minor = personAged(16, '提醒少女');
    await confirmGuardianOf(app.container, guardian, minor);
    const password = 'a long memorable phrase';
    const ward = await app.container.applications.apply({ ...minor, password, guardianCyberspaceId: guardian.cyberspace_id });
    const wardRow = (await app.container.citizenQueries.findCitizenByCyberspaceId(ward.cyberspaceId))!;
    await app.container.guardianship.approveAccount(guardian.citizen, wardRow.id);
    await visitIsp(new Browser(app.url), isp, { cyberspace_id: ward.cyberspaceId, password });
    const mails = await mailTo('guardian-zh@example.cn', 2);
    const named = mails.find((mail) => mail.text.includes('通知服务'));
    assert.ok(named, 'the service is named in Chinese');
    assert.match(named.text, /您的被监护人请求使用 通知服务/);
    assert.ok(mails.every((mail) => !mail.text.includes('Notice ISP') && !mail.text.includes(minor.name)));
  });
});
