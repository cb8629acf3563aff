// The optional second factor (TOTP, RFC 6238), driven through the HTML forms with codes computed
// from the secret shown on the page: enrolment (a wrong code refused, a right one enables it),
// ISP sign-in then needs a code (ID token acr/amr say so; a wrong or replayed code is refused;
// the code step cannot be reached without the password), the account sign-in needs it too,
// turning it off needs the password and a code, attested recovery turns it off (facts alone
// wait: test/proofing/recovery.test.ts), and the secret is
// nowhere in plaintext (the citizens row, Redis).
import assert from 'node:assert/strict';
import { Secret } from 'otpauth';
import type { Redis } from 'ioredis';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { runCommand } from '../../src/cli/registry.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { authorizeUrl, type Credentials } from '../support/flow.js';
import { createClient } from '../support/factories.js';
import { idTokenClaims, redeem, type TestClient } from '../support/tokens.js';
import { dumpRedisPrefix, scanForPlaintext, describeFindings } from '../support/privacy-scan.js';
import { EN, activityLines, adultIdentity, appliedCitizen, assertPageRules, dashboard } from './account-support.js';
import { Authenticator } from '../support/authenticator.js';

const alert = (page: Page) => page.document.querySelector('[role="alert"]')?.text.replace(/\s+/g, ' ').trim() ?? '';

