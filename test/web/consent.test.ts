// The consent page: names the ISP (escaped), says in plain words what it will and will not
// receive, in both languages; Deny returns access_denied with the ISP's state; Allow is
// remembered for the same client and scopes; the form is CSRF-protected.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { isPage, type Page } from '../support/browser.js';
import { authorizeUrl } from '../support/flow.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';
import { CONSENT_FORM, expectPage, LOGIN_FORM, mainText, openConsent, openLogin, submitLogin, type TestClient } from './web-support.js';

type Credentials = { cyberspace_id: string; password: string };
// Item texts without their "required" tag.
const items = (page: Page, selector: string) => page.document.querySelectorAll(`${selector} li`).map((li) => {
  for (const tag of li.querySelectorAll('.tag')) tag.remove();
  return li.text.replace(/\s+/g, ' ').trim();
});

const LANGUAGES = [
  { locale: 'en', table: en, withheld: [/\bname\b/i, /\bID (document )?number\b/i, /\bbirth ?date\b/i], signedIn: /signed in/i, verified: /verified|checked/i, thisService: /this service only/i },
  { locale: 'zh-CN', table: zhCN, withheld: [/姓名/, /证件号码/, /出生日期/], signedIn: /登录/, verified: /核验/, thisService: /仅用于该服务/ },
] as const;

