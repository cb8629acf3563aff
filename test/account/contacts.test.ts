// A citizen's addresses for notices (issue 8): added from the security page, confirmed with the
// code sent there through a real SMTP server and SMS gateway, stored sealed, removed only with the
// password, in the data export, and forgotten once the cancellation notice has gone out.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { startSmsGateway, startSmtpServer, type TestSmsGateway, type TestSmtpServer } from '../support/mail.js';
import { EN, PASSWORD, activityLines, adultIdentity, appliedCitizen, assertPageRules, dashboard, text } from './account-support.js';
import { MAX_CODE_ATTEMPTS, MAX_CODES_PER_HOUR } from '../../src/notifications/contacts.js';
import { normalizeAddress } from '../../src/notifications/contact-address.js';
import type { Credentials } from '../support/flow.js';

const codeIn = (message: string) => /\b(\d{6})\b/.exec(message)?.[1];
const alert = (page: Page) => page.document.querySelector('[role="alert"]')?.text.replace(/\s+/g, ' ').trim() ?? '';

describe('addresses for notices', () => {
  let app: TestApp;
  let smtp: TestSmtpServer;
  let sms: TestSmsGateway;

  before(async () => {
    smtp = await startSmtpServer();
    sms = await startSmsGateway();
    app = await startTestApp({ env: { SMTP_URL: smtp.url, SMS_GATEWAY_URL: sms.url } });
  });
  after(async () => {
    await app.stop();
    await smtp.close();
    await sms.close();
  });

  async function signedIn(name: string, headers: Record<string, string> = EN): Promise<{ citizen: Credentials; browser: Browser }> {
    const citizen = await appliedCitizen(app, adultIdentity(name));
    const browser = new Browser(app.url, headers);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    return { citizen, browser };
  }
  const contactsPage = async (browser: Browser) => {
    const page = await browser.navigate('/account/contacts');
    assert.ok(isPage(page) && page.status === 200);
    return page;
  };
  const submit = async (browser: Browser, page: Page, action: string, channel: string, fields: Record<string, string>) => {
    const result = await browser.submit(page, `section[data-channel="${channel}"] form[action="${action}"]`, fields);
    assert.ok(isPage(result));
    return result;
  };
  const rowsOf = async (cyberspaceId: string) => {
    const citizen = (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
    return app.container.db.knex('citizen_contacts').where({ citizen_id: citizen.id });
  };

  it('adds an email address, confirmed with the code that arrives by SMTP; stored sealed', async () => {
    const { citizen, browser } = await signedIn('联系甲');
    const security = await dashboard(browser, '/account/security');
    assert.ok(security.document.querySelector('a[href="/account/contacts"]'), 'linked from the security page');
    assert.deepEqual(text(security, '#contacts-summary'), ['Addresses for notices: 0']);

    const page = await contactsPage(browser);
    assertPageRules(page, 'the contacts page');
    const sentBefore = smtp.delivered.length;
    const sent = await submit(browser, page, '/account/contacts', 'email', { address: '  Li.Hua@Example.CN ' });
    assert.match(sent.document.querySelector('[role="status"]')!.text, /We sent a code/);
    const [mail] = (await smtp.waitFor(sentBefore + 1)).slice(sentBefore);
    assert.equal(mail!.to, 'Li.Hua@example.cn', 'the domain is kept in lower case, the local part as typed');
    assert.match(mail!.subject, /confirmation code/);
    const code = codeIn(mail!.text)!;
    assert.ok(code, mail!.text);
    assert.match(text(sent, 'section[data-channel="email"] .contact-state')[0]!, /waiting for its code/);

    // Stored sealed: neither the address nor the code is in the row.
    const [row] = await rowsOf(citizen.cyberspace_id);
    const stored = JSON.stringify(row);
    assert.ok(!stored.toLowerCase().includes('li.hua') && !stored.includes(code), stored);

    // Nothing is sent there but the code until it is confirmed.
    assert.deepEqual((await app.container.notifications.contactQueries.listContactsOf(row.citizen_id)).filter((c) => c.confirmed_at), []);

    const confirmed = await submit(browser, sent, '/account/contacts/confirm', 'email', { code });
    assert.match(confirmed.document.querySelector('[role="status"]')!.text, /Address confirmed/);
    assert.match(text(confirmed, 'section[data-channel="email"] .contact-state')[0]!, /^confirmed$/);
    assert.deepEqual(text(await dashboard(browser, '/account/security'), '#contacts-summary'), ['Addresses for notices: 1']);
    assert.ok(activityLines(await dashboard(browser, '/account/activity')).includes('Email address for notices confirmed'));

    // A notice now reaches it: a password change, through the outbox.
    const before = smtp.delivered.length;
    const form = await browser.navigate('/account/password');
    assert.ok(isPage(form));
    await browser.submit(form, 'form[action="/account/password"]', { current_password: PASSWORD, password: 'another long memorable phrase' });
    await app.container.notifications.worker.runOnce();
    const [notice] = (await smtp.waitFor(before + 1)).slice(before);
    assert.equal(notice!.to, 'Li.Hua@example.cn');
    assert.match(notice!.subject, /password/);
  });

  it('adds a mobile number through the SMS gateway, in Chinese, in the stored +86 form', async () => {
    const { browser } = await signedIn('联系乙', { 'accept-language': 'zh-CN' });
    const page = await contactsPage(browser);
    const before = sms.received.length;
    const sent = await submit(browser, page, '/account/contacts', 'sms', { address: '138 0013 8000' });
    const [request] = (await sms.waitFor(before + 1)).slice(before);
    assert.equal(request!.body.to, '+8613800138000');
    assert.equal(request!.body.locale, 'zh-CN');
    const confirmed = await submit(browser, sent, '/account/contacts/confirm', 'sms', { code: codeIn(request!.body.text)! });
    assert.match(confirmed.document.querySelector('[role="status"]')!.text, /地址已确认/);
  });

  it('refuses bad addresses and wrong codes clearly, changing nothing; five wrong codes start over', async () => {
    const { citizen, browser } = await signedIn('联系丙');
    const page = await contactsPage(browser);
    for (const [channel, address, message] of [
      ['email', 'not an address', /not an email address/],
      ['email', 'a@b', /not an email address/],
      ['email', '<x@evil.example>', /not an email address/],
      ['sms', '12345', /not a mobile number/],
      ['sms', '+86 123', /not a mobile number/],
    ] as const) {
      const refused = await submit(browser, page, '/account/contacts', channel, { address });
      assert.equal(refused.status, 400, address);
      assert.match(alert(refused), message, address);
      assert.equal(refused.document.querySelector(`#address-${channel}`)!.getAttribute('aria-invalid'), 'true');
      assert.match(refused.document.querySelector(`#address-${channel}`)!.getAttribute('aria-describedby')!, new RegExp(`contact-${channel}-errors`), 'the message is linked to its field');
    }
    assert.deepEqual(await rowsOf(citizen.cyberspace_id), [], 'nothing stored');

    const before = smtp.delivered.length;
    const sent = await submit(browser, page, '/account/contacts', 'email', { address: 'wrong.codes@example.cn' });
    const code = codeIn((await smtp.waitFor(before + 1))[before]!.text)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let attempt = 1; attempt <= MAX_CODE_ATTEMPTS; attempt++) {
      const refused = await submit(browser, sent, '/account/contacts/confirm', 'email', { code: wrong });
      assert.equal(refused.status, 400);
      assert.match(alert(refused), /code is incorrect/);
    }
    const exhausted = await submit(browser, sent, '/account/contacts/confirm', 'email', { code });
    assert.match(alert(exhausted), /Too many wrong codes/, 'even the right code, after five wrong ones');
    assert.deepEqual(await rowsOf(citizen.cyberspace_id), [], 'the pending address is gone');
  });

  it('limits the codes sent per hour', async () => {
    const { browser } = await signedIn('联系丁');
    const page = await contactsPage(browser);
    for (let i = 0; i < MAX_CODES_PER_HOUR; i++) {
      const sent = await submit(browser, page, '/account/contacts', 'email', { address: `try${i}@example.cn` });
      assert.equal(sent.status, 200);
    }
    const refused = await submit(browser, page, '/account/contacts', 'email', { address: 'one.more@example.cn' });
    assert.equal(refused.status, 429);
    assert.match(alert(refused), /Too many codes/);
  });

  it('replaces a confirmed address only after removing it with the password; the export lists it', async () => {
    const { citizen, browser } = await signedIn('联系戊');
    let page = await contactsPage(browser);
    const before = smtp.delivered.length;
    page = await submit(browser, page, '/account/contacts', 'email', { address: 'first@example.cn' });
    page = await submit(browser, page, '/account/contacts/confirm', 'email', { code: codeIn((await smtp.waitFor(before + 1))[before]!.text)! });
    assert.equal(page.document.querySelector('section[data-channel="email"] form[action="/account/contacts"]'), null, 'no add form while one is confirmed');
    const forged = await browser.request('/account/contacts', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: page.document.querySelector('input[name=_csrf]')!.getAttribute('value')!, channel: 'email', address: 'attacker@example.net' }),
    });
    assert.equal(forged.status, 400);
    assert.match(await forged.text(), /Remove it first/);

    const exported = JSON.parse(await (await browser.request('/account/export')).text()) as { notice_addresses: Array<{ channel: string; address: string; confirmed_at: string | null }> };
    assert.deepEqual(exported.notice_addresses.map((a) => [a.channel, a.address, Boolean(a.confirmed_at)]), [['email', 'first@example.cn', true]]);

    const wrong = await submit(browser, page, '/account/contacts/remove', 'email', { password: 'not my password' });
    assert.equal(wrong.status, 400);
    assert.match(alert(wrong), /password is incorrect\. Nothing was changed/);
    assert.equal((await rowsOf(citizen.cyberspace_id)).length, 1);
    const removed = await submit(browser, wrong, '/account/contacts/remove', 'email', { password: PASSWORD });
    assert.match(removed.document.querySelector('[role="status"]')!.text, /Address removed/);
    assert.deepEqual(await rowsOf(citizen.cyberspace_id), []);
    assert.ok(activityLines(await dashboard(browser, '/account/activity')).includes('Email address for notices removed'));
  });

  it('tells a removed address once that it was removed, and the number still on file; keeps no copy', async () => {
    const person = await appliedCitizen(app, adultIdentity('联系庚'));
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(person.cyberspace_id))!;
    const { contactQueries, sealing } = app.container.notifications;
    for (const [channel, address, locale] of [['email', 'removed.owner@example.cn', 'en'], ['sms', '+8613800138111', 'zh-CN']] as const) {
      await contactQueries.upsertContact({
        citizen_id: row.id, channel, address_sealed: sealing.seal(row.id, channel, address), address_index: sealing.blindIndex(channel, address),
        locale, code_hash: null, code_expires_at: null, confirmed_at: new Date(),
      });
    }
    await app.container.notifications.worker.runOnce(); // what earlier tests left queued
    await app.container.contacts.remove(row, 'email', PASSWORD);
    assert.deepEqual((await contactQueries.listContactsOf(row.id)).map((c) => c.channel), ['sms'], 'the address is gone at once');
    const [entry] = (await app.container.notifications.outbox.listEntriesOf(row.id)).filter((e) => e.kind === 'contact_removed');
    assert.ok(entry?.removed_address_sealed, 'the notice carries the removed address');
    assert.ok(!JSON.stringify(entry).includes('removed.owner'), 'sealed, never in the clear');

    const mails = smtp.delivered.length;
    const texts = sms.received.length;
    await app.container.notifications.worker.runOnce();
    const [mail] = (await smtp.waitFor(mails + 1)).slice(mails);
    assert.equal(mail!.to, 'removed.owner@example.cn');
    assert.match(mail!.subject, /address was removed/);
    assert.match(mail!.text, /If it was this one, this is the last notice sent to it/);
    const [text] = (await sms.waitFor(texts + 1)).slice(texts);
    assert.equal(text!.body.to, '+8613800138111');
    assert.match(text!.body.text, /移除一个接收通知的电子邮件地址或手机号码/);

    const [done] = (await app.container.notifications.outbox.listEntriesOf(row.id)).filter((e) => e.kind === 'contact_removed');
    assert.equal(done!.status, 'sent');
    assert.deepEqual([...done!.delivered_channels].sort(), ['email.removed', 'sms']);
    assert.equal(done!.removed_address_sealed, null, 'the copy is erased once delivered');
    await app.container.notifications.worker.runOnce();
    assert.equal(smtp.delivered.length, mails + 1, 'and it hears nothing more');
  });

  it('tells a cancelled citizen at the address once more, then forgets it', async () => {
    const { citizen, browser } = await signedIn('联系己');
    let page = await contactsPage(browser);
    const before = smtp.delivered.length;
    page = await submit(browser, page, '/account/contacts', 'email', { address: 'leaving@example.cn' });
    await submit(browser, page, '/account/contacts/confirm', 'email', { code: codeIn((await smtp.waitFor(before + 1))[before]!.text)! });
    const cancel = await browser.navigate('/account/cancel');
    assert.ok(isPage(cancel));
    await browser.submit(cancel, 'form[action="/account/cancel"]', { password: PASSWORD, understood: 'yes' });
    assert.equal((await rowsOf(citizen.cyberspace_id)).length, 1, 'kept until the cancellation notice has gone');
    await app.container.notifications.worker.runOnce();
    const delivered = await smtp.waitFor(before + 2);
    assert.ok(delivered.slice(before + 1).some((m) => m.to === 'leaving@example.cn' && /cancel/i.test(m.subject)), delivered.map((m) => m.subject).join('\n'));
    assert.deepEqual(await rowsOf(citizen.cyberspace_id), [], 'then forgotten');
  });

  it('keeps one stored form of each address', () => {
    assert.equal(normalizeAddress('sms', '+86 138-0013-8000'), '+8613800138000');
    assert.equal(normalizeAddress('sms', '8613800138000'), '+8613800138000');
    assert.equal(normalizeAddress('sms', '+44 20 7946 0958'), '+442079460958');
    assert.equal(normalizeAddress('sms', '23800138000'), undefined);
    assert.equal(normalizeAddress('email', 'Ａ@example.cn'), 'A@example.cn', 'full-width letters as typed on a Chinese keyboard');
    assert.equal(normalizeAddress('email', 'x@example'), undefined);
  });
});
