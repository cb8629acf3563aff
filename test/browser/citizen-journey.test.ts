// A citizen's whole journey in Debian's Chromium, clicking and typing as a person does (no form
// posted by hand, JavaScript switched off as the pages promise):
// apply with a sandbox identity → an ISP sends the browser to sign in → the new ID typed in lower
// case with spaces → consent with the optional age item unticked → the ISP redeems the code and
// gets exactly the consented claims, and its refresh token works → the dashboard shows the ISP
// with the ID it knows, and the sign-in in the activity → Revoke access → the ISP's refresh fails
// → turns on two-step sign-in and is shown ten recovery codes (fitting a 375 px phone) → signs in
// at the ISP again with the password and a recovery code in place of the authenticator code.
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { authorizeUrl } from '../support/flow.js';
import { seedSandbox } from '../support/citizen-pages.js';
import { assertRefreshTokenDead, idTokenClaims, redeem, refresh, type TestClient, type TokenSet } from '../support/tokens.js';
import { ispReturns, launchChromium } from '../support/chromium.js';
import { residentIdCheckCharacter } from '../../src/identity/resident-id.js';
import { ACR_PASSWORD_TOTP } from '../../src/sign-in/acr.js';
import type { IdentityClaim } from '../../src/identity-authority/port.js';

const ISP_ORIGIN = 'https://shop.isp.example';
const ISP_NAME = 'Example Shop';
const SCOPE = 'openid age verified offline_access';
const PASSWORD = 'seven orange bicycles climb slowly';
const BIRTH_DATE = '1990-05-17';
const first17 = `110105${BIRTH_DATE.replaceAll('-', '')}421`;
const IDENTITY: IdentityClaim = { documentType: 'resident_id', documentNumber: first17 + residentIdCheckCharacter(first17), name: '王小明', birthDate: BIRTH_DATE };