describe('the consent page', () => {
  let app: TestApp;
  let client: TestClient;
  let citizen: Credentials;
  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Consent ISP' });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  it('names the ISP, escaping markup in its registered name', async () => {
    const evilName = '<b>Evil</b> & "Co" <img src=x onerror=alert(1)>';
    const evil = await createClient(app.container, { name: evilName, redirectUris: ['https://evil.example/cb'] });
    const login = await openLogin(app.url, evil, { params: { ui_locales: 'en' } });
    const { page } = await openConsent(app.url, evil, citizen, { params: { ui_locales: 'en' } });
    for (const shown of [login.page, page]) {
      assert.equal(shown.html.includes('<b>Evil</b>'), false, 'the name is not interpreted as HTML');
      assert.equal(shown.html.includes('<img'), false);
      assert.equal(shown.document.querySelectorAll('main b').length, 0);
      assert.ok(shown.html.includes('&lt;b&gt;Evil&lt;/b&gt;'), 'the name is shown, escaped');
      assert.ok(shown.document.querySelector('title')!.text.includes('<b>Evil</b>') || shown === login.page);
    }
    assert.equal(page.document.querySelector('h1')!.text.trim(), en['consent.title'].replace('{client}', evilName));
    assert.ok(mainText(page).includes(en['consent.lead'].replace('{client}', evilName)));
    assert.ok(mainText(login.page).includes(en['login.for'].replace('{client}', evilName)));
  });

  for (const { locale, table, withheld, signedIn, verified, thisService } of LANGUAGES) {
    it(`says what the ISP receives and what it does not, in ${locale}`, async () => {
      const { page } = await openConsent(app.url, client, citizen, { params: { ui_locales: locale } });
      assert.equal(page.document.querySelector('html')!.getAttribute('lang'), locale);
      assert.equal(page.document.querySelector('h1')!.text.trim(), table['consent.title'].replace('{client}', 'Consent ISP'));
      const headings = page.document.querySelectorAll('main h2').map((h) => h.text.trim());
      assert.deepEqual(headings, [table['consent.receives'], table['consent.not']]);

      const receives = items(page, '.receives');
      assert.deepEqual(receives, [table['consent.receives.sub'], table['consent.receives.sign_in']]);
      assert.ok(receives.some((text) => thisService.test(text)), 'its own cyberspace ID for this service');
      assert.ok(receives.some((text) => signedIn.test(text)), 'how and when the person signed in (acr, amr, auth_time)');
      // The required sign-in item and the optional real-name item cannot be mistaken for each other:
      // only the optional one speaks of verification.
      assert.ok(!receives.some((text) => verified.test(text)), `nothing required speaks of verification: ${receives.join(' | ')}`);
      assert.match(table['consent.item.verified'], verified);
      assert.doesNotMatch(table['consent.item.verified'], signedIn);
      for (const pattern of withheld) {
        assert.ok(items(page, '.withheld').some((text) => pattern.test(text)), `does not receive: ${pattern}`);
        assert.ok(!receives.some((text) => pattern.test(text)), `${pattern} is not among what it receives`);
      }

      assert.equal(items(page, '.withheld').length, 3, 'one item per thing withheld');
      assert.equal(page.document.querySelector('[autofocus]'), null, 'neither answer is pre-selected');

      const buttons = page.document.querySelectorAll(`${CONSENT_FORM} button`).map((b) => [b.getAttribute('value'), b.text.trim()]);
      assert.deepEqual(buttons, [['allow', table['consent.allow']], ['deny', table['consent.deny']]]);
    });
  }

  it('offers continued access as an optional item only when offline_access is asked for', async () => {
    const { page } = await openConsent(app.url, client, citizen, { params: { ui_locales: 'en', scope: 'openid offline_access', prompt: 'consent' } });
    assert.deepEqual(items(page, '.receives'), [en['consent.receives.sub'], en['consent.receives.sign_in']]);
    assert.equal(page.document.querySelector('label[for="scope-offline_access"]')?.text.trim(), en['consent.item.offline_access']);
    const plain = await openConsent(app.url, client, await createCitizen(app.container), { params: { ui_locales: 'en' } });
    assert.equal(plain.page.document.querySelector('#scope-offline_access'), null);
  });

  it('Deny sends access_denied and the original state back to the ISP, and no code', async () => {
    const opened = await openConsent(app.url, client, citizen);
    const denied = await opened.browser.submit(opened.page, CONSENT_FORM, {}, { name: 'decision', value: 'deny' });
    assert.ok(!isPage(denied), `expected a redirect to the ISP: ${isPage(denied) ? mainText(denied) : ''}`);
    const callback = denied.redirectedTo;
    assert.equal(callback.origin + callback.pathname, client.redirect_uri);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), opened.state);
    assert.equal(callback.searchParams.get('code'), null);
    assert.equal(callback.searchParams.get('iss'), app.url, 'RFC 9207 issuer identification');

    // Denying is not remembered as consent: the next request asks again.
    const { url } = authorizeUrl(app.url, client);
    const again = expectPage(await opened.browser.navigate(url.href), 'the consent page again');
    assert.ok(again.document.querySelector(CONSENT_FORM), mainText(again));
  });

  it('Cancel on the sign-in page also returns access_denied with the state', async () => {
    const opened = await openLogin(app.url, client);
    const cancelled = await opened.browser.submit(opened.page, 'form[action$="/abort"]');
    assert.ok(!isPage(cancelled));
    assert.equal(cancelled.redirectedTo.origin + cancelled.redirectedTo.pathname, client.redirect_uri);
    assert.equal(cancelled.redirectedTo.searchParams.get('error'), 'access_denied');
    assert.equal(cancelled.redirectedTo.searchParams.get('state'), opened.state);
  });

  it('Allow is remembered: a second authorization for the same client and scopes skips the consent page', async () => {
    const citizen = await createCitizen(app.container);
    const opened = await openConsent(app.url, client, citizen);
    const allowed = await opened.browser.submit(opened.page, CONSENT_FORM, {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(allowed));
    assert.ok(allowed.redirectedTo.searchParams.get('code'));

    const { url, state } = authorizeUrl(app.url, client);
    const second = await opened.browser.navigate(url.href);
    assert.ok(!isPage(second), `no page expected, got: ${isPage(second) ? mainText(second) : ''}`);
    assert.equal(second.redirectedTo.origin + second.redirectedTo.pathname, client.redirect_uri);
    assert.ok(second.redirectedTo.searchParams.get('code'), 'a code, straight away');
    assert.equal(second.redirectedTo.searchParams.get('state'), state);

    // It is remembered for the citizen, not for the browser: signing in again elsewhere skips it too.
    const elsewhere = await openLogin(app.url, client);
    const signedIn = await submitLogin(elsewhere, citizen.cyberspace_id, citizen.password);
    assert.ok(!isPage(signedIn), `no consent page after signing in again: ${isPage(signedIn) ? mainText(signedIn) : ''}`);
    assert.ok(signedIn.redirectedTo.searchParams.get('code'));
    assert.equal(signedIn.redirectedTo.searchParams.get('state'), elsewhere.state);

    // Consent belongs to one ISP: another one in the same browser still asks.
    const other = await createClient(app.container, { name: 'Other ISP', redirectUris: ['https://other.example/cb'] });
    const page = expectPage(await opened.browser.navigate(authorizeUrl(app.url, other).url.href), 'the consent page for the other ISP');
    assert.ok(page.document.querySelector(CONSENT_FORM));
    assert.match(mainText(page), /Other ISP/);
  });

  it('refuses a decision posted without a valid _csrf, and the ISP gets nothing', async () => {
    // A fresh citizen: consent is remembered per ISP, so a citizen who already allowed would skip it.
    const opened = await openConsent(app.url, client, await createCitizen(app.container), { headers: { 'accept-language': 'en' } });
    const action = new URL(opened.page.document.querySelector(CONSENT_FORM)!.getAttribute('action')!, opened.page.url).href;
    for (const body of ['decision=allow', 'decision=allow&_csrf=forged', 'decision=deny']) {
      const result = await opened.browser.navigate(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      const page = expectPage(result, 'an error page');
      assert.equal(page.status, 403, body);
      assert.ok(mainText(page).includes(en['error.csrf']));
    }
    const still = expectPage(await opened.browser.navigate(opened.page.url), 'the consent page');
    assert.ok(still.document.querySelector(CONSENT_FORM), 'still waiting for a decision');
  });

  it('a decision posted before signing in is refused, and nobody is signed in', async () => {
    const opened = await openLogin(app.url, client, { headers: { 'accept-language': 'en' } });
    const uid = /\/interaction\/([^/?#]+)/.exec(opened.page.url)![1];
    const token = opened.page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    const result = expectPage(
      await opened.browser.navigate(`/interaction/${uid}/confirm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${token}&decision=allow` }),
      'an error page',
    );
    assert.equal(result.status, 400);
    const still = expectPage(await opened.browser.navigate(opened.page.url), 'the sign-in page');
    assert.ok(still.document.querySelector(LOGIN_FORM));
  });
});
