// The notification port's real adapters against real peers started here: email over SMTP
// (smtp-server in this process) and SMS through an HTTP gateway stub. Messages arrive in the
// language the citizen chose for each address, carry no identity data, and a failed channel is
// retried after its back-off without re-sending the channel that already succeeded.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startSmtpServer, startSmsGateway, type TestSmtpServer, type TestSmsGateway } from '../support/mail.js';
import type { ChannelName } from '../../src/notifications/port.js';
import { randomUUID } from 'node:crypto';
import { createRecoveryRequestQueries } from '../../src/queries/recovery-requests.js';

describe('notification channels (SMTP and SMS gateway)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let smtp: TestSmtpServer;
  let sms: TestSmsGateway;

  before(async () => {
    smtp = await startSmtpServer();
    sms = await startSmsGateway();
    app = await startTestApp({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url, NOTIFY_RETRY_BASE_SECONDS: '1' } });
  });
  after(async () => {
    await app?.stop();
    await smtp?.close();
    await sms?.close();
  });

  async function citizenWith(contacts: Array<{ channel: ChannelName; address: string; locale: string }>) {
    const { citizen } = await app.container.citizens.createTestCitizen();
    const { contactQueries, sealing } = app.container.notifications;
    for (const { channel, address, locale } of contacts) {
      await contactQueries.upsertContact({
        citizen_id: citizen.id, channel, locale, confirmed_at: new Date(), code_hash: null, code_expires_at: null,
        address_sealed: sealing.seal(citizen.id, channel, address), address_index: sealing.blindIndex(channel, address),
      });
    }
    return citizen;
  }

  it('delivers by email in English and by SMS in Chinese, without identity data', async () => {
    const citizen = await citizenWith([
      { channel: 'email', address: 'reader@example.test', locale: 'en' },
      { channel: 'sms', address: '+8613800000001', locale: 'zh-CN' },
    ]);
    await app.container.notifications.notify(app.container.db.knex, citizen.id, 'new_device', { at: '2026-12-02T08:30:00Z', isp: 'Demo ISP' });
    await app.container.notifications.worker.runOnce();
    const [mail] = await smtp.waitFor(1);
    assert.equal(mail!.to, 'reader@example.test');
    assert.equal(mail!.language, 'en');
    assert.equal(mail!.subject, 'New sign-in to your cyberspace ID account');
    assert.match(mail!.text, /sign in to Demo ISP from a device not seen before on December 2, 2026/);
    const [request] = await sms.waitFor(1);
    assert.equal(request!.body.to, '+8613800000001');
    assert.equal(request!.body.locale, 'zh-CN');
    assert.match(request!.body.text, /您的网络身份认证账户有新的登录/);
    assert.match(request!.body.text, /Demo ISP/);
    assert.equal(request!.headers['idempotency-key'], request!.body.idempotency_key);
    const identity = await app.container.vault.open(citizen.id, citizen, ['name', 'documentNumber', 'birthDate'], 'test');
    for (const value of Object.values(identity)) {
      assert.ok(!mail!.raw.includes(value!) && !JSON.stringify(request!.body).includes(value!), 'no identity data in a message');
    }
  });

  it('English and Chinese emails for the same kind of notice', async () => {
    const zh = await citizenWith([{ channel: 'email', address: 'zh@example.test', locale: 'zh-CN' }]);
    const before = smtp.delivered.length;
    await app.container.notifications.notify(app.container.db.knex, zh.id, 'password_changed', { at: '2026-12-02T08:30:00Z' });
    await app.container.notifications.worker.runOnce();
    const mail = (await smtp.waitFor(before + 1))[before]!;
    assert.equal(mail.subject, '您的网络身份认证账户密码已更改');
    assert.match(mail.text, /2026年12月2日/);
    assert.equal(mail.language, 'zh-CN');
  });

  it('retries a failed channel after its back-off and never re-sends the one that succeeded', async () => {
    const citizen = await citizenWith([
      { channel: 'email', address: 'retry@example.test', locale: 'en' },
      { channel: 'sms', address: '+8613800000002', locale: 'en' },
    ]);
    const mails = smtp.delivered.length;
    const texts = sms.received.length;
    sms.failNext(1);
    await app.container.notifications.notify(app.container.db.knex, citizen.id, 'account_suspended', {});
    await app.container.notifications.worker.runOnce();
    assert.equal(smtp.delivered.length, mails + 1);
    assert.equal(sms.received.length, texts);
    const [entry] = await app.container.notifications.outbox.listEntriesOf(citizen.id);
    assert.equal(entry!.status, 'pending');
    assert.deepEqual(entry!.delivered_channels, ['email']);
    assert.match(entry!.last_error ?? '', /^sms: /);
    await app.container.notifications.worker.runOnce();
    assert.equal(sms.received.length, texts, 'not before the back-off');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await app.container.notifications.worker.runOnce();
    assert.equal(sms.received.length, texts + 1);
    assert.equal(smtp.delivered.length, mails + 1, 'the email was not sent again');
    const [done] = await app.container.notifications.outbox.listEntriesOf(citizen.id);
    assert.equal(done!.status, 'sent');
  });

  it('cancelling a waiting recovery is told by email (account-recovery notify wired to the outbox)', async () => {
    const citizen = await citizenWith([{ channel: 'email', address: 'recover@example.test', locale: 'en' }]);
    await createRecoveryRequestQueries(app.container.db.knex).startRecovery({ id: randomUUID(), citizen_id: citizen.id, completes_at: new Date(Date.now() + 3_600_000) });
    const before = smtp.delivered.length;
    assert.equal(await app.container.recovery.cancel(citizen), true);
    const [entry] = await app.container.notifications.outbox.listEntriesOf(citizen.id);
    assert.equal(entry!.kind, 'recovery_cancelled');
    await app.container.notifications.worker.runOnce();
    const mail = (await smtp.waitFor(before + 1))[before]!;
    assert.equal(mail.to, 'recover@example.test');
    assert.equal(mail.subject, 'Recovery of your cyberspace ID account was cancelled');
  });

  it('suspending the account is told by email', async () => {
    const citizen = await citizenWith([{ channel: 'email', address: 'suspend@example.test', locale: 'en' }]);
    const before = smtp.delivered.length;
    await app.container.lifecycle.suspendBySelf(citizen);
    const [entry] = await app.container.notifications.outbox.listEntriesOf(citizen.id);
    assert.equal(entry!.kind, 'account_suspended');
    await app.container.notifications.worker.runOnce();
    const mail = (await smtp.waitFor(before + 1))[before]!;
    assert.equal(mail.subject, 'Your cyberspace ID account was suspended');
  });
});
