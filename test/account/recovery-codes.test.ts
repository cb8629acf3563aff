// Recovery codes (issue 7), through the pages' own forms: turning on the second factor shows ten
// codes once and keeps only keyed hashes; a code signs in at an ISP after the password (acr
// password+totp), once; it never stands in for the password; regenerating needs the password and
// kills the old set; two racing uses of one code: exactly one wins; wrong codes share the
// per-account back-off with wrong authenticator codes; a passkey-only citizen who lost the
// passkey reaches substantial with the password and a code; each use is in the activity, on the
// dashboard and in the outbox; the export says how many are left, never which.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { authorizeUrl, type Credentials } from '../support/flow.js';
import { idTokenClaims, redeem, sleep, type TestClient } from '../support/tokens.js';
import { Authenticator } from '../support/authenticator.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { describeFindings, dumpPostgresSchema, dumpRedisPrefix, logSources, scanForPlaintext, type Needle } from '../support/privacy-scan.js';
import { CONSENT_FORM, expectPage } from '../web/web-support.js';
import { EN, activityLines, adultIdentity, appliedCitizen, assertPageRules, dashboard, noticeLines, text } from './account-support.js';
import { ACR_PASSKEY, ACR_PASSWORD, ACR_PASSWORD_TOTP } from '../../src/sign-in/acr.js';
import { en } from '../../src/web/locales/en.js';

const CODE = /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/;
const RECOVERY_FORM = 'form[action$="/recovery-code"]';
const alert = (page: Page) => page.document.querySelector('[role="alert"]')?.text.replace(/\s+/g, ' ').trim() ?? '';
const codeNeedles = (codes: string[]): Needle[] => codes.flatMap((code, i) => [
  { label: `recovery code ${i + 1}`, value: code },
  { label: `recovery code ${i + 1} without its hyphen`, value: code.replace('-', '') },
]);

