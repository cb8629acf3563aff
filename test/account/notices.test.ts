// Notices on the dashboard's overview: a first sign-in at an ISP (a new connection) and a
// sign-in from a device not seen before (at an ISP or at the account pages). Each is recorded
// when it happens and stays until the citizen dismisses it. The device is a random cookie; only a
// keyed hash of it is stored.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signIn, type Credentials } from '../support/flow.js';
import { signInToAccount } from '../support/citizen-pages.js';
import type { TestClient } from '../support/tokens.js';
import { DEVICE_COOKIE } from '../../src/web/device-cookie.js';
import { EN, adultIdentity, appliedCitizen, dashboard, noticeLines } from './account-support.js';

/** Dismisses every notice on the overview; returns the page it lands on. */
async function dismissAll(browser: Browser): Promise<Page> {
  let page = await dashboard(browser);
  while (page.document.querySelector('li.account-notice form')) {
    const next = await browser.submit(page, 'li.account-notice form');
    assert.ok(isPage(next));
    page = next;
  }
  return page;
}

describe('dashboard notices', () => {
  let app: TestApp;
  let isp: TestClient;
  let citizen: Credentials;
  let home: Browser; // the citizen's usual browser

  before(async () => {
    app = await startTestApp();
    isp = await createClient(app.container, { name: 'Shop ISP', redirectUris: ['https://shop.example/callback'] });
    citizen = await appliedCitizen(app, adultIdentity('提醒甲'));
    home = new Browser(app.url, EN);
  });
  after(async () => app.stop());

  it('raises none for the very first device', async () => {
    const page = await signInToAccount(home, citizen.cyberspace_id, citizen.password);
    assert.deepEqual(noticeLines(page), []);
    assert.equal(page.document.querySelector('#notices-title'), null);
  });

  it('sets a long-lived, HttpOnly device cookie holding nothing about the account', async () => {
    const response = await new Browser(app.url).request('/account/login');
    assert.equal(response.headers.getSetCookie().some((c) => c.startsWith(`${DEVICE_COOKIE}=`)), false, 'not before a sign-in');
    const token = home.cookies.get(DEVICE_COOKIE)!;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!token.includes(citizen.cyberspace_id));
    const fresh = new Browser(app.url);
    const login = await fresh.navigate('/account/login');
    assert.ok('document' in login);
    const csrf = login.document.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const signedIn = await fresh.request('/account/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, cyberspace_id: citizen.cyberspace_id, password: citizen.password }),
    });
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE_COOKIE}=`))!;
    assert.match(cookie, /httponly/i);
    assert.match(cookie, /samesite=lax/i);
    assert.match(cookie, /path=\//i);
    const maxAge = Number(/max-age=(\d+)/i.exec(cookie)?.[1] ?? (Date.parse(/expires=([^;]+)/i.exec(cookie)![1]!) - Date.now()) / 1000);
    assert.ok(maxAge > 300 * 86400, `long-lived (${maxAge}s)`);
    // The database holds a keyed hash, not the cookie.
    const stored = await app.container.db.knex('known_devices').select('device_hash');
    assert.ok(stored.length >= 2);
    for (const row of stored) assert.ok(!String(row.device_hash).includes(token) && row.device_hash !== token);
    await dismissAll(home); // the notice for that new device is dismissed here, not in the next test
  });

  it('tells the citizen about a first sign-in at an ISP from a new device, until dismissed', async () => {
    const elsewhere = new Browser(app.url, EN);
    await signIn(app.url, isp, citizen, { browser: elsewhere });

    const first = await dashboard(home);
    const notices = noticeLines(first);
    assert.equal(notices.length, 2, notices.join('\n'));
    assert.ok(notices.some((n) => /you signed in to Shop ISP for the first time/.test(n)), notices.join('\n'));
    assert.ok(notices.some((n) => /someone signed in to Shop ISP with your cyberspace ID from a device not used before/.test(n)), notices.join('\n'));
    assert.ok(notices.every((n) => /^\d{4}-\d\d-\d\d \d\d:\d\d UTC\+8: /.test(n)), 'each says when');

    assert.deepEqual(noticeLines(await dashboard(home)), notices, 'still there at the next visit');

    // Dismissing one leaves the other; the page says it was dismissed.
    const firstItem = first.document.querySelector('li.account-notice')!;
    const dismissed = await home.submit(first, `li.account-notice[data-notice-id="${firstItem.getAttribute('data-notice-id')}"] form`);
    assert.ok(isPage(dismissed));
    assert.equal(new URL(dismissed.url).pathname, '/account');
    assert.match(dismissed.document.querySelector('[role="status"]')!.text, /Notice dismissed/);
    assert.deepEqual(noticeLines(dismissed), notices.slice(1));
    assert.deepEqual(noticeLines(await dismissAll(home)), [], 'gone once dismissed');

    // The same browser and the same ISP again: nothing new to tell.
    await signIn(app.url, isp, citizen, { browser: elsewhere });
    await signInToAccount(elsewhere, citizen.cyberspace_id, citizen.password); // the ISP sign-in made this device known
    assert.deepEqual(noticeLines(await dashboard(home)), []);
  });

  it('tells the citizen about the account page opened from a new device, at the next visit', async () => {
    const stranger = new Browser(app.url, EN);
    const page = await signInToAccount(stranger, citizen.cyberspace_id, citizen.password);
    assert.deepEqual(noticeLines(page).map((n) => n.replace(/^.*UTC\+8: /, '')),
      ['your account page was opened from a device not used before. If this was not you, change your password.']);
    assert.equal(noticeLines(await dashboard(home)).length, 1, 'the usual browser shows it too, until dismissed');
    const all = await home.submit(await dashboard(home), 'form[action="/account/notices/dismiss"]');
    assert.ok(isPage(all));
    assert.deepEqual(noticeLines(all), []);
  });

  it('dismisses only the citizen\'s own notices, and a forged id changes nothing', async () => {
    const other = await appliedCitizen(app, adultIdentity('提醒丙'));
    const otherBrowser = new Browser(app.url, EN);
    await signInToAccount(otherBrowser, other.cyberspace_id, other.password);
    await signInToAccount(new Browser(app.url, EN), other.cyberspace_id, other.password); // a notice for `other`
    const theirs = await dashboard(otherBrowser);
    const theirId = theirs.document.querySelector('li.account-notice')!.getAttribute('data-notice-id')!;

    await signInToAccount(new Browser(app.url, EN), citizen.cyberspace_id, citizen.password); // one for `citizen`
    const mine = await dashboard(home);
    const before = noticeLines(mine);
    assert.equal(before.length, 1);
    for (const forged of [theirId, '0', '-1', 'abc', '99999999999999999999', "1' OR '1'='1"]) {
      const page = await home.submit(mine, 'li.account-notice form', { notice: forged });
      assert.ok(isPage(page));
      assert.deepEqual(noticeLines(page), before, `a forged id (${forged}) dismisses nothing of mine`);
    }
    assert.ok(noticeLines(await dashboard(otherBrowser)).length === 1, 'and nothing of theirs');
    await dismissAll(home);
  });

  it('is per citizen: a browser known for one citizen is new for another', async () => {
    const other = await appliedCitizen(app, adultIdentity('提醒乙'));
    await signInToAccount(new Browser(app.url, EN), other.cyberspace_id, other.password); // their first device
    const page = await signInToAccount(home, other.cyberspace_id, other.password);
    assert.equal(noticeLines(page).length, 1);
    assert.match(noticeLines(page)[0]!, /device not used before/);
  });

  it('records a new connection again after the citizen revoked it and signs in again', async () => {
    await signInToAccount(home, citizen.cyberspace_id, citizen.password);
    const page = await dashboard(home, '/account/services');
    await home.submit(page, `form[action="/account/connections/${isp.client_id}/revoke"]`);
    await signIn(app.url, isp, citizen, { browser: home });
    const notices = noticeLines(await dashboard(home));
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0]!, /you signed in to Shop ISP for the first time/);
    await dismissAll(home);
  });

  it('in Chinese as well', async () => {
    const zh = new Browser(app.url, { 'accept-language': 'zh-CN' });
    const page = await signInToAccount(zh, citizen.cyberspace_id, citizen.password);
    assert.match(noticeLines(page)[0]!, /有人在一台从未使用过的设备上打开了您的账户页面/);
    assert.match(page.document.querySelector('#notices-title')!.text, /给您的提醒/);
    assert.match(page.document.querySelector('li.account-notice button')!.text, /^关闭/);
  });
});
