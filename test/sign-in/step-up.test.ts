// Honest step-up (issue 7, OIDC Core §5.5.1.1): discovery lists the acr values; a session below
// the requested level is stepped up with a second factor inside the same SSO session; an
// essential acr the citizen cannot reach, or the operator's --min-acr, gets
// unmet_authentication_requirements after a page saying how to add a second factor; a voluntary
// request is never silently downgraded (the citizen chooses, and the ID token says what they used).
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { authorizeUrl, signIn } from '../support/flow.js';
import { idTokenClaims, redeem, type TestClient } from '../support/tokens.js';
import { runCommand } from '../../src/cli/registry.js';
import { ACR_PASSKEY, ACR_PASSWORD, ACR_PASSWORD_TOTP } from '../../src/sign-in/acr.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { adultIdentity, appliedCitizen } from '../account/account-support.js';

const essential = (values: string[]) => JSON.stringify({ id_token: { acr: { essential: true, values } } });
const lead = (page: Page) => page.document.querySelector('#step-up')?.text.trim() ?? '';

describe('sign-in levels and step-up', () => {
  let app: TestApp;
  let client: TestClient;
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Bank ISP' });
  });
  after(async () => app.stop());

  async function enableTotp(cyberspaceId: string): Promise<TOTP> {
    const row = (await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
    const { secret } = await app.container.twoFactor.pendingEnrolment(row);
    const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    await app.container.twoFactor.confirmEnrolment(row, totp.generate());
    return totp;
  }
  /** Opens an authorization request and returns the first page (or the redirect). */
  const open = (browser: Browser, params: Record<string, string>) => browser.navigate(authorizeUrl(app.url, client, { ui_locales: 'en', ...params }).url.href);
  const login = (browser: Browser, page: Page, c: { cyberspace_id: string; password: string }) =>
    browser.submit(page, 'form[action$="/login"]', { cyberspace_id: c.cyberspace_id, password: c.password });

  it('publishes every acr value and the claims parameter in discovery', async () => {
    const discovery = await (await fetch(`${app.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.deepEqual(discovery.acr_values_supported, [ACR_PASSWORD, ACR_PASSWORD_TOTP, ACR_PASSKEY]);
    assert.equal(discovery.claims_parameter_supported, true);
  });

  it('steps a low session up to substantial with a code only, inside the same SSO session', async () => {
    const citizen = await appliedCitizen(app, adultIdentity('升级甲'));
    const first = await signIn(app.url, client, citizen, { params: { ui_locales: 'en' } });
    const low = await idTokenClaims(await redeem(app.url, client, first));
    assert.equal(low.acr, ACR_PASSWORD);
    const totp = await enableTotp(citizen.cyberspace_id);

    const { url, verifier } = authorizeUrl(app.url, client, { ui_locales: 'en', acr_values: ACR_PASSWORD_TOTP });
    const page = await first.browser.navigate(url.href);
    assert.ok(isPage(page) && page.document.querySelector('form[action$="/code"]'), 'the code page, not the password form');
    assert.equal(page.document.querySelector('form[action$="/login"]'), null);
    const back = await first.browser.submit(page, 'form[action$="/code"]', { code: totp.generate({ timestamp: Date.now() + 30_000 }) }); // enrolment used this step's code
    assert.ok(!isPage(back), isPage(back) ? `${back.status} ${back.document.querySelector('main')?.text}` : '');
    const high = await idTokenClaims(await redeem(app.url, client, { code: back.redirectedTo.searchParams.get('code'), verifier }));
    assert.equal(high.acr, ACR_PASSWORD_TOTP);
    assert.deepEqual(high.amr, ['pwd', 'otp', 'mfa']);
    assert.equal(high.sid, low.sid, 'the same SSO session');
    assert.equal(high.sub, low.sub);
  });

  it('an essential acr the citizen cannot reach: a page on adding a second factor, then unmet_authentication_requirements', async () => {
    const citizen = await appliedCitizen(app, adultIdentity('升级乙'));
    const browser = new Browser(app.url);
    const opened = await open(browser, { claims: essential([ACR_PASSWORD_TOTP]) });
    assert.ok(isPage(opened));
    const page = await login(browser, opened, citizen);
    assert.ok(isPage(page), 'a page, not a silent downgrade');
    assert.equal(page.status, 403);
    assert.equal(lead(page), en['stepup.unmet.lead'].replaceAll('{client}', 'Bank ISP'));
    assert.ok(page.document.querySelector('a[href="/account/two-factor"]'));
    assert.equal(page.document.querySelector('form[action$="/continue"]'), null, 'no way on below an essential request');
    const answer = await browser.submit(page, 'form[action$="/unmet"]');
    assert.ok(!isPage(answer));
    assert.equal(answer.redirectedTo.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.equal(answer.redirectedTo.searchParams.get('code'), null);
  });

  it('says the same in Chinese', async () => {
    const citizen = await appliedCitizen(app, adultIdentity('升级丙'));
    const browser = new Browser(app.url);
    const opened = await open(browser, { claims: essential([ACR_PASSWORD_TOTP]), ui_locales: 'zh-CN' });
    assert.ok(isPage(opened));
    const page = await login(browser, opened, citizen);
    assert.ok(isPage(page));
    assert.equal(lead(page), zhCN['stepup.unmet.lead'].replaceAll('{client}', 'Bank ISP'));
  });

  it('a voluntary acr_values the citizen cannot reach: they choose to go on, and the ID token says password', async () => {
    const citizen = await appliedCitizen(app, adultIdentity('升级丁'));
    const browser = new Browser(app.url);
    const { url, verifier } = authorizeUrl(app.url, client, { ui_locales: 'en', acr_values: ACR_PASSWORD_TOTP });
    const opened = await browser.navigate(url.href);
    assert.ok(isPage(opened));
    let page = await login(browser, opened, citizen);
    assert.ok(isPage(page), 'never a silent downgrade');
    assert.equal(lead(page), en['stepup.voluntary.lead'].replaceAll('{client}', 'Bank ISP'));
    page = await browser.submit(page, 'form[action$="/continue"]');
    assert.ok(isPage(page) && page.document.querySelector('form[action$="/confirm"]'), 'on to consent');
    const back = await browser.submit(page, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(back));
    const claims = await idTokenClaims(await redeem(app.url, client, { code: back.redirectedTo.searchParams.get('code'), verifier }));
    assert.equal(claims.acr, ACR_PASSWORD);
    assert.deepEqual(claims.amr, ['pwd']);
  });

  it('the operator\'s --min-acr substantial refuses password-only sign-ins with the same error', async () => {
    const strict = await createClient(app.container, { name: 'Strict ISP' });
    const set = await runCommand(app.container, ['client', 'update', strict.client_id, '--min-acr', 'substantial']);
    assert.equal(set.exitCode ?? 0, 0, set.output);
    assert.equal(JSON.parse(set.output).min_acr, 'substantial');
    const bad = await runCommand(app.container, ['client', 'update', strict.client_id, '--min-acr', 'high']);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.output, /--min-acr must be low or substantial/);
    await app.container.providerHolder.refresh();
    const citizen = await appliedCitizen(app, adultIdentity('升级戊'));
    const browser = new Browser(app.url);
    const opened = await browser.navigate(authorizeUrl(app.url, strict, { ui_locales: 'en' }).url.href);
    assert.ok(isPage(opened));
    const page = await login(browser, opened, citizen);
    assert.ok(isPage(page) && page.status === 403, 'refused, with the page on adding a second factor');
    const answer = await browser.submit(page, 'form[action$="/unmet"]');
    assert.ok(!isPage(answer));
    assert.equal(answer.redirectedTo.searchParams.get('error'), 'unmet_authentication_requirements');
    // With a second factor the same citizen gets in, at substantial.
    await enableTotp(citizen.cyberspace_id);
    const again = await browser.navigate(authorizeUrl(app.url, strict, { ui_locales: 'en' }).url.href);
    assert.ok(isPage(again));
    const codePage = await login(browser, again, citizen);
    assert.ok(isPage(codePage) && codePage.document.querySelector('form[action$="/code"]'));
  });
});
