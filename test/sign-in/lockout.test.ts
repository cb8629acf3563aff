// Limits an attacker cannot turn against the owner (issue 7): failures are counted per account
// and per client address, with a short growing back-off per account that the owner's known
// device passes, and X-Forwarded-For counted only with TRUST_PROXY. The owner sees the failed
// attempts in the activity (with a rough device description) and once as a notice.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signIn } from '../support/flow.js';
import { DEVICE_COOKIE } from '../../src/web/device-cookie.js';
import { en } from '../../src/web/locales/en.js';
import { alertText, expectPage, openLogin, submitLogin, type TestClient } from '../web/web-support.js';
import { activityLines, adultIdentity, appliedCitizen, dashboard, noticeLines } from '../account/account-support.js';
import { signInToAccount } from '../support/citizen-pages.js';

const EN = { params: { ui_locales: 'en' } };
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

async function wrongPassword(app: TestApp, client: TestClient, cyberspaceId: string, address: string): Promise<Page> {
  const stranger = new Browser(app.url, { 'x-forwarded-for': address, 'user-agent': FIREFOX, 'accept-language': 'en' });
  return expectPage(await submitLogin(await openLogin(app.url, client, { ...EN, browser: stranger }), cyberspaceId, 'not the password'), 'the sign-in page');
}

describe('sign-in limits behind a trusted proxy', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    // A per-account back-off longer than the 30 attempts take, even on a loaded machine: with the
    // default 2 s it could lapse mid-run and let a later guess be checked (a flaky 400).
    app = await startTestApp({ env: { TRUST_PROXY: 'true' }, configure: (config) => {
      config.signInLimits.perAddress.free = 3;
      config.signInLimits.perAccount.baseSeconds = 20;
    } });
    client = await createClient(app.container, { name: 'Lockout ISP' });
  });
  after(async () => app.stop());

  it('30 wrong passwords from 30 addresses: strangers wait, the owner signs in from a known device', async () => {
    const citizen = await appliedCitizen(app, adultIdentity('锁定甲'));
    const home = new Browser(app.url, { 'accept-language': 'en' });
    await signIn(app.url, client, citizen, { browser: home, params: { ui_locales: 'en' } });
    const known = new Browser(app.url, { 'accept-language': 'en' });
    known.cookies.set(DEVICE_COOKIE, home.cookies.get(DEVICE_COOKIE)!);

    const answers: number[] = [];
    for (let i = 0; i < 30; i += 1) answers.push((await wrongPassword(app, client, citizen.cyberspace_id, `198.51.100.${i + 1}`)).status);
    const { free, maxSeconds } = app.container.config.signInLimits.perAccount;
    assert.deepEqual(answers.slice(0, free + 1), Array(free + 1).fill(400), 'the first attempts are checked');
    assert.ok(answers.slice(free + 1).every((s) => s === 429), `then the account backs off: ${answers.join(' ')}`);

    // A stranger with the right password from a new browser waits (a short back-off, never a lock).
    const stranger = new Browser(app.url, { 'x-forwarded-for': '203.0.113.9' });
    const refused = expectPage(await submitLogin(await openLogin(app.url, client, { ...EN, browser: stranger }), citizen.cyberspace_id, citizen.password), 'the sign-in page');
    assert.equal(refused.status, 429);
    assert.equal(alertText(refused), en['login.error.throttled']);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= maxSeconds, `Retry-After ${retryAfter} is short`);

    // The owner, from the browser they signed in with before, is not locked out.
    const owner = await submitLogin(await openLogin(app.url, client, { ...EN, browser: known }), citizen.cyberspace_id, citizen.password);
    assert.ok(!isPage(owner) && owner.redirectedTo.searchParams.get('code'), 'the owner is back at the ISP with a code');

    // They see the attempts: every one in the activity (time, rough device), one notice.
    const page = await signInToAccount(known, citizen.cyberspace_id, citizen.password);
    const notices = noticeLines(page);
    assert.equal(notices.filter((n) => n.includes('tried to sign in to Lockout ISP')).length, 1, notices.join('\n'));
    assert.match(notices.join('\n'), /from Firefox on Windows/);
    assert.ok(!/198\.51\.100/.test(page.html), 'no address is shown');
    const lines = activityLines(await dashboard(known, '/account/activity'));
    assert.ok(lines.filter((l) => /Failed sign-in attempt at Lockout ISP.*from Firefox on Windows/.test(l)).length >= 10, lines.join('\n'));
  });

  it('one address guessing at many accounts is slowed down, and others at other addresses are not', async () => {
    const victims = await Promise.all(['锁定乙', '锁定丙', '锁定丁', '锁定戊', '锁定己'].map((n) => appliedCitizen(app, adultIdentity(n))));
    const statuses: number[] = [];
    for (const victim of victims) statuses.push((await wrongPassword(app, client, victim.cyberspace_id, '192.0.2.77')).status);
    const { free } = app.container.config.signInLimits.perAddress;
    assert.deepEqual(statuses, [...Array(free + 1).fill(400), ...Array(victims.length - free - 1).fill(429)]);
    // Another address is not affected by that one.
    const other = await signIn(app.url, client, victims[4]!, { browser: new Browser(app.url, { 'x-forwarded-for': '192.0.2.78' }) });
    assert.ok(other.code);
  });
});

describe('sign-in limits without a trusted proxy', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: 'false' }, configure: (config) => { config.signInLimits.perAddress.free = 3; } });
    client = await createClient(app.container, { name: 'Direct ISP' });
  });
  after(async () => app.stop());

  it('ignores X-Forwarded-For: made-up addresses are one address', async () => {
    const victim = await appliedCitizen(app, adultIdentity('直连甲'));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await wrongPassword(app, client, victim.cyberspace_id, `198.51.100.${i + 1}`)).status);
    assert.deepEqual(statuses, [400, 400, 400, 400, 429]);
  });
});
