// Account lifecycle, through the citizen's HTML forms, the ISP's own endpoints and the operator
// CLI: suspension (by the citizen, or by the operator with a reason the citizen sees and cannot
// lift), resumption, cancellation (crypto-shredding, the ID never reissued, every grant and
// token revoked, back-channel logout naming the ISP's pairwise sub) and password recovery by
// re-proving the identity document (every session ends; one answer for every mismatch).
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { applyInBrowser, issuedId, seedSandbox, signInToAccount, type Applicant } from '../support/citizen-pages.js';
import { createClient } from '../support/factories.js';
import type { Credentials } from '../support/flow.js';
import {
  assertAccessTokenAlive, assertAccessTokenDead, assertRefreshTokenDead, idTokenClaims, introspect, redeem, refresh, sleep,
  type TestClient, type TokenSet,
} from '../support/tokens.js';
import { mainText, personAged, visitIsp } from '../support/identities.js';
import { adultWithIdentity, confirmGuardianOf } from '../support/guardians.js';
import { runCommand } from '../../src/cli/registry.js';
import { formatForReading, generateCyberspaceId } from '../../src/ids/cyberspace-id.js';
import { ACCOUNT_COOKIE } from '../../src/routes/account.js';

const EN = { 'accept-language': 'en' };
const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };
const PASSWORD = 'a long memorable phrase';
const BACKCHANNEL_URI = 'https://news.example/backchannel-logout';

