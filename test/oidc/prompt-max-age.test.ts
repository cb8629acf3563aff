// prompt and max_age (OIDC Core §3.1.2.1, §3.1.2.3): prompt=none never shows a page and
// answers the ISP with a code or an error; prompt=login and max_age force the citizen to
// authenticate again (and auth_time says so); prompt=consent shows the consent page again.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { authorizeUrl, type AuthorizeParams, type Credentials } from '../support/flow.js';
import { idTokenClaims, redeem, sleep, type TestClient } from '../support/tokens.js';

type Walk = { shown: Array<'login' | 'consent'>; callback: URL; verifier: string; state: string; nonce: string };

describe('prompt and max_age', () => {
  let app: TestApp;
  let client: TestClient;
  let citizen: Credentials;

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Prompt ISP' });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  /** Runs an authorization request in `browser`, recording which pages the citizen had to go through. */
  async function walk(browser: Browser, params: AuthorizeParams = {}, target: TestClient = client, who: Credentials = citizen): Promise<Walk> {
    const { url, verifier, state, nonce } = authorizeUrl(app.url, target, params);
    const shown: Walk['shown'] = [];
    let result = await browser.navigate(url.href);
    for (let step = 0; step < 4 && isPage(result); step += 1) {
      if (result.document.querySelector('form[action$="/login"]')) {
        shown.push('login');
        result = await browser.submit(result, 'form[action$="/login"]', { cyberspace_id: who.cyberspace_id, password: who.password });
      } else if (result.document.querySelector('form[action$="/confirm"]')) {
        shown.push('consent');
        result = await browser.submit(result, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
      } else {
        assert.fail(`unexpected page ${result.status} ${result.url}: ${result.document.querySelector('main')?.text.trim().slice(0, 200)}`);
      }
    }
    assert.ok(!isPage(result), 'the request ends with a redirect to the ISP');
    assert.equal(result.redirectedTo.origin + result.redirectedTo.pathname, target.redirect_uri);
    return { shown, callback: result.redirectedTo, verifier, state, nonce };
  }

  async function authTime(w: Walk, target: TestClient = client): Promise<number> {
    const code = w.callback.searchParams.get('code');
    assert.ok(code, `a code: ${w.callback.href}`);
    const tokens = await redeem(app.url, target, { code, verifier: w.verifier });
    const { auth_time: value } = idTokenClaims(tokens);
    assert.equal(typeof value, 'number');
    return value as number;
  }

  /** A browser in which a new citizen has signed in and consented once (consent is remembered per citizen). */
  async function signedIn() {
    citizen = await createCitizen(app.container);
    const browser = new Browser(app.url);
    const first = await walk(browser);
    assert.deepEqual(first.shown, ['login', 'consent']);
    return { browser, authTime: await authTime(first) };
  }

  describe('prompt=none', () => {
    it('without a session: login_required at the redirect_uri, with state and iss, and no page', async () => {
      const w = await walk(new Browser(app.url), { prompt: 'none', state: 'silent-1' });
      assert.deepEqual(w.shown, []);
      assert.equal(w.callback.searchParams.get('error'), 'login_required');
      assert.equal(w.callback.searchParams.get('state'), 'silent-1');
      assert.equal(w.callback.searchParams.get('iss'), app.url);
      assert.equal(w.callback.searchParams.get('code'), null);
    });

    it('with a session and an existing consent: a code, with no page', async () => {
      const { browser, authTime: original } = await signedIn();
      const w = await walk(browser, { prompt: 'none' });
      assert.deepEqual(w.shown, []);
      assert.equal(await authTime(w), original, 'the same authentication');
    });

    it('with a session but no consent for this ISP yet: consent_required, with no page', async () => {
      const { browser } = await signedIn();
      const other = await createClient(app.container, { name: 'Not yet consented', redirectUris: ['https://new.example/callback'] });
      const w = await walk(browser, { prompt: 'none' }, other);
      assert.deepEqual(w.shown, []);
      assert.equal(w.callback.searchParams.get('error'), 'consent_required');
    });

    it('with max_age=0: login_required (re-authentication cannot be silent)', async () => {
      const { browser } = await signedIn();
      const w = await walk(browser, { prompt: 'none', max_age: '0' });
      assert.deepEqual(w.shown, []);
      assert.equal(w.callback.searchParams.get('error'), 'login_required');
    });

    it('combined with another prompt value: invalid_request', async () => {
      const { browser } = await signedIn();
      const w = await walk(browser, { prompt: 'none login' });
      assert.deepEqual(w.shown, []);
      assert.equal(w.callback.searchParams.get('error'), 'invalid_request');
    });
  });

  it('prompt=login shows the sign-in form again despite the session, and auth_time moves forward', async () => {
    const { browser, authTime: original } = await signedIn();
    await sleep(1100); // auth_time has one-second resolution
    const w = await walk(browser, { prompt: 'login' });
    assert.deepEqual(w.shown, ['login'], 'sign-in form, but no second consent');
    assert.ok((await authTime(w)) > original, 'a new authentication time');
  });

  it('prompt=login for a citizen who has not consented yet: sign-in, consent, then back to the ISP (no loop)', async () => {
    citizen = await createCitizen(app.container);
    const w = await walk(new Browser(app.url), { prompt: 'login' });
    assert.deepEqual(w.shown, ['login', 'consent']);
    assert.ok(w.callback.searchParams.get('code'));
  });

  it('auth_time is when the citizen signed in, not when they consented after it', async () => {
    citizen = await createCitizen(app.container);
    const browser = new Browser(app.url);
    const { url, verifier } = authorizeUrl(app.url, client, { prompt: 'login' });
    const login = await browser.navigate(url.href);
    assert.ok(isPage(login));
    const consent = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    // Read once the sign-in has answered: on a loaded machine the sign-in itself may take seconds.
    const signedInBy = Math.ceil(Date.now() / 1000);
    assert.ok(isPage(consent) && consent.document.querySelector('form[action$="/confirm"]'));
    await sleep(2100); // reading the consent page takes a while; auth_time has one-second resolution
    const back = await browser.submit(consent, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(back), isPage(back) ? `${back.status} ${back.url} ${back.document.querySelector('main')?.text.replace(/\s+/g, ' ').slice(0, 300)}` : '');
    const at = await authTime({ shown: [], callback: back.redirectedTo, verifier, state: '', nonce: '' });
    assert.ok(at <= signedInBy, `auth_time ${at} is the sign-in (by ${signedInBy}), before the consent 2 s later`);
  });

  describe('max_age', () => {
    it('max_age=0 forces re-authentication immediately, like prompt=login (OIDC Core §3.1.2.1)', async () => {
      const { browser, authTime: original } = await signedIn();
      // No waiting: even within the same second as the sign-in, max_age=0 must re-authenticate.
      const w = await walk(browser, { max_age: '0' });
      assert.deepEqual(w.shown, ['login']);
      assert.ok((await authTime(w)) >= original);
    });

    it('a small max_age forces re-authentication once it has passed', async () => {
      const { browser, authTime: original } = await signedIn();
      await sleep(2100);
      const w = await walk(browser, { max_age: '1' });
      assert.deepEqual(w.shown, ['login']);
      const renewed = await authTime(w);
      assert.ok(renewed > original, 'a new authentication time');
      assert.ok(Math.floor(Date.now() / 1000) - renewed <= 2, 'auth_time is recent');
    });

    it('a max_age not yet passed reuses the session, and auth_time proves it is within max_age', async () => {
      const { browser, authTime: original } = await signedIn();
      const w = await walk(browser, { max_age: '3600' });
      assert.deepEqual(w.shown, []);
      const value = await authTime(w);
      assert.equal(value, original);
      assert.ok(Math.floor(Date.now() / 1000) - value <= 3600);
    });
  });

  it('prompt=consent shows the consent page again, though consent was given', async () => {
    const { browser } = await signedIn();
    assert.deepEqual((await walk(browser)).shown, [], 'control: consent is remembered');
    const w = await walk(browser, { prompt: 'consent' });
    assert.deepEqual(w.shown, ['consent']);
    assert.ok(w.callback.searchParams.get('code'));
  });
});