describe('two-step sign-in (TOTP)', () => {
  let app: TestApp;
  let client: TestClient;
  const identity = adultIdentity('双因甲');
  let citizen: Credentials;
  let authenticator: Authenticator;
  let lastCode = '';
  const row = async (cyberspaceId = citizen.cyberspace_id) => (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
  const redisSources = async () => (app.container.ephemeral.kind === 'redis'
    ? (await dumpRedisPrefix((app.container.ephemeral as unknown as { redis: Redis }).redis, app.redisPrefix)).sources
    : []);

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container);
    citizen = await appliedCitizen(app, identity);
  });
  after(async () => app.stop());

  async function enrol(browser: Browser): Promise<{ page: Page; authenticator: Authenticator }> {
    const page = await browser.navigate('/account/two-factor');
    assert.ok(isPage(page));
    assert.equal(page.status, 200);
    const secret = page.document.querySelector('#totp-secret')!.textContent!.replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    return { page, authenticator: new Authenticator(secret) };
  }

  /** A new citizen with the second factor on, and their browser, signed in to the account. */
  async function enrolledCitizen(name: string) {
    const who = adultIdentity(name);
    const credentials = await appliedCitizen(app, who);
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    const { page, authenticator: device } = await enrol(browser);
    const codes = await browser.submit(page, 'form[action="/account/two-factor"]', { code: await device.code() });
    assert.ok(isPage(codes) && codes.document.querySelectorAll('#recovery-codes li').length === 10, 'recovery codes are shown');
    const done = await browser.navigate(codes.document.querySelector('#recovery-codes-saved')!.getAttribute('href')!);
    assert.ok(isPage(done) && /done=two_factor_on/.test(done.url));
    return { identity: who, credentials, browser, device };
  }

  /** Authorize → password → the code form (or wherever the password leads). */
  async function ispPassword(browser: Browser, credentials: Credentials = citizen) {
    const { url, verifier } = authorizeUrl(app.url, client);
    const login = await browser.navigate(url.href);
    assert.ok(isPage(login));
    const next = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: credentials.cyberspace_id, password: credentials.password });
    return { next, verifier };
  }

  it('enrols: the page shows a QR code and the key; a wrong code is refused, a right one turns it on', async () => {
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
    const summary = (await dashboard(browser, '/account/security')).document.querySelector('#two-factor-summary')!.text;
    assert.match(summary, /Off/);
    const first = await enrol(browser);
    authenticator = first.authenticator;
    assertPageRules(first.page, 'two-factor enrolment');
    const svg = first.page.document.querySelector('figure.qr svg');
    assert.ok(svg, 'the QR code is inline SVG');
    assert.ok(svg.querySelector('path'), 'the QR code has content');
    assert.match(first.page.headers.get('content-security-policy') ?? '', /script-src 'none'/);
    // The pending secret is sealed in Redis, and a reload shows the same one.
    assert.equal((await enrol(browser)).authenticator.secret, authenticator.secret);
    const pending = scanForPlaintext(await redisSources(), [{ label: 'totp secret', value: authenticator.secret }]);
    assert.deepEqual(pending, [], describeFindings(pending));

    const wrong = await browser.submit(first.page, 'form[action="/account/two-factor"]', { code: authenticator.wrong() });
    assert.ok(isPage(wrong));
    assert.equal(wrong.status, 400);
    assert.match(alert(wrong), /The code is incorrect/);
    assertPageRules(wrong, 'two-factor enrolment with an error');
    assert.equal((await row()).totp_enabled_at, null);

    // Turning it on shows the recovery codes once (test/account/recovery-codes.test.ts), then the dashboard.
    const codes = await browser.submit(first.page, 'form[action="/account/two-factor"]', { code: await authenticator.code() });
    assert.ok(isPage(codes));
    assert.equal(codes.status, 200);
    assert.equal(codes.document.querySelectorAll('#recovery-codes li').length, 10);
    const done = await browser.navigate(codes.document.querySelector('#recovery-codes-saved')!.getAttribute('href')!);
    assert.ok(isPage(done));
    assert.match(done.url, /done=two_factor_on/);
    assert.match(done.document.querySelector('#two-factor-summary')!.text, /On/);
    const activity = activityLines(await dashboard(browser, '/account/activity'));
    assert.ok(activity.includes('Two-step sign-in turned on'), activity.join('\n'));
    const stored = await row();
    assert.ok(stored.totp_enabled_at);
    assert.ok(stored.totp_secret_ciphertext);
  });

  it('keeps the secret out of the citizens row and Redis in plaintext', async () => {
    const needles = [{ label: 'totp secret', value: authenticator.secret }, { label: 'totp secret bytes', value: Secret.fromBase32(authenticator.secret).latin1 }];
    const stored = await row();
    const rowText = Object.entries(stored).map(([column, value]) => ({ where: `citizens.${column}`, text: value instanceof Date ? value.toISOString() : String(value) }));
    const findings = scanForPlaintext([...rowText, ...(await redisSources())], needles);
    assert.deepEqual(findings, [], describeFindings(findings));
  });

  it('at an ISP, asks for the code after the password; ID token says password+totp; wrong and replayed codes are refused', async () => {
    const browser = new Browser(app.url, EN);
    const { next, verifier } = await ispPassword(browser);
    assert.ok(isPage(next));
    assert.ok(next.document.querySelector('form[action$="/code"]'), 'a code form follows the password');
    assertPageRules(next, 'ISP code form');
    assert.equal(next.document.querySelector('#code')!.getAttribute('autocomplete'), 'one-time-code');

    const wrong = await browser.submit(next, 'form[action$="/code"]', { code: authenticator.wrong() });
    assert.ok(isPage(wrong));
    assert.equal(wrong.status, 400);
    assert.match(alert(wrong), /The code is incorrect/);

    lastCode = await authenticator.code();
    let result = await browser.submit(wrong, 'form[action$="/code"]', { code: lastCode });
    if (isPage(result) && result.document.querySelector('form[action$="/confirm"]')) {
      result = await browser.submit(result, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    }
    assert.ok(!isPage(result), 'redirected to the ISP');
    const claims = idTokenClaims(await redeem(app.url, client, { code: result.redirectedTo.searchParams.get('code'), verifier }));
    assert.equal(claims.acr, 'urn:cyberspace-id:acr:password+totp');
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as { acr_values_supported: string[] };
    assert.ok(discovery.acr_values_supported.includes('urn:cyberspace-id:acr:password+totp'));

    // The same code again, in a fresh sign-in: refused.
    const again = new Browser(app.url, EN);
    const second = await ispPassword(again);
    assert.ok(isPage(second.next));
    const replayed = await again.submit(second.next, 'form[action$="/code"]', { code: lastCode });
    assert.ok(isPage(replayed));
    assert.equal(replayed.status, 400);
    assert.match(alert(replayed), /already been used/);
  });

  it('limits code attempts like password attempts: the per-account back-off, with Retry-After', async () => {
    const { credentials, device } = await enrolledCitizen('双因戊');
    const browser = new Browser(app.url, EN);
    let page = await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    const { free } = app.container.config.signInLimits.perAccount;
    for (let attempt = 1; attempt <= free + 2; attempt += 1) {
      const next = await browser.submit(page, 'form[action="/account/login/code"]', { code: device.wrong() });
      assert.ok(isPage(next));
      assert.equal(next.status, attempt > free + 1 ? 429 : 400, `attempt ${attempt}`);
      page = next;
    }
    assert.match(alert(page), /Too many attempts/);
    assert.ok(Number(page.headers.get('retry-after')) > 0, 'says when to try again');
  });

  it('the code step cannot be reached without the password in the same interaction', async () => {
    const browser = new Browser(app.url, EN);
    const { url } = authorizeUrl(app.url, client);
    const login = await browser.navigate(url.href);
    assert.ok(isPage(login));
    const action = login.document.querySelector('form[action$="/login"]')!.getAttribute('action')!.replace(/\/login$/, '/code');
    const csrf = login.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const forged = await browser.navigate(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, code: authenticator.wrong() }).toString() });
    assert.ok(isPage(forged));
    assert.equal(forged.status, 400);
    assert.ok(forged.document.querySelector('form[action$="/login"]'), 'back to the password form');
    assert.match(alert(forged), /expired/);
  });

  it('the account sign-in asks for the code too, bound to the browser that gave the password', async () => {
    const { credentials, device: authenticator } = await enrolledCitizen('双因乙');
    const browser = new Browser(app.url, EN);
    const codePage = await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    assert.ok(codePage.document.querySelector('form[action="/account/login/code"]'), 'a code form follows the password');
    assert.equal((await browser.navigate('/account') as Page).url.endsWith('/account/login'), true, 'not signed in yet');

    // Another browser cannot finish this sign-in with the challenge from the page.
    const other = new Browser(app.url, EN);
    const otherLogin = await other.navigate('/account/login');
    assert.ok(isPage(otherLogin));
    const stolen = await other.navigate('/account/login/code', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: otherLogin.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!, challenge: codePage.document.querySelector('input[name="challenge"]')!.getAttribute('value')!, code: authenticator.wrong() }).toString(),
    });
    assert.ok(isPage(stolen));
    assert.match(alert(stolen), /expired/);

    const wrong = await browser.submit(codePage, 'form[action="/account/login/code"]', { code: authenticator.wrong() });
    assert.ok(isPage(wrong));
    assert.equal(wrong.status, 400);
    const done = await browser.submit(wrong, 'form[action="/account/login/code"]', { code: await authenticator.code() });
    assert.ok(isPage(done));
    assert.match(done.url, /\/account$/);
    assert.ok(activityLines(done).some((line) => /wrong one-time code/.test(line)), activityLines(done).join('\n'));
  });

  it('turning it off needs the password and a current code', async () => {
    const { credentials: citizen, browser, device: authenticator } = await enrolledCitizen('双因丙');
    const row = async () => (await app.container.citizenQueries.findCitizenByCyberspaceId(citizen.cyberspace_id))!;
    const page = await browser.navigate('/account/two-factor');
    assert.ok(isPage(page));
    assertPageRules(page, 'two-factor management');
    const form = 'form[action="/account/two-factor/disable"]';
    const badPassword = await browser.submit(page, form, { password: 'not my password', code: authenticator.wrong() });
    assert.ok(isPage(badPassword));
    assert.equal(badPassword.status, 400);
    assert.match(alert(badPassword), /password is incorrect/);
    const badCode = await browser.submit(page, form, { password: citizen.password, code: authenticator.wrong() });
    assert.ok(isPage(badCode));
    assert.equal(badCode.status, 400);
    assert.match(alert(badCode), /code is incorrect/);
    assert.ok((await row()).totp_enabled_at, 'still on');
    const done = await browser.submit(page, form, { password: citizen.password, code: await authenticator.code() });
    assert.ok(isPage(done));
    assert.match(done.url, /done=two_factor_off/);
    assert.equal((await row()).totp_secret_ciphertext, null);
    assert.ok(activityLines(await dashboard(browser, '/account/activity')).includes('Two-step sign-in turned off'));
    // Signing in needs the password alone again.
    assert.match((await signInToAccount(new Browser(app.url, EN), citizen.cyberspace_id, citizen.password)).url, /\/account$/);
  });

  it('password recovery with an attestation for the identity document turns it off (audited)', async () => {
    const { credentials, identity } = await enrolledCitizen('双因丁');
    const row = async () => (await app.container.citizenQueries.findCitizenByCyberspaceId(credentials.cyberspace_id))!;
    assert.ok((await row()).totp_enabled_at);

    const recovery = new Browser(app.url, EN);
    const form = await recovery.navigate('/recover');
    assert.ok(isPage(form));
    const newPassword = 'a brand new passphrase';
    const shortCode = form.document.querySelector('#short-code')!.getAttribute('value')!;
    const attestation = (await runCommand(app.container, ['sandbox', 'attest', '--level', 'substantial', '--challenge', shortCode, '--document-type', identity.documentType, '--document-number', identity.documentNumber])).output.trim();
    const done = await recovery.submit(form, 'form[action="/recover"]', {
      cyberspace_id: credentials.cyberspace_id, document_type: identity.documentType, document_number: identity.documentNumber,
      name: identity.name, birth_date: identity.birthDate, password: newPassword, attestation,
    });
    assert.ok(isPage(done));
    const stored = await row();
    assert.equal(stored.totp_enabled_at, null);
    assert.equal(stored.totp_secret_ciphertext, null);
    const signedIn = await signInToAccount(new Browser(app.url, EN), credentials.cyberspace_id, newPassword);
    assert.match(signedIn.url, /\/account$/, 'no code asked after recovery');
    assert.ok(activityLines(signedIn).some((line) => /turned off by recovering/.test(line)), activityLines(signedIn).join('\n'));
  });
});

describe('the data export and the second factor', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('says since when a second factor is on, and never carries its secret', async () => {
    const created = await app.container.citizens.createTestCitizen({ birthDate: '1980-02-02' });
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await app.container.citizenQueries.enableTotp(created.citizen.id, app.container.envelope.seal(secret, `citizens/${created.citizen.id}/totp_secret`));
    const citizen = (await app.container.citizenQueries.findCitizenById(created.citizen.id))!;
    const exported = await app.container.dataExport.build(citizen);
    const text = JSON.stringify(exported);
    assert.match(String((exported as { account: { two_factor_enabled_at?: string } }).account.two_factor_enabled_at), /^\d{4}-/);
    assert.ok(!text.includes(secret), 'the secret is not exported');
  });
});