describe('account lifecycle', () => {
  let app: TestApp;
  let isp: TestClient; // an ISP holding tokens for the citizens below
  let news: TestClient; // an ISP registered for back-channel logout
  const logoutPosts: Array<{ url: string; body: URLSearchParams }> = [];

  // The app's outgoing HTTP: back-channel logout POSTs to news.example are captured here.
  const outgoing: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('https://news.example/')) {
      logoutPosts.push({ url, body: new URLSearchParams(String(init?.body ?? '')) });
      return new Response(null, { status: 200 });
    }
    return fetch(input, init);
  };

  const englishBrowser = () => new Browser(app.url, EN);
  const row = async (cyberspaceId: string) => (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
  const cli = (...argv: string[]) => runCommand(app.container, argv);

  async function tokensFor(citizen: Credentials, client: TestClient = isp, browser = englishBrowser()): Promise<TokenSet & { browser: Browser }> {
    const visit = await visitIsp(browser, client, citizen, OFFLINE);
    const tokens = await redeem(app.url, client, visit);
    assert.ok(tokens.refresh_token, 'the ISP holds a refresh token');
    return { ...tokens, browser };
  }

  async function rotate(client: TestClient, refreshToken: string): Promise<TokenSet> {
    const response = await refresh(app.url, client, refreshToken);
    assert.equal(response.status, 200, `refresh: ${JSON.stringify(response.body)}`);
    return response.body as unknown as TokenSet;
  }

  async function assertActive(client: TestClient, token: string, expected: boolean, label: string) {
    const response = await introspect(app.url, client, token);
    assert.equal(response.status, 200);
    assert.equal(response.body.active, expected, `introspection of the ${label}: ${JSON.stringify(response.body)}`);
  }

  /** A citizen who applied with a sandbox identity (so they have identity data to shred or re-prove). */
  async function appliedCitizen(identity: Omit<Applicant, 'password'>) {
    await seedSandbox(app.container, identity);
    const page = await applyInBrowser(englishBrowser(), { ...identity, password: PASSWORD });
    assert.equal(page.status, 201, mainText(page));
    return { cyberspace_id: issuedId(page), password: PASSWORD };
  }

  /** The account page with the account's state and its suspend, resume and cancel actions. */
  async function dashboard(browser: Browser): Promise<Page> {
    const page = await browser.navigate('/account/data');
    assert.ok(isPage(page));
    return page;
  }

  async function submitOnDashboard(browser: Browser, selector: string, fields: Record<string, string> = {}): Promise<Page> {
    const page = await browser.submit(await dashboard(browser), selector, fields);
    assert.ok(isPage(page));
    return page;
  }

  /** Cancelling is confirmed on its own page, reached from the dashboard's link. */
  async function submitOnCancelPage(browser: Browser, fields: Record<string, string>): Promise<Page> {
    assert.ok((await dashboard(browser)).document.querySelector('a[href="/account/cancel"]'), 'the dashboard links to the cancellation page');
    const confirmation = await browser.navigate('/account/cancel');
    assert.ok(isPage(confirmation));
    const page = await browser.submit(confirmation, 'form[action="/account/cancel"]', fields);
    assert.ok(isPage(page));
    return page;
  }

  /** A POST with this browser's CSRF token, for actions whose form the page does not offer. */
  async function postFromDashboard(browser: Browser, path: string): Promise<Response> {
    const csrf = (await dashboard(browser)).document.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    return browser.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf }) });
  }

  async function assertIspSignInRefused(citizen: Credentials, message: RegExp) {
    const visit = await visitIsp(englishBrowser(), isp, citizen);
    assert.equal(visit.code, null, 'no code is issued');
    assert.equal(visit.callback, undefined);
    assert.match(visit.page!.document.querySelector('#login-error')?.text ?? mainText(visit.page!), message);
  }

  before(async () => {
    app = await startTestApp({ fetch: outgoing });
    isp = await createClient(app.container, { name: 'Video ISP', redirectUris: ['https://video.example/callback'] });
    news = await createClient(app.container, { name: 'News ISP', redirectUris: ['https://news.example/callback'], backchannelLogoutUri: BACKCHANNEL_URI });
  });
  after(async () => app.stop());

  describe('suspension by the citizen', () => {
    it('refuses ISP sign-in and refresh, introspection says inactive; resuming restores all of it', async () => {
      const citizen = await app.container.citizens.createTestCitizen();
      const tokens = await tokensFor(citizen);
      await assertActive(isp, tokens.access_token, true, 'access token before suspension');
      await assertActive(isp, tokens.refresh_token!, true, 'refresh token before suspension');

      const browser = englishBrowser();
      await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      const suspended = await submitOnDashboard(browser, 'form[action="/account/suspend"]');
      assert.equal(suspended.status, 200);
      assert.match(mainText(suspended), /Your cyberspace ID is suspended/);
      assert.equal(suspended.document.querySelector('#account-status')!.text.trim(), 'Suspended');
      assert.equal((await row(citizen.cyberspace_id)).status, 'suspended');

      // Sign-in at an ISP: refused with the suspended message, in a new browser and in the one
      // that already holds a session (it is asked to sign in again; prompt=none gets login_required).
      await assertIspSignInRefused(citizen, /suspended/);
      const silent = await visitIsp(tokens.browser, isp, undefined, { prompt: 'none' });
      assert.equal(silent.callback?.searchParams.get('error'), 'login_required');
      const existing = await visitIsp(tokens.browser, isp, citizen);
      assert.equal(existing.code, null);
      assert.match(existing.page!.document.querySelector('#login-error')!.text, /suspended/);

      // The ISP's tokens: refresh refused, introspection inactive, userinfo refused.
      await assertActive(isp, tokens.access_token, false, 'access token while suspended');
      await assertActive(isp, tokens.refresh_token!, false, 'refresh token while suspended');
      await assertRefreshTokenDead(app.url, isp, tokens.refresh_token!, 'refresh while suspended');
      await assertAccessTokenDead(app.url, tokens.access_token, 'access token while suspended');

      const resumed = await submitOnDashboard(browser, 'form[action="/account/resume"]');
      assert.match(mainText(resumed), /active again/);
      assert.equal((await row(citizen.cyberspace_id)).status, 'active');
      await assertActive(isp, tokens.access_token, true, 'access token after resumption');
      await assertActive(isp, tokens.refresh_token!, true, 'refresh token after resumption');
      await assertAccessTokenAlive(app.url, tokens.access_token);
      const rotated = await rotate(isp, tokens.refresh_token!);
      await assertAccessTokenAlive(app.url, rotated.access_token, 'access token from the refreshed grant');
      const again = await visitIsp(tokens.browser, isp, citizen);
      assert.ok(again.code, 'signing in at the ISP works again');
    });
  });

  describe('suspension by the operator (cyberid citizen suspend)', () => {
    it('shows the reason to the citizen, who cannot resume; only the operator lifts it', async () => {
      const citizen = await app.container.citizens.createTestCitizen();
      const tokens = await tokensFor(citizen);
      const reason = 'Reported for misuse, case 2026-117. Contact the help desk.';
      // The ID is typed the forgiving way (lowercase, grouped with hyphens).
      const suspended = await cli('citizen', 'suspend', formatForReading(citizen.cyberspace_id).toLowerCase(), '--reason', reason, '--json');
      assert.equal(suspended.exitCode ?? 0, 0, suspended.output);
      assert.deepEqual(JSON.parse(suspended.output), { cyberspace_id: citizen.cyberspace_id, status: 'suspended' });
      const stored = await row(citizen.cyberspace_id);
      assert.equal(stored.status, 'suspended');
      assert.equal(stored.suspended_by, 'operator');

      // The citizen still opens the dashboard, sees why, and has no way to resume.
      const browser = englishBrowser();
      const page = await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      assert.equal(page.status, 200);
      assert.match(page.document.querySelector('.alert[role=alert]')!.text, /Suspended by the operator\. Reason given: Reported for misuse, case 2026-117\./);
      const data = await dashboard(browser);
      assert.match(data.document.querySelector('.alert[role=alert]')!.text, /Reason given: Reported for misuse/);
      assert.equal(data.document.querySelector('form[action="/account/resume"]'), null, 'no resume button');
      assert.equal(data.document.querySelector('form[action="/account/suspend"]'), null);
      const resume = await postFromDashboard(browser, '/account/resume');
      assert.equal(resume.status, 403, 'the citizen cannot lift an operator’s suspension');
      await resume.body?.cancel();
      assert.equal((await row(citizen.cyberspace_id)).status, 'suspended');

      await assertIspSignInRefused(citizen, /suspended/);
      await assertRefreshTokenDead(app.url, isp, tokens.refresh_token!);
      await assertActive(isp, tokens.access_token, false, 'access token while suspended by the operator');

      const resumed = await cli('citizen', 'resume', citizen.cyberspace_id);
      assert.equal(resumed.exitCode ?? 0, 0, resumed.output);
      assert.match(resumed.output, new RegExp(citizen.cyberspace_id));
      assert.equal((await row(citizen.cyberspace_id)).status, 'active');
      const after = await dashboard(browser);
      assert.equal(after.document.querySelector('#account-status')!.text.trim(), 'Active');
      assert.doesNotMatch(after.html, /Reported for misuse/, 'the reason goes with the suspension');
      await rotate(isp, tokens.refresh_token!);
    });

    it('takes over a suspension the citizen made, so the citizen can no longer lift it', async () => {
      const citizen = await app.container.citizens.createTestCitizen();
      const browser = englishBrowser();
      await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      await submitOnDashboard(browser, 'form[action="/account/suspend"]');
      assert.ok((await dashboard(browser)).document.querySelector('form[action="/account/resume"]'));
      await app.container.lifecycle.suspendByOperator(citizen.cyberspace_id, 'Fraud investigation');
      assert.equal((await dashboard(browser)).document.querySelector('form[action="/account/resume"]'), null);
      const resume = await postFromDashboard(browser, '/account/resume');
      assert.equal(resume.status, 403);
      await resume.body?.cancel();
    });

    it('returns a minor’s account still awaiting the guardian to pending, not active, when lifted', async () => {
      const guardian = await adultWithIdentity(app.container);
      const identity = personAged(15, '少年庚');
      await confirmGuardianOf(app.container, guardian, identity);
      const page = await applyInBrowser(englishBrowser(), { ...identity, password: PASSWORD, guardian: guardian.cyberspace_id });
      assert.equal(page.status, 201);
      const minor = { cyberspace_id: issuedId(page), password: PASSWORD };
      await cli('citizen', 'suspend', minor.cyberspace_id, '--reason', 'Check pending');
      assert.equal((await row(minor.cyberspace_id)).status, 'suspended');
      const lifted = await cli('citizen', 'resume', minor.cyberspace_id, '--json');
      assert.equal(JSON.parse(lifted.output).status, 'pending_guardian');
      assert.equal((await row(minor.cyberspace_id)).status, 'pending_guardian', 'the operator cannot approve in the guardian’s place');
      await assertIspSignInRefused(minor, /waiting for your guardian’s approval/);
      await app.container.guardianship.approveAccount(guardian.citizen, (await row(minor.cyberspace_id)).id);
      assert.equal((await row(minor.cyberspace_id)).status, 'active');

      // An approved minor, and a child its guardian applied for, come back active.
      await cli('citizen', 'suspend', minor.cyberspace_id, '--reason', 'Check again');
      await cli('citizen', 'resume', minor.cyberspace_id);
      assert.equal((await row(minor.cyberspace_id)).status, 'active');
      const child = personAged(10, '小孩辛');
      await confirmGuardianOf(app.container, guardian, child);
      const applied = await app.container.applications.apply({ ...child, password: PASSWORD }, guardian.citizen);
      await cli('citizen', 'suspend', applied.cyberspaceId, '--reason', 'Check child');
      await cli('citizen', 'resume', applied.cyberspaceId);
      assert.equal((await row(applied.cyberspaceId)).status, 'active');
    });

    it('reports usage errors and unknown IDs without changing anything', async () => {
      const citizen = await app.container.citizens.createTestCitizen();
      assert.equal((await cli('citizen', 'suspend', citizen.cyberspace_id)).exitCode, 2, '--reason is required');
      assert.equal((await cli('citizen', 'suspend', citizen.cyberspace_id, '--reason', '   ')).exitCode, 2, 'a blank reason is no reason');
      assert.equal((await cli('citizen', 'suspend', '--reason', 'x')).exitCode, 2, 'the cyberspace ID is required');
      assert.equal((await cli('citizen', 'suspend', generateCyberspaceId(), '--reason', 'x')).exitCode, 1, 'unknown cyberspace ID');
      assert.equal((await cli('citizen', 'resume', citizen.cyberspace_id)).exitCode, 1, 'not suspended');
      assert.equal((await row(citizen.cyberspace_id)).status, 'active');
      const help = await cli('citizen', 'suspend', '--help');
      assert.match(help.output, /citizen suspend CYBERSPACE_ID --reason/);
      assert.match((await cli()).output, /citizen suspend/, 'listed in the usage');
    });
  });

  describe('cancellation', () => {
    it('with the wrong password changes nothing', async () => {
      const citizen = await appliedCitizen(personAged(40, '注销甲'));
      const tokens = await tokensFor(citizen);
      const before = await row(citizen.cyberspace_id);
      const browser = englishBrowser();
      await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      // The right password without the ticked confirmation is refused too.
      const unconfirmed = await submitOnCancelPage(browser, { password: citizen.password });
      assert.equal(unconfirmed.status, 400);
      assert.match(unconfirmed.document.querySelector('#cancel-error')!.text, /cannot be undone\. Nothing was changed/);
      assert.equal(unconfirmed.document.querySelector('#cancel-understood')!.getAttribute('aria-invalid'), 'true');
      assert.equal((await row(citizen.cyberspace_id)).status, 'active');
      const refused = await submitOnCancelPage(browser, { password: 'not my password at all', understood: 'yes' });
      assert.equal(refused.status, 400);
      assert.match(refused.document.querySelector('#cancel-error')!.text, /incorrect\. Nothing was changed/);
      const after = await row(citizen.cyberspace_id);
      assert.deepEqual({ ...after, updated_at: null }, { ...before, updated_at: null });
      assert.equal(after.status, 'active');
      await rotate(isp, tokens.refresh_token!);
      assert.equal((await dashboard(browser)).status, 200, 'the account session continues');
    });

    it('crypto-shreds the identity, never reissues the ID, revokes every grant and token, ends sessions and tells back-channel ISPs', async () => {
      const identity = personAged(35, '注销乙');
      const citizen = await appliedCitizen(identity);
      const video = await tokensFor(citizen, isp);
      const newsTokens = await tokensFor(citizen, news, video.browser);
      const newsSub = idTokenClaims(newsTokens).sub;
      assert.notEqual(newsSub, citizen.cyberspace_id);
      const before = await row(citizen.cyberspace_id);
      assert.ok(before.data_key && before.name_ciphertext && before.birth_date_ciphertext, 'identity data is held before');
      assert.ok((await app.container.durable.findGrantsByAccount(citizen.cyberspace_id)).length >= 2);

      const other = englishBrowser(); // a second account session, elsewhere
      await signInToAccount(other, citizen.cyberspace_id, citizen.password);
      const browser = englishBrowser();
      await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      const sessionCookie = browser.cookies.get(ACCOUNT_COOKIE)!;
      logoutPosts.length = 0;

      const cancelled = await submitOnCancelPage(browser, { password: citizen.password, understood: 'yes' });
      assert.equal(cancelled.status, 200, mainText(cancelled));
      assert.match(mainText(cancelled), /identity data has been destroyed/);

      // Crypto-shredded: the data key and every ciphertext are gone.
      const shredded = await row(citizen.cyberspace_id);
      assert.ok(shredded, 'the row stays');
      assert.equal(shredded.status, 'cancelled');
      assert.equal(shredded.data_key, null);
      const ciphertextColumns = Object.keys(shredded).filter((column) => column.endsWith('_ciphertext'));
      assert.ok(ciphertextColumns.length >= 4, `ciphertext columns: ${ciphertextColumns.join(', ')}`);
      for (const column of ciphertextColumns) assert.equal(shredded[column as keyof typeof shredded], null, column);
      assert.equal(shredded.document_blind_index, null);
      assert.ok(shredded.cancelled_at);

      // The cyberspace ID is never issued again: its row holds the unique value.
      await assert.rejects(
        app.container.citizenQueries.insertCitizen({ id: crypto.randomUUID(), cyberspace_id: citizen.cyberspace_id, password_hash: 'x', status: 'active', assurance_level: 'test' }),
        (error: { code?: string }) => error.code === '23505',
      );
      const reapplied = await applyInBrowser(englishBrowser(), { ...identity, password: 'yet another long phrase' });
      assert.equal(reapplied.status, 201, 'the same person may apply again…');
      assert.notEqual(issuedId(reapplied), citizen.cyberspace_id, '…and gets a different cyberspace ID');

      // Every grant and token is revoked.
      assert.deepEqual(await app.container.durable.findGrantsByAccount(citizen.cyberspace_id), []);
      await assertRefreshTokenDead(app.url, isp, video.refresh_token!);
      await assertRefreshTokenDead(app.url, news, newsTokens.refresh_token!);
      await assertAccessTokenDead(app.url, video.access_token);
      await assertActive(news, newsTokens.access_token, false, 'access token after cancellation');

      // Every account session has ended, including the one the cancel was made from.
      for (const [label, cookie] of [['the cancelling browser', sessionCookie], ['another browser', other.cookies.get(ACCOUNT_COOKIE)!]]) {
        const response = await fetch(`${app.url}/account`, { headers: { cookie: `${ACCOUNT_COOKIE}=${cookie}` }, redirect: 'manual' });
        assert.equal(response.status, 303, label);
        assert.equal(new URL(response.headers.get('location')!, app.url).pathname, '/account/login', label);
        await response.body?.cancel();
        assert.equal(await app.container.accountSessions.touch(cookie), undefined, `${label}: the session itself is gone from the store`);
      }
      const login = await signInToAccount(englishBrowser(), citizen.cyberspace_id, citizen.password);
      assert.equal(login.status, 400, 'the cancelled ID cannot sign in');
      await assertIspSignInRefused(citizen, /incorrect/);

      // The ISP registered for back-channel logout got a signed logout token for its pairwise sub.
      assert.equal(logoutPosts.length, 1, `logout POSTs: ${logoutPosts.map((p) => p.url).join(', ')}`);
      assert.equal(logoutPosts[0]!.url, BACKCHANNEL_URI);
      const logoutToken = logoutPosts[0]!.body.get('logout_token')!;
      const discovery = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
      const jwks = (await (await fetch(discovery.jwks_uri)).json()) as JSONWebKeySet;
      const { payload, protectedHeader } = await jwtVerify(logoutToken, createLocalJWKSet(jwks), { issuer: app.url, audience: news.client_id, typ: 'logout+jwt' });
      assert.equal(payload.sub, newsSub, 'the logout token names the sub the ISP knows');
      assert.ok(protectedHeader.kid);
      assert.deepEqual(payload.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
      assert.equal(payload.nonce, undefined);
      assert.notEqual(decodeJwt(logoutToken).sub, citizen.cyberspace_id);
    });
  });

  describe('password recovery by re-proving the identity document', () => {
    const identity = { documentType: 'passport' as const, documentNumber: 'G87654321', name: 'Forget Ful', birthDate: '1988-08-08' };
    let citizen: Credentials;

    before(async () => {
      citizen = await appliedCitizen(identity);
    });

    async function recover(fields: Partial<Record<'cyberspace_id' | 'document_type' | 'document_number' | 'name' | 'birth_date' | 'password', string>>) {
      const browser = englishBrowser();
      const form = await browser.navigate('/recover');
      assert.ok(isPage(form));
      return browser.submit(form, 'form[action="/recover"]', {
        cyberspace_id: citizen.cyberspace_id,
        document_type: identity.documentType,
        document_number: identity.documentNumber,
        name: identity.name,
        birth_date: identity.birthDate,
        password: 'a brand new passphrase',
        ...fields,
      });
    }

    it('gives one generic answer whichever detail is wrong, and changes nothing', async () => {
      const cancelled = await app.container.citizens.createTestCitizen();
      await app.container.lifecycle.cancel(cancelled.citizen, cancelled.password);
      const wrong: Array<[string, Parameters<typeof recover>[0]]> = [
        ['document number', { document_number: 'G87654322' }],
        ['name', { name: 'Forget Fulness' }],
        ['birth date', { birth_date: '1988-08-09' }],
        ['document type', { document_type: 'hk_macao_permit' }],
        ['cyberspace ID never issued', { cyberspace_id: generateCyberspaceId() }],
        ['cancelled cyberspace ID', { cyberspace_id: cancelled.cyberspace_id }],
      ];
      const answers = new Set<string>();
      for (const [label, fields] of wrong) {
        const page = await recover(fields);
        assert.ok(isPage(page));
        assert.equal(page.status, 400, label);
        const alert = page.document.querySelector('.alert[role=alert]');
        assert.ok(alert, label);
        assert.equal(alert.text.trim(), 'These details do not match our records for this cyberspace ID.', label);
        assert.equal(page.document.querySelectorAll('[aria-invalid]').length, 0, `${label}: no field singled out`);
        answers.add(alert.innerHTML);
      }
      assert.equal(answers.size, 1, 'the same answer every time');
      const stillOld = await signInToAccount(englishBrowser(), citizen.cyberspace_id, citizen.password);
      assert.equal(stillOld.status, 200, 'the password is unchanged');
    });

    it('sets the new password and ends every session: the account’s and the OIDC browser session', async () => {
      const browser = englishBrowser();
      await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      const accountCookie = browser.cookies.get(ACCOUNT_COOKIE)!;
      const first = await visitIsp(browser, isp, citizen);
      assert.ok(first.code, 'signed in at the ISP');
      const silent = await visitIsp(browser, isp, undefined, { prompt: 'none' });
      assert.ok(silent.code, 'the browser session signs in silently before recovery');
      // No waiting: a session from the very second of the recovery ends too.

      const done = await recover({ password: 'a brand new passphrase' });
      assert.ok(isPage(done));
      assert.equal(new URL(done.url).pathname, '/account/login');
      assert.match(mainText(done), /password has been changed and every session has ended/);

      const old = await signInToAccount(englishBrowser(), citizen.cyberspace_id, citizen.password);
      assert.equal(old.status, 400, 'the old password no longer works');
      const fresh = await signInToAccount(englishBrowser(), citizen.cyberspace_id, 'a brand new passphrase');
      assert.equal(fresh.status, 200, 'the new one does');
      assert.ok(fresh.document.querySelector('#account-status'));

      // The account session from before recovery is over.
      const response = await fetch(`${app.url}/account`, { headers: { cookie: `${ACCOUNT_COOKIE}=${accountCookie}` }, redirect: 'manual' });
      assert.equal(response.status, 303);
      assert.equal(new URL(response.headers.get('location')!, app.url).pathname, '/account/login');
      await response.body?.cancel();
      assert.equal(await app.container.accountSessions.touch(accountCookie), undefined, 'the session is gone from the store');
      const page = await browser.navigate('/account');
      assert.ok(isPage(page));
      assert.equal(new URL(page.url).pathname, '/account/login');

      // So is the OIDC browser session: the ISP's next authorization asks to sign in again.
      const after = await visitIsp(browser, isp, undefined, { prompt: 'none' });
      assert.equal(after.callback?.searchParams.get('error'), 'login_required');
      const interactive = await visitIsp(browser, isp, undefined);
      assert.ok(interactive.page?.document.querySelector('form[action$="/login"]'), 'the sign-in form is shown');
      // A session from the very second of the recovery counts as older (login times are whole
      // seconds, and the safe side is to end it); a person signs in later than that.
      await sleep(1000);
      const renewed = await visitIsp(browser, isp, { cyberspace_id: citizen.cyberspace_id, password: 'a brand new passphrase' });
      assert.ok(renewed.code, 'signing in with the new password works');
      citizen = { ...citizen, password: 'a brand new passphrase' };
    });
  });
});
