// The citizen's dashboard, through its HTML: a few pages under one navigation — the overview with
// the cyberspace ID ready to copy, connected services (the ID each ISP knows, when, what it
// received), revoking one end to end, security with known devices, and the activity log in
// plain sentences with ISP names and never a value.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { signIn, type Credentials } from '../support/flow.js';
import { signInToAccount } from '../support/citizen-pages.js';
import {
  assertAccessTokenAlive, assertAccessTokenDead, assertRefreshTokenDead, idTokenClaims, redeem, refresh, type TestClient,
} from '../support/tokens.js';
import { formatForReading } from '../../src/ids/cyberspace-id.js';
import { LAWFUL_ACCESS_PURPOSE } from '../../src/services/activity.js';
import { EN, activityLines, adultIdentity, appliedCitizen, assertPageRules, dashboard, text, type AccountPage } from './account-support.js';
import { ACCOUNT_PAGES } from '../../src/routes/account-nav.js';

const BACKCHANNEL_URI = 'https://bank.example/backchannel-logout';

describe('the citizen dashboard', () => {
  let app: TestApp;
  let isp: TestClient;
  let bank: TestClient;
  const identity = adultIdentity('仪表甲');
  let citizen: Credentials;
  const logoutPosts: URLSearchParams[] = [];

  // The app's outgoing HTTP: back-channel logout POSTs to bank.example are captured here.
  const outgoing: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === BACKCHANNEL_URI) {
      logoutPosts.push(new URLSearchParams(String(init?.body ?? '')));
      return new Response(null, { status: 200 });
    }
    return fetch(input, init);
  };

  before(async () => {
    app = await startTestApp({ fetch: outgoing });
    isp = await createClient(app.container, { name: 'Video ISP', redirectUris: ['https://video.example/callback'], scope: 'openid age offline_access' });
    bank = await createClient(app.container, { name: 'Bank ISP', redirectUris: ['https://bank.example/callback'], scope: 'openid offline_access', backchannelLogoutUri: BACKCHANNEL_URI });
    citizen = await appliedCitizen(app, identity);
  });
  after(async () => app.stop());

  it('shows the cyberspace ID in a labelled, read-only field ready to select and copy', async () => {
    const page = await signInToAccount(new Browser(app.url, EN), citizen.cyberspace_id, citizen.password);
    const field = page.document.querySelector('input#my-cyberspace-id')!;
    assert.ok(field, 'a text field holds the ID');
    assert.equal(field.getAttribute('value'), formatForReading(citizen.cyberspace_id));
    assert.ok(field.hasAttribute('readonly'));
    assert.equal(field.getAttribute('type'), 'text');
    assert.match(page.document.querySelector('label[for="my-cyberspace-id"]')!.text, /My cyberspace ID/);
    assert.doesNotMatch(page.html, /<script/i, 'no script is needed');
  });

  it('lists each connected ISP with the ID it received as sub, first and last sign-in, and the claim names it got', async () => {
    const flow = await signIn(app.url, isp, citizen, { params: { scope: 'openid age' }, browser: new Browser(app.url, EN) });
    const sub = String(idTokenClaims(await redeem(app.url, isp, flow)).sub);
    await signIn(app.url, isp, citizen, { params: { scope: 'openid age' }, browser: flow.browser }); // a second sign-in

    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const page = await dashboard(browser, '/account/services');
    const row = page.document.querySelector(`tr.connection[data-client-id="${isp.client_id}"]`)!;
    assert.ok(row, 'the ISP is listed');
    const cells = row.querySelectorAll('td').map((td) => td.text.replace(/\s+/g, ' ').trim());
    assert.equal(cells[0], 'Video ISP');
    assert.equal(cells[1], sub, 'the pairwise ID shown is the sub the ISP received');
    assert.notEqual(sub, citizen.cyberspace_id);
    assert.match(cells[2]!, /whether you are over 18/);
    assert.match(cells[2]!, /its cyberspace ID for you/);
    const dates = cells[3]!.match(/\d{4}-\d\d-\d\d \d\d:\d\d UTC\+8/g) ?? [];
    assert.equal(dates.length, 2, `first and last sign-in: ${cells[3]}`);
    assert.ok(dates[0]! <= dates[1]!);
  });

  it('revoking an ISP deletes the grant, kills its refresh and access tokens and sends back-channel logout', async () => {
    const browser = new Browser(app.url, EN);
    const flow = await signIn(app.url, bank, citizen, { params: { scope: 'openid offline_access', prompt: 'consent' }, browser });
    const tokens = await redeem(app.url, bank, flow);
    assert.ok(tokens.refresh_token, 'the ISP holds a refresh token');
    const bankSub = String(idTokenClaims(tokens).sub);
    const rotated = await refresh(app.url, bank, tokens.refresh_token);
    assert.equal(rotated.status, 200, 'the refresh token works before revocation');
    const liveRefresh = String(rotated.body.refresh_token);
    const liveAccess = String(rotated.body.access_token);
    await assertAccessTokenAlive(app.url, liveAccess);
    assert.ok((await app.container.durable.findGrantsByAccount(citizen.cyberspace_id)).some((g) => g.payload.clientId === bank.client_id));

    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const before = await dashboard(browser, '/account/services');
    const revoked = await browser.submit(before, `form[action="/account/connections/${bank.client_id}/revoke"]`);
    assert.ok(isPage(revoked));
    assert.match(revoked.document.querySelector('[role="status"]')!.text, /Access revoked/);
    assert.equal(revoked.document.querySelector(`tr.connection[data-client-id="${bank.client_id}"]`), null, 'no longer listed');

    await assertRefreshTokenDead(app.url, bank, liveRefresh, 'the ISP\'s refresh token after revocation');
    await assertAccessTokenDead(app.url, liveAccess, 'the ISP\'s access token after revocation');
    assert.ok(!(await app.container.durable.findGrantsByAccount(citizen.cyberspace_id)).some((g) => g.payload.clientId === bank.client_id), 'the grant is gone');
    assert.equal(logoutPosts.length, 1, 'one back-channel logout');
    const logoutToken = logoutPosts[0]!.get('logout_token')!;
    const claims = JSON.parse(Buffer.from(logoutToken.split('.')[1]!, 'base64url').toString()) as { sub: string; aud: string };
    assert.equal(claims.sub, bankSub, 'the logout token names the ID the ISP knows');
    assert.equal(claims.aud, bank.client_id);
    assert.equal(new URL(revoked.url).pathname, '/account/services', 'back on the services page');
    assert.ok(activityLines(await dashboard(browser, '/account/activity')).includes('You revoked Bank ISP’s access'));

    // Revoking one ISP leaves the others alone.
    assert.ok(revoked.document.querySelector(`tr.connection[data-client-id="${isp.client_id}"]`));
  });

  it('lists sign-ins, failed sign-ins and releases in plain sentences, with ISP names and no values', async () => {
    // A failed attempt at the ISP and one at the account page, each recorded against this citizen.
    const wrong = new Browser(app.url, EN);
    const attempt = await signIn(app.url, isp, { ...citizen, password: 'not the password' }, { browser: wrong }).catch(() => undefined);
    assert.equal(attempt, undefined, 'the wrong password does not get through');
    await signInToAccount(new Browser(app.url, EN), citizen.cyberspace_id, 'not the password either');

    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const page = await dashboard(browser, '/account/activity');
    const lines = activityLines(page);
    for (const expected of [
      'Signed in to Video ISP',
      'Signed in to your account page',
      'Failed sign-in attempt at Video ISP (wrong password), from an unrecognised browser on an unrecognised system',
      'Failed sign-in attempt on your account page (wrong password), from an unrecognised browser on an unrecognised system',
      'You allowed Video ISP to use your cyberspace ID',
      'You applied for your cyberspace ID',
    ]) assert.ok(lines.some((line) => line === expected || line.startsWith(`${expected}, from `)), `activity has "${expected}":\n${lines.join('\n')}`);
    // A failed attempt says roughly where from (browser and system family), never the raw User-Agent.
    assert.ok(lines.includes('Failed sign-in attempt at Video ISP (wrong password), from an unrecognised browser on an unrecognised system'), lines.join('\n'));
    const release = lines.find((line) => line.startsWith('Video ISP received: '));
    assert.ok(release, 'a release entry');
    for (const claim of ['its cyberspace ID for you', 'whether you are over 14', 'whether you are over 16', 'whether you are over 18']) {
      assert.ok(release.includes(claim), `${release} names ${claim}`);
    }
    assert.ok(lines.some((line) => /^Identity data decrypted \(birth date\) for: claims release to a service$/.test(line)), lines.join('\n'));
    assert.ok(!lines.some((line) => /for: showing your account page/.test(line)), 'a dashboard visit decrypts nothing');

    // Never a value: no name, document number, birth date or claim value on any account page.
    for (const path of ACCOUNT_PAGES.map((p) => p.href)) {
      const shown = await browser.navigate(path);
      assert.ok(isPage(shown));
      for (const value of [identity.name, identity.documentNumber, identity.birthDate, identity.birthDate.replaceAll('-', '')]) {
        assert.ok(!shown.html.includes(value), `${path} does not show ${value}`);
      }
    }
    assert.doesNotMatch(text(page, 'table.activity').join(' '), /\btrue\b|\bfalse\b/);

    // Newest first.
    const times = page.document.querySelectorAll('tr.activity-entry time').map((el) => el.getAttribute('datetime')!);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  it('lists the devices signed in from by kind only, marking this one, and exports them', async () => {
    const other = await appliedCitizen(app, adultIdentity('设备甲'));
    const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';
    const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    await signInToAccount(new Browser(app.url, { ...EN, 'user-agent': CHROME_WINDOWS }), other.cyberspace_id, other.password);
    const browser = new Browser(app.url, { ...EN, 'user-agent': FIREFOX_LINUX });
    await signInToAccount(browser, other.cyberspace_id, other.password);
    const page = await dashboard(browser, '/account/security');
    const devices = page.document.querySelectorAll('ul.devices li.device').map((li) => li.text.replace(/\s+/g, ' ').trim());
    assert.equal(devices.length, 2, devices.join('\n'));
    assert.match(devices[0]!, /^Firefox on Linux this device First .* UTC\+8, last .* UTC\+8, 1 sign-ins$/, 'newest first, this browser marked');
    assert.match(devices[1]!, /^Chrome on Windows First /);
    assert.ok(!devices[1]!.includes('this device'));

    // Stored and exported as families only: never the User-Agent, a version or an address.
    const rows = await app.container.db.knex('known_devices').join('citizens', 'citizens.id', 'known_devices.citizen_id')
      .where('citizens.cyberspace_id', other.cyberspace_id).select('known_devices.*');
    assert.deepEqual(rows.map((row) => row.description).sort(), ['Chrome/Windows', 'Firefox/Linux']);
    // (The random device hash is left out: hex digits may spell "131" by chance.)
    for (const { device_hash: _hash, ...row } of rows) assert.ok(!JSON.stringify(row).includes('131') && !JSON.stringify(row).includes('Mozilla'), JSON.stringify(row));
    const exported = await browser.request('/account/export');
    const body = JSON.parse(await exported.text()) as { known_devices?: Array<{ description: string }> } & Record<string, unknown>;
    const found = JSON.stringify(body).match(/"description":"(Firefox\/Linux|Chrome\/Windows)"/g) ?? [];
    assert.equal(found.length, 2, 'the export lists both devices with their kind');
  });

  it('speaks Chinese too', async () => {
    const browser = new Browser(app.url, { 'accept-language': 'zh-CN' });
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const lines = activityLines(await dashboard(browser, '/account/activity'));
    assert.ok(lines.includes('登录了Video ISP'), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('在Video ISP登录失败（密码错误）')), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('Video ISP获得了：') && line.includes('是否年满 18 周岁')));
    assert.ok(lines.includes('您撤销了Bank ISP的访问权限'));
  });

  it('pages the activity 50 at a time, newest first, with an "older" link and no gaps or repeats', async () => {
    const other = await appliedCitizen(app, adultIdentity('仪表乙'));
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(other.cyberspace_id))!;
    for (let i = 0; i < 60; i += 1) {
      await app.container.audit.record({ type: 'sign_in.failed', citizenId: row.id, clientId: isp.client_id, actor: 'citizen', details: { reason_code: 'invalid_credentials' } });
    }
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, other.cyberspace_id, other.password);
    const overview = await dashboard(browser);
    assert.equal(overview.document.querySelectorAll('tr.activity-entry').length, 5, 'the overview shows the newest few');
    assert.ok(overview.document.querySelector('a[href="/account/activity"]'), 'and links to the rest');
    const first = await dashboard(browser, '/account/activity');
    const total = (await app.container.audit.listForCitizen(row.id, { limit: 1000 })).length;
    assert.equal(first.document.querySelectorAll('tr.activity-entry').length, 50);
    const older = first.document.querySelector('a.older')!;
    assert.match(older.text, /Older activity/);
    const next = await browser.navigate(older.getAttribute('href')!);
    assert.ok(isPage(next));
    assert.equal(next.status, 200);
    assert.equal(next.document.querySelectorAll('tr.activity-entry').length, total - 50);
    assert.equal(next.document.querySelector('a.older'), null, 'the last page has no older link');
    const stamps = [...first.document.querySelectorAll('tr.activity-entry time'), ...next.document.querySelectorAll('tr.activity-entry time')]
      .map((el) => el.getAttribute('datetime')!);
    assert.deepEqual(stamps, [...stamps].sort().reverse(), 'newest first across pages');

    const broken = await browser.navigate('/account/activity?before=nonsense');
    assert.ok(isPage(broken));
    assert.equal(broken.status, 400);
  });

  it('follows the page rules with every section shown, in both languages', async () => {
    for (const headers of [EN, { 'accept-language': 'zh-CN' }]) {
      const browser = new Browser(app.url, headers);
      const page = await signInToAccount(browser, citizen.cyberspace_id, citizen.password); // a new device: notices show
      assert.ok(page.document.querySelector('li.account-notice'));
      assertPageRules(page, 'dashboard');
      for (const path of ACCOUNT_PAGES.map((p) => p.href)) {
        const shown = await dashboard(browser, path as AccountPage);
        assertPageRules(shown, path);
      }
      const confirmation = await browser.navigate('/account/cancel');
      assert.ok(isPage(confirmation));
      assertPageRules(confirmation, 'cancellation');
      const cancelled = await browser.submit(confirmation, 'form[action="/account/cancel"]', { password: 'wrong', understood: 'yes' });
      assert.ok(isPage(cancelled));
      assertPageRules(cancelled, 'cancellation after a wrong password');
      assert.equal(cancelled.document.querySelector('#cancel-password')!.getAttribute('aria-invalid'), 'true');
    }
  });

  it('is a small set of pages, each with its own heading, reached from one navigation that marks where you are', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const headings: string[] = [];
    for (const path of [...ACCOUNT_PAGES.map((p) => p.href), '/account/passkeys', '/account/two-factor', '/account/password', '/account/cancel']) {
      const page = await browser.navigate(path);
      assert.ok(isPage(page) && page.status === 200, path);
      const nav = page.document.querySelector('nav.account-nav');
      assert.ok(nav, `${path} has the account navigation`);
      assert.deepEqual(nav.querySelectorAll('a').map((a) => a.getAttribute('href')), ACCOUNT_PAGES.map((p) => p.href), `${path}: the same entries everywhere`);
      const current = nav.querySelectorAll('a[aria-current="page"]').map((a) => a.getAttribute('href'));
      const expected = ACCOUNT_PAGES.find((p) => p.href === path || p.covers?.includes(path))!.href;
      assert.deepEqual(current, [expected], `${path} marks ${expected} as current`);
      assert.ok(nav.querySelector('form[action="/account/logout"]'), `${path}: sign out from anywhere`);
      if (ACCOUNT_PAGES.some((p) => p.href === path)) headings.push(page.document.querySelector('h1')!.text.trim());
    }
    assert.equal(new Set(headings).size, ACCOUNT_PAGES.length, `each page has its own heading: ${headings.join(', ')}`);
    const overview = await dashboard(browser);
    for (const moved of ['tr.connection', 'ul.devices', 'form[action="/account/suspend"]', 'table.activity a.older']) {
      assert.equal(overview.document.querySelector(moved), null, `the overview no longer carries ${moved}`);
    }
  });

  it('is behind sign-in', async () => {
    for (const path of ACCOUNT_PAGES.map((p) => p.href)) {
      const response = await new Browser(app.url).request(path);
      assert.equal(response.status, 303, path);
      assert.equal(response.headers.get('location'), '/account/login');
    }
  });

  it('does not show lawful-access entries to their subject (embargo)', async () => {
    const subject = await appliedCitizen(app, adultIdentity('仪表丙'));
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(subject.cyberspace_id))!;
    await app.container.audit.record({ type: 'identity.decrypted', citizenId: row.id, actor: 'operator', details: { fields: ['name'], purpose: LAWFUL_ACCESS_PURPOSE } });
    await app.container.audit.record({ type: 'lawful_access.revealed', citizenId: row.id, actor: 'operator', details: { case_reference: 'CASE-1' } });
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, subject.cyberspace_id, subject.password);
    for (const path of ['/account', '/account/activity'] as const) {
      assert.doesNotMatch((await dashboard(browser, path)).html, /CASE-1|lawful|Identity data decrypted \(name\)/);
    }
    const exported = await (await browser.request('/account/export')).text();
    assert.doesNotMatch(exported, /CASE-1|lawful_access\.|"purpose": "lawful_access"/);
  });
});
