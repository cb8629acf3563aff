// Account events the citizen (or their guardian) is told about by email, through the outbox
// (issue 8): a sign-in from a new device, and a ward's new service waiting for the guardian —
// once per request, not at every retry. Delivered by a real SMTP server in the test process.
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
    isp = await createClient(app.container, { name: 'Notice ISP', redirectUris: ['https://notice.isp.example/callback'] });
  });
  after(async () => {
    await app.stop();
    await smtp.close();
  });

  /** Gives the citizen a confirmed email address, as the contacts page would. */
  async function withEmail(citizenId: string, address: string) {
    const { contactQueries, sealing } = app.container.notifications;
    await contactQueries.upsertContact({
      citizen_id: citizenId, channel: 'email', address_sealed: sealing.seal(citizenId, 'email', address),
      address_index: sealing.blindIndex('email', address), locale: 'en', code_hash: null, code_expires_at: null, confirmed_at: new Date(),
    });
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
    const before = smtp.delivered.length;
    await app.container.notifications.worker.runOnce();
    const mail = (await smtp.waitFor(before + 1)).slice(before).find((m) => m.to === 'devices@example.cn')!;
    assert.match(mail.subject, /New sign-in/);
    assert.match(mail.text, /to Notice ISP from a device not seen before/);
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
    const before = smtp.delivered.length;
    await app.container.notifications.worker.runOnce();
    const mail = (await smtp.waitFor(before + 2)).slice(before).find((m) => m.to === 'guardian@example.cn')!;
    assert.match(mail.subject, /waiting for you as guardian/);
    assert.doesNotMatch(mail.text, new RegExp(minor.name), 'never the ward’s name');
  });
});