describe('a citizen’s journey in Chromium: apply, sign in to an ISP, consent, dashboard, revoke', function () {
  this.timeout(120_000);
  let app: TestApp;
  let client: TestClient;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let isp: ReturnType<typeof ispReturns>;

  // What the steps hand on to each other.
  let cyberspaceId = ''; // as shown on the success page, with the reading hyphens
  let verifier = ''; // the PKCE verifier of the ISP's authorization request
  let tokens: TokenSet;
  let refreshToken = '';
  let recoveryCodes: string[] = [];

  // The steps depend on each other: once one fails, the rest are skipped rather than failing noisily.
  let broken = false;
  beforeEach(function () {
    if (broken) this.skip();
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed') broken = true;
  });

  before(async () => {
    chromium = await launchChromium();
    app = await startTestApp();
    await seedSandbox(app.container, IDENTITY);
    client = await createClient(app.container, {
      name: ISP_NAME,
      scope: SCOPE,
      redirectUris: [`${ISP_ORIGIN}/callback`],
      purposes: { age: { en: 'to sell age-restricted goods only to adults', 'zh-CN': '仅向成年人出售限制年龄的商品' } },
    });
    context = await chromium.newContext({ javaScriptEnabled: false, locale: 'en-GB', viewport: { width: 1024, height: 768 } });
    page = await context.newPage();
    isp = ispReturns(page, ISP_ORIGIN);
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
    await app?.stop();
  });

  const text = (selector: string) => page.locator(selector).innerText();
  /** Clicks and waits for the page the click leads to (after any redirects); returns its HTTP status. */
  const clickAndLoad = async (selector: string) => {
    let status: number | undefined;
    const onResponse = (response: Response) => {
      const redirect = response.status() >= 300 && response.status() < 400;
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame() && !redirect) status = response.status();
    };
    page.on('response', onResponse);
    try {
      await Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), page.click(selector)]);
      await page.waitForLoadState('load');
    } finally {
      page.off('response', onResponse);
    }
    return status;
  };

  it('applies: accepts the notice, types the document details, and is shown the new cyberspace ID', async () => {
    const notice = await page.goto(`${app.url}/apply`);
    assert.equal(notice?.status(), 200);
    await page.check('#accept');
    assert.equal(await clickAndLoad('form[action="/apply"] button[type="submit"]'), 200);

    await page.selectOption('#document_type', IDENTITY.documentType);
    await page.fill('#document_number', IDENTITY.documentNumber);
    await page.fill('#name', IDENTITY.name);
    await page.fill('#birth_date', IDENTITY.birthDate);
    await page.fill('#password', PASSWORD);
    assert.equal(await clickAndLoad('form[action="/apply/submit"] button[type="submit"]'), 201, await text('main'));

    cyberspaceId = (await text('#new-cyberspace-id')).trim();
    assert.match(cyberspaceId, /^[0-9A-Z]{4,6}(-[0-9A-Z]{4,6})+$/, 'shown in groups for reading');
    const row = await app.container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId.replaceAll('-', ''));
    assert.equal(row?.status, 'active', 'an adult’s new ID is active at once');
  });

  it('is sent by the ISP to sign in, and signs in with the ID typed in lower case with spaces', async () => {
    const request = authorizeUrl(app.url, client, { scope: SCOPE, prompt: 'consent' });
    verifier = request.verifier;
    const { url } = request;
    const login = await page.goto(url.href);
    assert.equal(login?.status(), 200);
    assert.match(await text('main'), new RegExp(ISP_NAME), 'the sign-in page names the ISP');
    const typed = cyberspaceId.replaceAll('-', '').toLowerCase().match(/.{1,4}/g)!.join(' ');
    await page.locator('#cyberspace_id').pressSequentially(typed);
    await page.locator('#password').pressSequentially(PASSWORD);
    assert.equal(await clickAndLoad('form[action$="/login"] button[type="submit"]'), 200);
    assert.equal(await page.locator('form[action$="/confirm"]').count(), 1, `signed in and shown the consent page: ${(await text('main')).slice(0, 300)}`);
  });

  it('unticks the optional age item and allows; the ISP gets exactly the consented claims', async () => {
    assert.match(await text('h1'), new RegExp(ISP_NAME));
    for (const scope of ['age', 'verified', 'offline_access']) {
      assert.equal(await page.isChecked(`#scope-${scope}`), true, `${scope} is offered ticked`);
    }
    assert.match(await text('#purpose-age'), /to sell age-restricted goods only to adults/, 'the ISP’s purpose is shown next to the item');
    await page.uncheck('#scope-age');
    assert.equal(await page.isChecked('#scope-age'), false);

    const callback = await isp.next(() => page.click('button[name="decision"][value="allow"]'));
    assert.equal(callback.origin + callback.pathname, client.redirect_uri);
    const code = callback.searchParams.get('code');
    assert.ok(code, `the ISP got a code: ${callback.href}`);
    tokens = await redeem(app.url, client, { code, verifier });
    const claims = idTokenClaims(tokens);
    assert.equal(claims.real_name_verified, false, 'document facts alone are low identity assurance');
    assert.equal(claims.identity_assurance_level, 'low');
    assert.deepEqual(Object.keys(claims).filter((name) => name.startsWith('age_over')), [], 'no age claim: the citizen unticked it');
    assert.ok(!String(tokens.scope).split(' ').includes('age'), `granted scope: ${tokens.scope}`);
    assert.ok(tokens.refresh_token, 'offline_access was left ticked: a refresh token is issued');

    const refreshed = await refresh(app.url, client, tokens.refresh_token);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const again = idTokenClaims(refreshed.body as unknown as TokenSet);
    assert.equal(again.sub, claims.sub);
    assert.deepEqual(Object.keys(again).filter((name) => name.startsWith('age_over')), [], 'refreshing does not add the withheld claims');
    refreshToken = String(refreshed.body.refresh_token ?? tokens.refresh_token);
  });

  it('opens the dashboard (signing in there) and sees the ISP with the ID it knows', async () => {
    await page.goto(`${app.url}/account`);
    assert.match(page.url(), /\/account\/login$/, 'the dashboard asks to sign in first');
    await page.fill('#cyberspace_id', cyberspaceId);
    await page.fill('#password', PASSWORD);
    assert.equal(await clickAndLoad('form[action="/account/login"] button[type="submit"]'), 200);
    assert.equal(new URL(page.url()).pathname, '/account');
    // The citizen's own ID: a read-only box to copy from (or, in older layouts, plain text).
    const box = page.locator('#my-cyberspace-id');
    const shown = (await box.count()) ? await box.inputValue() : await text('.id-display');
    assert.equal(shown.trim(), cyberspaceId);

    assert.equal(await clickAndLoad('nav.account-nav a[href="/account/services"]'), 200);
    const row = page.locator(`tr.connection[data-client-id="${client.client_id}"]`);
    assert.equal(await row.count(), 1, 'the ISP is listed under Connected services');
    assert.match(await row.innerText(), new RegExp(ISP_NAME));
    assert.equal((await row.locator('td.mono').innerText()).trim(), idTokenClaims(tokens).sub, 'the pairwise ID shown is the ID token’s sub');
    const received = await row.locator('td').nth(2).innerText();
    assert.match(received, /real name is verified/);
    assert.doesNotMatch(received, /over 1[468]/, 'the withheld age item is not listed as received');
  });

  it('lists the sign-in at the ISP in the dashboard’s activity', async () => {
    assert.equal(await clickAndLoad('nav.account-nav a[href="/account"]'), 200);
    const activity = page.locator('section[aria-labelledby="activity-heading"]');
    assert.equal(await activity.count(), 1, 'the dashboard has an Activity section');
    const entries = await activity.locator('tr.activity-entry').allInnerTexts();
    assert.ok(entries.some((entry) => entry.includes(`Signed in to ${ISP_NAME}`)), `the activity shows the sign-in at the ISP:\n${entries.join('\n')}`);
    assert.ok(entries.some((entry) => entry.includes(`You allowed ${ISP_NAME}`)), 'and the consent');
  });

  it('clicks Revoke access; the ISP disappears and its refresh token is refused (invalid_grant)', async () => {
    assert.equal(await clickAndLoad('nav.account-nav a[href="/account/services"]'), 200);
    const row = page.locator(`tr.connection[data-client-id="${client.client_id}"]`);
    await Promise.all([page.waitForURL(/\/account\/services\?done=revoked$/), row.getByRole('button', { name: 'Revoke access' }).click()]);
    assert.match(await text('.notice[role="status"]'), /Access revoked/);
    assert.equal(await page.locator(`tr.connection[data-client-id="${client.client_id}"]`).count(), 0, 'no longer listed');
    await assertRefreshTokenDead(app.url, client, refreshToken, 'the ISP’s refresh token after Revoke access');
  });

  it('turns on two-step sign-in and is shown ten recovery codes, which fit a 375 px phone', async () => {
    await page.goto(`${app.url}/account/two-factor`);
    const secret = (await text('#totp-secret')).replace(/\s/g, '');
    await page.fill('#code', new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate());
    assert.equal(await clickAndLoad('form[action="/account/two-factor"] button[type="submit"]'), 200);
    recoveryCodes = (await page.locator('#recovery-codes li').allInnerTexts()).map((code) => code.trim());
    assert.equal(recoveryCodes.length, 10, await text('main'));
    assert.match(await text('#recovery-codes-once'), /shown only this once/);
    await page.setViewportSize({ width: 375, height: 812 });
    assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 375, 'no sideways scrolling on a phone');
    const last = (await page.locator('#recovery-codes li').last().boundingBox())!;
    assert.ok(last.x + last.width <= 375, 'every code is on screen');
    await page.setViewportSize({ width: 1024, height: 768 });
    assert.equal(await clickAndLoad('#recovery-codes-saved'), 200);
    assert.match(await text('#recovery-codes-summary'), /Unused recovery codes: 10/);
  });

  it('signs in at the ISP with the password and a recovery code instead of the authenticator code', async () => {
    // Another day: the sign-in session has ended (its cookies are gone).
    await context.clearCookies();
    const request = authorizeUrl(app.url, client, { scope: 'openid' });
    await page.goto(request.url.href);
    await page.fill('#cyberspace_id', cyberspaceId);
    await page.fill('#password', PASSWORD);
    assert.equal(await clickAndLoad('form[action$="/login"] button[type="submit"]'), 200);
    assert.equal(await page.locator('form[action$="/code"]').count(), 1, 'the authenticator code is asked for');
    await page.fill('#recovery_code', recoveryCodes[0]!);
    assert.equal(await clickAndLoad('form[action$="/recovery-code"] button[type="submit"]'), 200);
    // Access was revoked a moment ago, so the ISP's consent is asked again.
    const callback = await isp.next(() => page.click('button[name="decision"][value="allow"]'));
    const code = callback.searchParams.get('code');
    assert.ok(code, `the ISP got a code: ${callback.href}`);
    const claims = idTokenClaims(await redeem(app.url, client, { code, verifier: request.verifier }));
    assert.equal(claims.acr, ACR_PASSWORD_TOTP, 'a recovery code stands in for the second factor');
    assert.deepEqual(claims.amr, ['pwd', 'otp', 'mfa']);
  });
});