describe('recovery codes', function () {
  this.timeout(60_000);
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    // A per-account back-off that cannot lapse mid-test on a loaded machine.
    app = await startTestApp({ configure: (config) => { config.signInLimits.perAccount.baseSeconds = 20; } });
    client = await createClient(app.container, { name: 'Recovery ISP' });
  });
  after(async () => app.stop());

  const citizenRow = async (credentials: Credentials) => (await app.container.citizenQueries.findCitizenByCyberspaceId(credentials.cyberspace_id))!;
  const storedCodes = async (credentials: Credentials) => app.container.db.knex('recovery_codes').where({ citizen_id: (await citizenRow(credentials)).id });
  const outbox = async (credentials: Credentials, kind: string) =>
    (await app.container.db.knex('notification_outbox').where({ citizen_id: (await citizenRow(credentials)).id, kind })).length;
  const remaining = async (credentials: Credentials) => (await app.container.recoveryCodes.summary((await citizenRow(credentials)).id)).remaining;

  /** A citizen who turned on the second factor; the page that answered shows the codes. */
  async function enrolled(name: string) {
    const credentials = await appliedCitizen(app, adultIdentity(name));
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    const page = expectPage(await browser.navigate('/account/two-factor'), 'the enrolment page');
    const device = new Authenticator(page.document.querySelector('#totp-secret')!.text.replace(/\s/g, ''));
    const shown = expectPage(await browser.submit(page, 'form[action="/account/two-factor"]', { code: await device.code() }), 'the recovery codes');
    return { credentials, browser, device, shown, codes: text(shown, '#recovery-codes li') };
  }

  /** Authorize → password: the page the password leads to, and the request's PKCE verifier. */
  async function ispPassword(credentials: Credentials, params: Record<string, string> = {}, browser = new Browser(app.url, EN)) {
    const request = authorizeUrl(app.url, client, { ui_locales: 'en', ...params });
    const login = expectPage(await browser.navigate(request.url.href), 'the sign-in page');
    const next = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: credentials.cyberspace_id, password: credentials.password });
    return { browser, next, verifier: request.verifier };
  }

  /** From a result that signed in (consent page or back at the ISP) to the ID token's claims. */
  async function claimsAfter(browser: Browser, result: Awaited<ReturnType<Browser['navigate']>>, verifier: string) {
    let landed = result;
    if (isPage(landed) && landed.document.querySelector(CONSENT_FORM)) landed = await browser.submit(landed, CONSENT_FORM, {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(landed), `back at the ISP, not on ${isPage(landed) ? `${landed.url}: ${alert(landed) || landed.document.querySelector('h1')?.text}` : ''}`);
    return idTokenClaims(await redeem(app.url, client, { code: landed.redirectedTo.searchParams.get('code'), verifier }));
  }

  let first: Awaited<ReturnType<typeof enrolled>>;

  it('turning on the second factor shows ten codes, once; only keyed hashes are stored', async () => {
    first = await enrolled('恢复甲');
    const { shown, codes, credentials, browser } = first;
    assert.equal(shown.status, 200);
    assertPageRules(shown, 'the new recovery codes');
    assert.equal(shown.headers.get('cache-control'), 'no-store', 'the page with the codes is never cached');
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10, 'ten different codes');
    for (const code of codes) assert.match(code, CODE);

    const rows = await storedCodes(credentials);
    assert.equal(rows.length, 10);
    for (const row of rows) {
      assert.match(row.code_hash, /^[0-9a-f]{64}$/, 'an HMAC-SHA256, hex');
      assert.equal(row.used_at, null);
    }
    // Nowhere in plaintext: not in any table, Redis key or log line.
    const schema = app.container.config.databaseUrl ? app.schema : 'public';
    const sources = [
      ...(await dumpPostgresSchema(app.container.db.knex, schema)).sources,
      ...(app.container.ephemeral.kind === 'redis' ? (await dumpRedisPrefix((app.container.ephemeral as unknown as { redis: Redis }).redis, app.redisPrefix)).sources : []),
      ...logSources(app.logs),
    ];
    const findings = scanForPlaintext(sources, codeNeedles(codes));
    assert.deepEqual(findings, [], describeFindings(findings));

    // Shown once: the dashboard and the codes page count them, and show none of them.
    const home = await dashboard(browser);
    assert.deepEqual(text(await dashboard(browser, '/account/security'), '#recovery-codes-summary'), ['Unused recovery codes: 10']);
    assert.ok(activityLines(home).includes(en['activity.account.recovery_codes_issued']), activityLines(home).join(' | '));
    const manage = expectPage(await browser.navigate('/account/recovery-codes'), 'the recovery codes page');
    assertPageRules(manage, 'the recovery codes page');
    assert.match(text(manage, '#recovery-codes-remaining')[0]!, /^Unused recovery codes: 10/);
    assert.equal(manage.document.querySelectorAll('#recovery-codes li').length, 0);
    for (const code of codes) assert.ok(!home.html.includes(code) && !manage.html.includes(code), 'no code shown again');
  });

  it('signs in at an ISP with the password and a recovery code, typed loosely: acr password+totp; the use is told', async () => {
    const { credentials, codes, browser } = first;
    const { browser: isp, next, verifier } = await ispPassword(credentials);
    const page = expectPage(next, 'the second step');
    assertPageRules(page, 'the second step with a recovery code form');
    assert.ok(page.document.querySelector('form[action$="/code"]'), 'the authenticator code comes first');
    assert.ok(page.document.querySelector(`${RECOVERY_FORM} #recovery_code`), '"use a recovery code instead" is a second form: no script needed');
    const typed = codes[0]!.toUpperCase().replace('-', ' ');
    const claims = await claimsAfter(isp, await isp.submit(page, RECOVERY_FORM, { recovery_code: typed }), verifier);
    assert.equal(claims.acr, ACR_PASSWORD_TOTP, 'a recovery code stands in for the second factor: the same level');
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(await remaining(credentials), 9);

    assert.equal(await outbox(credentials, 'recovery_code_used'), 1, 'told by email/SMS through the outbox');
    const home = await dashboard(browser);
    assert.ok(noticeLines(home).some((line) => /one of your recovery codes was used to sign in/.test(line)), noticeLines(home).join(' | '));
    assert.ok(activityLines(home).some((line) => line.startsWith('A recovery code was used to sign in (9 left)')), activityLines(home).join(' | '));
    assert.deepEqual(text(await dashboard(browser, '/account/security'), '#recovery-codes-summary'), ['Unused recovery codes: 9']);
  });

  it('refuses a used code and a wrong one, each recorded as a failed attempt', async () => {
    const { credentials, codes, browser } = first;
    const { browser: isp, next } = await ispPassword(credentials);
    const used = expectPage(await isp.submit(expectPage(next, 'the second step'), RECOVERY_FORM, { recovery_code: codes[0]! }), 'refused');
    assert.equal(used.status, 400);
    assert.equal(alert(used), en['login.code.error.invalid_recovery_code']);
    assert.equal(used.document.querySelector('#recovery_code')!.getAttribute('aria-invalid'), 'true');
    const wrong = expectPage(await isp.submit(used, RECOVERY_FORM, { recovery_code: 'zzzz-zzzz' }), 'refused');
    assert.equal(wrong.status, 400);
    assert.equal(await remaining(credentials), 9);
    // Failed attempts are written to the audit log detached from the response: wait for them.
    let failures: string[] = [];
    for (let tries = 0; tries < 50 && failures.length < 2; tries += 1) {
      if (tries) await sleep(100);
      failures = activityLines(expectPage(await browser.navigate('/account/activity'), 'the activity')).filter((line) => line.includes(en['activity.reason.invalid_recovery_code']));
    }
    assert.equal(failures.length, 2, 'both attempts are in the activity');
  });

  it('never replaces the password: no code step without it, in either sign-in', async () => {
    const { credentials, codes } = first;
    // At an ISP: posting a code to an interaction that had no password is sent back to sign in.
    const browser = new Browser(app.url, EN);
    const login = expectPage(await browser.navigate(authorizeUrl(app.url, client, { ui_locales: 'en' }).url.href), 'the sign-in page');
    const action = login.document.querySelector('form[action$="/login"]')!.getAttribute('action')!.replace(/\/login$/, '/recovery-code');
    const csrf = login.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const post = (url: string, fields: Record<string, string>) =>
      browser.navigate(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...fields }).toString() });
    const forged = expectPage(await post(action, { recovery_code: codes[1]! }), 'the sign-in page');
    assert.equal(forged.status, 400);
    assert.ok(forged.document.querySelector('form[action$="/login"]'), 'back to the password');
    // A wrong password with a good code beside it is a wrong password.
    const wrongPassword = expectPage(await browser.submit(forged, 'form[action$="/login"]', { cyberspace_id: credentials.cyberspace_id, password: 'not the password', recovery_code: codes[1]! }), 'the sign-in page');
    assert.equal(wrongPassword.status, 400);
    assert.equal(wrongPassword.document.querySelector(RECOVERY_FORM), null);
    // On the account pages: a made-up challenge.
    const account = new Browser(app.url, EN);
    const accountLogin = expectPage(await account.navigate('/account/login'), 'the account sign-in');
    const accountCsrf = accountLogin.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const made = expectPage(await account.navigate('/account/login/recovery-code', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: accountCsrf, challenge: 'made-up', recovery_code: codes[1]! }).toString(),
    }), 'the account sign-in');
    assert.equal(made.status, 400);
    assert.ok(made.document.querySelector('form[action="/account/login"]'));
    const dash = await account.navigate('/account');
    assert.ok(isPage(dash) && dash.url.endsWith('/account/login'), 'not signed in');
    assert.equal(await remaining(credentials), 9, 'no code was spent');
  });

  it('the account sign-in takes a recovery code after the password too', async () => {
    const { credentials, codes } = first;
    const browser = new Browser(app.url, EN);
    const step = await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    assert.ok(step.document.querySelector('form[action="/account/login/recovery-code"]'));
    const done = expectPage(await browser.submit(step, 'form[action="/account/login/recovery-code"]', { recovery_code: codes[1]! }), 'the dashboard');
    assert.match(done.url, /\/account$/);
    assert.deepEqual(text(await dashboard(browser, '/account/security'), '#recovery-codes-summary'), ['Unused recovery codes: 8']);
  });

  it('regenerating needs the password, shows ten new codes, and the old ones stop working', async () => {
    const { credentials, codes: old, browser } = first;
    const manage = expectPage(await browser.navigate('/account/recovery-codes'), 'the recovery codes page');
    const refused = expectPage(await browser.submit(manage, 'form[action="/account/recovery-codes"]', { password: 'not my password' }), 'refused');
    assert.equal(refused.status, 400);
    assert.equal(alert(refused), en['account.recovery_codes.error.password.incorrect']);
    assert.equal(await remaining(credentials), 8, 'nothing changed');

    const fresh = expectPage(await browser.submit(manage, 'form[action="/account/recovery-codes"]', { password: credentials.password }), 'the new codes');
    assertPageRules(fresh, 'the regenerated codes');
    const codes = text(fresh, '#recovery-codes li');
    assert.equal(codes.length, 10);
    assert.deepEqual(codes.filter((code) => old.includes(code)), []);
    assert.equal(await remaining(credentials), 10);
    assert.equal(await outbox(credentials, 'recovery_codes_created'), 1, 'told by email/SMS');

    const stale = await ispPassword(credentials);
    const refusedOld = expectPage(await stale.browser.submit(expectPage(stale.next, 'the second step'), RECOVERY_FORM, { recovery_code: old[5]! }), 'refused');
    assert.equal(refusedOld.status, 400);
    const claims = await claimsAfter(stale.browser, await stale.browser.submit(refusedOld, RECOVERY_FORM, { recovery_code: codes[0]! }), stale.verifier);
    assert.equal(claims.acr, ACR_PASSWORD_TOTP);
    first.codes = codes.slice(1);
  });

  it('two uses of one code at once: exactly one signs in', async () => {
    const { credentials, codes } = first;
    const [a, b] = await Promise.all([ispPassword(credentials), ispPassword(credentials)]);
    const code = codes[0]!;
    const results = await Promise.all([a, b].map((s) => s.browser.submit(expectPage(s.next, 'the second step'), RECOVERY_FORM, { recovery_code: code })));
    const signedIn = results.filter((r) => !isPage(r) || r.document.querySelector(CONSENT_FORM));
    const refused = results.filter((r) => isPage(r) && r.status === 400);
    assert.equal(signedIn.length, 1, 'one wins');
    assert.equal(refused.length, 1, 'the other is refused');
    assert.equal(await remaining(credentials), 8);

    // And straight at the service, eight at once.
    const citizen = await citizenRow(credentials);
    const uses = await Promise.all(Array.from({ length: 8 }, () => app.container.recoveryCodes.use(citizen, codes[1]!, { device: 'other/other' })));
    assert.deepEqual(uses.filter((u) => u === 'ok').length, 1);
    assert.equal(await remaining(credentials), 7);
  });

  it('wrong recovery codes and wrong authenticator codes share the per-account back-off', async () => {
    const { credentials, device, codes } = await enrolled('恢复乙');
    const browser = new Browser(app.url, EN);
    let page = await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    const { free } = app.container.config.signInLimits.perAccount;
    for (let attempt = 1; attempt <= free + 2; attempt += 1) {
      const next = attempt % 2
        ? await browser.submit(page, 'form[action="/account/login/recovery-code"]', { recovery_code: 'zzzz-zzzz' })
        : await browser.submit(page, 'form[action="/account/login/code"]', { code: device.wrong() });
      page = expectPage(next, `attempt ${attempt}`);
      assert.equal(page.status, attempt > free + 1 ? 429 : 400, `attempt ${attempt}`);
    }
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    // While it lasts, even a right code waits (the limit is checked before the code).
    const waiting = expectPage(await browser.submit(page, 'form[action="/account/login/recovery-code"]', { recovery_code: codes[0]! }), 'throttled');
    assert.equal(waiting.status, 429);
    // The back-off is seconds long and grows; the page must not promise a fixed 15 minutes.
    assert.ok(Number(waiting.headers.get('retry-after')) < 15 * 60);
    assert.equal(text(waiting, '#code-error')[0], en['login.code.error.throttled']);
    assert.doesNotMatch(en['login.code.error.throttled'], /15/);
    assert.equal(await remaining(credentials), 10, 'the code was not spent');
  });

  it('a passkey-only citizen who lost the passkey: password and a recovery code reach substantial; the password alone stays low', async () => {
    const credentials = await appliedCitizen(app, adultIdentity('恢复丙'));
    const browser = new Browser(app.url, EN);
    await signInToAccount(browser, credentials.cyberspace_id, credentials.password);
    const soft = new SoftAuthenticator({ origin: app.container.passkeys.origin, rpID: app.container.passkeys.rpID });
    const passkeys = expectPage(await browser.navigate('/account/passkeys'), 'the passkeys page');
    const options = JSON.parse(passkeys.document.querySelector('form[data-passkey="register"]')!.getAttribute('data-options')!);
    const shown = expectPage(await browser.submit(passkeys, 'form[data-passkey="register"]', { response: soft.register(options), name: 'Phone' }), 'the recovery codes');
    const codes = text(shown, '#recovery-codes li');
    assert.equal(codes.length, 10, 'the first passkey issues recovery codes');
    assert.match(shown.document.querySelector('#recovery-codes-saved')!.getAttribute('href')!, /^\/account\/passkeys\?done=added$/);

    // Nothing asked: the password alone, at the low level, as before.
    const plain = await ispPassword(credentials);
    assert.equal((await claimsAfter(plain.browser, plain.next, plain.verifier)).acr, ACR_PASSWORD);

    // The ISP asks for more: the password, then a recovery code (the passkey is lost).
    const asked = await ispPassword(credentials, { acr_values: ACR_PASSKEY, prompt: 'login' }, plain.browser);
    const page = expectPage(asked.next, 'the recovery code step');
    assertPageRules(page, 'the recovery code step alone');
    assert.equal(page.document.querySelector('h1')!.text.trim(), en['login.recovery.only.title']);
    assert.equal(page.document.querySelector('form[action$="/code"]'), null, 'no authenticator to ask for');
    assert.ok(page.document.querySelector('form[action$="/continue"]'), 'a voluntary request may go on with the password alone');
    const claims = await claimsAfter(asked.browser, await asked.browser.submit(page, RECOVERY_FORM, { recovery_code: codes[3]! }), asked.verifier);
    assert.equal(claims.acr, ACR_PASSWORD_TOTP);
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);

    // An essential request inside a low session is a step-up (no password again): the recovery
    // code alone lifts it, with no way on below it.
    const low = await ispPassword(credentials, {}, new Browser(app.url, EN));
    assert.equal((await claimsAfter(low.browser, low.next, low.verifier)).acr, ACR_PASSWORD);
    const essential = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_PASSWORD_TOTP, ACR_PASSKEY] } } });
    const stepUp = authorizeUrl(app.url, client, { ui_locales: 'en', claims: essential });
    const stepPage = expectPage(await low.browser.navigate(stepUp.url.href), 'the step-up');
    assert.equal(stepPage.document.querySelector('form[action$="/login"]'), null, 'no password asked again');
    assert.equal(stepPage.document.querySelector('form[action$="/continue"]'), null, 'an essential request offers no way on below it');
    const lifted = await claimsAfter(low.browser, await low.browser.submit(stepPage, RECOVERY_FORM, { recovery_code: codes[4]! }), stepUp.verifier);
    assert.equal(lifted.acr, ACR_PASSWORD_TOTP);
  });

  it('warns on the dashboard, and once by email/SMS, when few codes are left', async () => {
    const { credentials, codes, browser } = first;
    const citizen = await citizenRow(credentials);
    assert.equal(text(await dashboard(browser), '#recovery-codes-few').length, 0, 'no warning with 7 left');
    for (const code of codes.slice(2, 6)) assert.equal(await app.container.recoveryCodes.use(citizen, code, { device: 'other/other' }), 'ok');
    const home = await dashboard(browser);
    assert.deepEqual(text(home, '#recovery-codes-few'), [en['account.recovery_codes.few'].replace('{count}', '3')]);
    assert.deepEqual(text(await dashboard(browser, '/account/security'), '#recovery-codes-few'), [en['account.recovery_codes.few'].replace('{count}', '3')]);
    assert.equal(await outbox(credentials, 'recovery_codes_low'), 1);
    first.codes = codes.slice(6);
  });

  it('turning the second factor off leaves the codes nothing to stand in for; turning it on again makes a new set', async () => {
    const { credentials, browser, device, codes } = await enrolled('恢复丁');
    const manage = expectPage(await browser.navigate('/account/two-factor'), 'the second factor page');
    const off = expectPage(await browser.submit(manage, 'form[action="/account/two-factor/disable"]', { password: credentials.password, code: await device.code() }), 'the dashboard');
    assert.match(off.url, /done=two_factor_off/);
    assert.deepEqual(text(off, '#recovery-codes-summary'), [en['account.recovery_codes.none']]);
    const plain = await ispPassword(credentials);
    assert.equal((await claimsAfter(plain.browser, plain.next, plain.verifier)).acr, ACR_PASSWORD, 'the password alone, no code step');
    const again = expectPage(await browser.navigate('/account/two-factor'), 'the enrolment page');
    // Each step's code is accepted once per citizen, whichever secret made it.
    const fresh = new Authenticator(again.document.querySelector('#totp-secret')!.text.replace(/\s/g, ''), device);
    const shown = expectPage(await browser.submit(again, 'form[action="/account/two-factor"]', { code: await fresh.code() }), 'new codes');
    const renewed = text(shown, '#recovery-codes li');
    assert.equal(renewed.length, 10);
    assert.deepEqual(renewed.filter((code) => codes.includes(code)), [], 'the old set is gone');
  });

  it('the data export says the codes exist and how many are unused, never the codes', async () => {
    const { credentials, codes } = first;
    const exported = await app.container.dataExport.build(await citizenRow(credentials));
    const account = (exported as { account: { recovery_codes: { unused: number; issued_at: string } | null } }).account;
    assert.equal(account.recovery_codes!.unused, 3);
    assert.match(account.recovery_codes!.issued_at, /^\d{4}-\d\d-\d\dT/);
    const findings = scanForPlaintext([{ where: 'export', text: JSON.stringify(exported) }], codeNeedles(codes));
    assert.deepEqual(findings, [], describeFindings(findings));
  });

  it('cancelling the cyberspace ID deletes its recovery codes', async () => {
    const { credentials } = first;
    await app.container.lifecycle.cancel(await citizenRow(credentials), credentials.password);
    assert.equal((await storedCodes(credentials)).length, 0);
  });
});
