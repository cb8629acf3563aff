// Passkeys in Debian's Chromium, through the Chrome DevTools Protocol's virtual authenticator (a
// CTAP2 platform authenticator with user verification): a citizen adds a passkey on the
// dashboard (and, as for any first passkey, is shown recovery codes once), then an ISP sends the
// browser to sign in and the citizen chooses "Sign in with a passkey" without typing the
// cyberspace ID; the ISP's ID token says acr passkey, amr hwk + user.
// In both languages, with screenshots saved to docs/screenshots.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { authorizeUrl } from '../support/flow.js';
import { idTokenClaims, redeem, type TestClient } from '../support/tokens.js';
import { ispReturns, launchChromium } from '../support/chromium.js';
import { ACR_PASSKEY } from '../../src/sign-in/acr.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';

const ISP_ORIGIN = 'https://shop.isp.example';
const TABLES = { en, 'zh-CN': zhCN } as const;
const NAMES = { en: 'Work laptop', 'zh-CN': '办公室电脑' } as const;

describe('passkeys in Chromium: add one on the dashboard, sign in with it at an ISP', function () {
  this.timeout(120_000);
  let app: TestApp;
  let client: TestClient;
  let chromium: Browser;

  before(async () => {
    chromium = await launchChromium();
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Example Shop', redirectUris: [`${ISP_ORIGIN}/callback`] });
  });
  after(async () => {
    await chromium?.close();
    await app?.stop();
  });

  const waitForPage = (page: Page, action: () => Promise<unknown>) =>
    Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), action()]).then(() => page.waitForLoadState('load'));

  for (const locale of ['en', 'zh-CN'] as const) {
    it(`adds a passkey and signs in with it at an ISP (${locale})`, async () => {
      const t = TABLES[locale];
      const { cyberspace_id, password } = await app.container.citizens.createTestCitizen();
      const context: BrowserContext = await chromium.newContext({ locale, viewport: { width: 1024, height: 768 }, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
      const page = await context.newPage();
      const scriptErrors: string[] = [];
      page.on('pageerror', (error) => scriptErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') scriptErrors.push(message.text());
      });
      try {
        const cdp = await context.newCDPSession(page);
        await cdp.send('WebAuthn.enable');
        const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
          options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
        });

        await page.goto(`${app.url}/account/login`);
        await page.fill('#cyberspace_id', cyberspace_id);
        await page.fill('#password', password);
        await waitForPage(page, () => page.click('form[action="/account/login"] button[type="submit"]'));
        await waitForPage(page, () => page.click('nav.account-nav a[href="/account/security"]'));
        await waitForPage(page, () => page.click('a[href="/account/passkeys"]'));
        assert.equal(await page.locator('#passkeys-none').innerText(), t['passkey.none']);
        await page.fill('#passkey-new-name', NAMES[locale]);
        await waitForPage(page, () => page.click('form[data-passkey="register"] button[type="submit"]'));
        // The first passkey answers with ten recovery codes, shown once, then the list.
        assert.equal(await page.locator('#recovery-codes li').count(), 10, 'the first passkey issues recovery codes');
        await waitForPage(page, () => page.click('#recovery-codes-saved'));
        assert.equal(await page.locator('#passkey-done').innerText(), t['passkey.done.added']);
        assert.deepEqual(await page.locator('.passkey-name').allInnerTexts(), [NAMES[locale]]);
        assert.match(await page.locator('.passkey').innerText(), new RegExp(t['passkey.never_used']));
        const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
        assert.equal(credentials.length, 1);
        assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential');
        await page.screenshot({ path: `docs/screenshots/passkeys.${locale}.png`, fullPage: true, animations: 'disabled', caret: 'hide' });

        // The ISP sends the browser to sign in; no cyberspace ID is typed. Where the browser has
        // conditional UI, the passkey is offered with the ID field and (the virtual authenticator
        // answering at once) signs in as the page opens.
        const isp = ispReturns(page, ISP_ORIGIN);
        const signInAtIsp = async (request: ReturnType<typeof authorizeUrl>, action: () => Promise<unknown>) => {
          const callback = await isp.next(action);
          const code = callback.searchParams.get('code');
          assert.ok(code, `the ISP got a code: ${callback.href}`);
          const claims = idTokenClaims(await redeem(app.url, client, { code, verifier: request.verifier }));
          assert.equal(claims.acr, ACR_PASSKEY);
          assert.deepEqual(claims.amr, ['hwk', 'user']);
        };
        const conditional = authorizeUrl(app.url, client, { scope: 'openid', ui_locales: locale, prompt: 'login' });
        await page.goto(conditional.url.href);
        await page.waitForSelector('form[action$="/confirm"]');
        await signInAtIsp(conditional, () => page.click('button[name="decision"][value="allow"]'));

        // A browser without conditional UI: the "Sign in with a passkey" button.
        await page.addInitScript(() => {
          const pkc = (globalThis as unknown as { PublicKeyCredential?: { isConditionalMediationAvailable?: unknown } }).PublicKeyCredential;
          if (pkc) delete pkc.isConditionalMediationAvailable;
        });
        const viaButton = authorizeUrl(app.url, client, { scope: 'openid', ui_locales: locale, prompt: 'login' });
        await page.goto(viaButton.url.href);
        const button = page.locator('form[data-passkey="sign-in"] button[type="submit"]');
        assert.equal(await button.innerText(), t['passkey.sign_in.button']);
        assert.equal(await page.getAttribute('#cyberspace_id', 'autocomplete'), 'username webauthn');
        await page.screenshot({ path: `docs/screenshots/login-passkey.${locale}.png`, fullPage: true, animations: 'disabled', caret: 'hide' });
        // Consent was given a moment ago: the passkey leads straight back to the ISP.
        await signInAtIsp(viaButton, () => button.click());

        await page.goto(`${app.url}/account/passkeys`);
        assert.doesNotMatch(await page.locator('.passkey').innerText(), new RegExp(t['passkey.never_used']), 'the last use is shown');
        assert.deepEqual(scriptErrors, [], 'no script error and no CSP violation');
      } finally {
        await context.close();
      }
    });
  }
});
