// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider redirects only
// to a post_logout_redirect_uri registered for the client named by a valid id_token_hint (or
// client_id), rejects hints it did not sign, and really ends the citizen's session.
import assert from 'node:assert/strict';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { authorizeUrl, signIn, type Credentials } from '../support/flow.js';
import { redeem, type TestClient } from '../support/tokens.js';

const LOGGED_OUT = 'https://isp.example/logged-out'; // registered by the factory

describe('RP-initiated logout', () => {
  let app: TestApp;
  let client: TestClient;
  let citizen: Credentials;

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Logout ISP', postLogoutRedirectUris: [LOGGED_OUT] });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  /** A browser with a session at the provider, and an ID token issued in it. */
  async function signedIn(target: TestClient = client) {
    const flow = await signIn(app.url, target, citizen);
    const tokens = await redeem(app.url, target, flow);
    return { browser: flow.browser, idToken: tokens.id_token };
  }

  function endSessionUrl(params: Record<string, string>) {
    const url = new URL(`${app.url}/session/end`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.href;
  }

  /** Asserts the request is answered with an error page, not a redirect anywhere. */
  async function assertRefused(browser: Browser, url: string, pattern: RegExp) {
    const response = await browser.request(url);
    assert.equal(response.headers.get('location'), null, `no redirect (to ${response.headers.get('location')})`);
    assert.ok(response.status >= 400 && response.status < 500, `an error page, got ${response.status}`);
    assert.match(await response.text(), pattern);
  }

  /** prompt=none tells whether the browser still has a session at the provider. */
  async function silentAuthorize(browser: Browser) {
    const { url } = authorizeUrl(app.url, client, { prompt: 'none', state: 'silent' });
    const result = await browser.navigate(url.href);
    assert.ok(!isPage(result), 'prompt=none always answers the ISP with a redirect');
    return result.redirectedTo;
  }

  async function confirmLogout(browser: Browser, page: Page) {
    assert.ok(page.document.querySelector('form[action$="/session/end/confirm"]'), 'the logout confirmation page');
    return browser.submit(page, 'form[action$="/session/end/confirm"]', { logout: 'yes' });
  }

  it('redirects to a registered post_logout_redirect_uri with state, and ends the session', async () => {
    const { browser, idToken } = await signedIn();
    assert.ok((await silentAuthorize(browser)).searchParams.get('code'), 'control: the session works before logout');

    const page = await browser.navigate(endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'bye-123' }));
    assert.ok(isPage(page), 'the citizen is asked to confirm');
    const done = await confirmLogout(browser, page);
    assert.ok(!isPage(done), 'redirected back to the ISP');
    assert.equal(done.redirectedTo.origin + done.redirectedTo.pathname, LOGGED_OUT);
    assert.equal(done.redirectedTo.searchParams.get('state'), 'bye-123');

    const after = await silentAuthorize(browser);
    assert.equal(after.searchParams.get('error'), 'login_required', after.href);
    assert.equal(after.searchParams.get('code'), null);
  });

  it('ends the session without any ISP involved (logout from the provider itself)', async () => {
    const { browser } = await signedIn();
    const page = await browser.navigate(`${app.url}/session/end`);
    assert.ok(isPage(page));
    const done = await confirmLogout(browser, page);
    assert.ok(isPage(done), 'no ISP to return to: the provider shows its own page');
    assert.equal(done.status, 200);
    assert.equal((await silentAuthorize(browser)).searchParams.get('error'), 'login_required');
  });

  it('refuses an unregistered post_logout_redirect_uri with an error page and keeps the session', async () => {
    const { browser, idToken } = await signedIn();
    for (const uri of ['https://attacker.example/logged-out', `${LOGGED_OUT}/`, `${LOGGED_OUT}?next=x`, LOGGED_OUT.replace('https:', 'http:'), client.redirect_uri]) {
      await assertRefused(browser, endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: uri }), /post_logout_redirect_uri/);
      await assertRefused(browser, endSessionUrl({ client_id: client.client_id, post_logout_redirect_uri: uri }), /post_logout_redirect_uri/);
    }
    assert.ok((await silentAuthorize(browser)).searchParams.get('code'), 'the session is untouched');
  });

  it('refuses a URI registered for another ISP than the one named by the id_token_hint', async () => {
    const elsewhere = 'https://other.example/logged-out';
    await createClient(app.container, { name: 'Other', redirectUris: ['https://other.example/callback'], postLogoutRedirectUris: [elsewhere] });
    const { browser, idToken } = await signedIn();
    await assertRefused(browser, endSessionUrl({ id_token_hint: idToken, post_logout_redirect_uri: elsewhere }), /post_logout_redirect_uri/);
  });

  it('never redirects when the post_logout_redirect_uri comes without id_token_hint or client_id', async () => {
    const { browser } = await signedIn();
    const page = await browser.navigate(endSessionUrl({ post_logout_redirect_uri: LOGGED_OUT }));
    if (isPage(page)) {
      const done = await confirmLogout(browser, page);
      assert.ok(isPage(done), `no redirect to an unauthenticated URI${isPage(done) ? '' : `: went to ${done.redirectedTo.href}`}`);
    } else {
      assert.fail(`redirected to ${page.redirectedTo.href}`);
    }
  });

  describe('id_token_hint validation', () => {
    it('rejects a tampered ID token (payload changed, signature kept)', async () => {
      const { browser, idToken } = await signedIn();
      const [header, payload, signature] = idToken.split('.');
      const claims = decodeJwt(idToken);
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'AAAAAAAAAAAAAAAAAAAAAAAA' })).toString('base64url');
      await assertRefused(browser, endSessionUrl({ id_token_hint: `${header}.${forged}.${signature}`, post_logout_redirect_uri: LOGGED_OUT }), /id_token_hint/);
      assert.notEqual(forged, payload);
    });

    it('rejects an ID token whose signature was altered', async () => {
      const { browser, idToken } = await signedIn();
      const [header, payload, signature] = idToken.split('.');
      const bytes = Buffer.from(signature!, 'base64url');
      bytes[0] = bytes[0]! ^ 0xff;
      await assertRefused(browser, endSessionUrl({ id_token_hint: `${header}.${payload}.${bytes.toString('base64url')}`, post_logout_redirect_uri: LOGGED_OUT }), /id_token_hint/);
    });

    it('rejects a token signed by someone else in our name (unknown key)', async () => {
      const { browser, idToken } = await signedIn();
      const { privateKey } = await generateKeyPair('ES256');
      const claims = decodeJwt(idToken);
      const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: 'attacker' }).sign(privateKey);
      await assertRefused(browser, endSessionUrl({ id_token_hint: forged, post_logout_redirect_uri: LOGGED_OUT }), /id_token_hint/);
    });

    it('rejects an ID token from another issuer, even one for a client_id known here', async () => {
      const foreign = await startTestApp();
      try {
        const foreignClient = await createClient(foreign.container, { postLogoutRedirectUris: [LOGGED_OUT] });
        const foreignCitizen = await createCitizen(foreign.container);
        const foreignFlow = await signIn(foreign.url, foreignClient, foreignCitizen);
        const foreignToken = (await redeem(foreign.url, foreignClient, foreignFlow)).id_token;
        assert.notEqual(decodeJwt(foreignToken).iss, app.url);

        const { browser } = await signedIn();
        // Unknown audience here.
        await assertRefused(browser, endSessionUrl({ id_token_hint: foreignToken, post_logout_redirect_uri: LOGGED_OUT }), /id_token_hint|client/);
        // Same client_id registered here too: the issuer and the signature still do not match.
        await app.container.clients.storeRegisteredClient({
          ...(await foreign.container.clients.loadClient(foreignClient.client_id))!.metadata,
          client_id: foreignClient.client_id,
        });
        await assertRefused(browser, endSessionUrl({ id_token_hint: foreignToken, post_logout_redirect_uri: LOGGED_OUT }), /id_token_hint/);
        assert.ok((await silentAuthorize(browser)).searchParams.get('code'), 'the session is untouched');
      } finally {
        await foreign.stop();
      }
    });

    it('rejects a hint for one client with a client_id naming another', async () => {
      const { browser, idToken } = await signedIn();
      const other = await createClient(app.container, { redirectUris: ['https://third.example/callback'], postLogoutRedirectUris: ['https://third.example/bye'] });
      await assertRefused(browser, endSessionUrl({ id_token_hint: idToken, client_id: other.client_id, post_logout_redirect_uri: 'https://third.example/bye' }), /client_id/);
    });
  });

  it('does not log out on a forged confirmation (no xsrf value from the logout page)', async () => {
    const { browser } = await signedIn();
    const response = await browser.request(`${app.url}/session/end/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout: 'yes', xsrf: 'guessed' }).toString(),
    });
    assert.equal(response.headers.get('location'), null);
    assert.ok(response.status >= 400, `refused, got ${response.status}`);
    assert.ok((await silentAuthorize(browser)).searchParams.get('code'), 'the session survives');
  });
});
