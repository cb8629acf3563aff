// Hostile input (issue 7): every form and oidc-provider's token, revocation, introspection and
// registration endpoints refuse prototype-pollution keys, bracketed (array/object) keys and a
// repeated single-value field with a 400, and change nothing; our forms refuse a cross-site
// Origin/Referer even with a valid CSRF token; a request for another host never reaches
// discovery.
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { signIn, basicAuth } from '../support/flow.js';
import { redeem } from '../support/tokens.js';
import { signInToAccount } from '../support/citizen-pages.js';
import { createApp } from '../../src/app.js';
import { en } from '../../src/web/locales/en.js';
import { expectPage, LOGIN_FORM, openLogin, type TestClient } from './web-support.js';

/** Each hostile addition, sent next to a valid CSRF token. */
const HOSTILE_FIELDS: Array<[string, string]> = [
  ['__proto__ bracketed', '__proto__[polluted]=1'],
  ['__proto__ dotted', '__proto__.polluted=1'],
  ['constructor[prototype]', 'constructor[prototype][polluted]=1'],
  ['constructor.prototype', 'constructor.prototype.polluted=1'],
  ['prototype alone', 'prototype=1'],
  ['an array-valued field', 'cyberspace_id[]=A&cyberspace_id[]=B'],
  ['a nested object field', 'password[value]=x'],
  ['a duplicated single-value field', 'cyberspace_id=A&cyberspace_id=B'],
];

/** Every POST route of our forms, read from the app's own routers so a new form is covered. */
function formPostPaths(app: TestApp): string[] {
  const koa = createApp(app.container);
  const paths: string[] = [];
  for (const middleware of koa.middleware as Array<{ router?: { stack: Array<{ path: string; methods: string[] }> } }>) {
    for (const layer of middleware.router?.stack ?? []) if (layer.methods.includes('POST')) paths.push(layer.path.replace(/:[a-zA-Z]+/g, 'x'));
  }
  return paths;
}

describe('hostile input', () => {
  let app: TestApp;
  let client: TestClient & { client_secret: string };
  before(async () => {
    app = await startTestApp();
    client = (await createClient(app.container, { name: 'Hostile-input ISP' })) as typeof client;
  });
  after(async () => app.stop());

  async function csrfBrowser() {
    const browser = new Browser(app.url);
    const page = expectPage(await browser.navigate('/account/login'), 'the account sign-in page');
    const token = page.document.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
    return { browser, token };
  }

  describe('on every form', () => {
    it('finds the forms to test (our routers list their POST routes)', () => {
      const paths = formPostPaths(app);
      for (const expected of ['/interaction/x/login', '/account/login', '/account/password', '/apply/submit']) assert.ok(paths.includes(expected), `${expected} in ${paths.join(', ')}`);
    });

    for (const [what, hostile] of HOSTILE_FIELDS) {
      it(`refuses ${what} with 400 on every form`, async () => {
        const { browser, token } = await csrfBrowser();
        for (const path of formPostPaths(app)) {
          const response = await browser.request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `_csrf=${encodeURIComponent(token)}&${hostile}` });
          assert.equal(response.status, 400, `${path} with ${hostile}`);
          assert.equal(((await response.json()) as { error: string }).error, 'invalid_input', path);
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched');
      });
    }

    it('shows a clear page in both languages', async () => {
      const { browser, token } = await csrfBrowser();
      for (const [lang, text] of [['en', en['error.invalid_request']], ['zh-CN', '请求无效。']] as const) {
        const response = await browser.request(`/account/login?ui_locales=${lang}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(token)}&__proto__[x]=1` });
        assert.equal(response.status, 400);
        assert.match(await response.text(), new RegExp(text.replace('.', '\\.')));
      }
    });

    it('does not sign in a citizen whose correct credentials come with a polluting field', async () => {
      const citizen = await createCitizen(app.container);
      const opened = await openLogin(app.url, client);
      const result = await opened.browser.submit(opened.page, LOGIN_FORM, { cyberspace_id: citizen.cyberspace_id, password: citizen.password, '__proto__[admin]': '1' });
      assert.ok(isPage(result) && result.status === 400, 'refused with a page, no redirect onwards');
      const again = await opened.browser.submit(opened.page, LOGIN_FORM, { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
      assert.ok(isPage(again) && again.document.querySelector('form[action$="/confirm"]'), 'the same sign-in, sent honestly, still works');
    });

    it('does not change a password when the form repeats a field', async () => {
      const citizen = await createCitizen(app.container);
      const browser = new Browser(app.url);
      const dashboard = await signInToAccount(browser, citizen.cyberspace_id, citizen.password);
      const form = expectPage(await browser.navigate('/account/password'), 'the password page');
      const result = await browser.submit(form, 'form[action="/account/password"]', { current_password: citizen.password, password: ['New-long-passphrase-42!', 'Other-long-passphrase-43!'] });
      assert.ok(isPage(result) && result.status === 400, String(dashboard.status));
      const fresh = new Browser(app.url);
      const page = await signInToAccount(fresh, citizen.cyberspace_id, citizen.password);
      assert.ok(page.document.querySelector('form[action="/account/logout"]'), 'the old password still signs in');
    });
  });

  describe('at the token, revocation, introspection and registration endpoints', () => {
    const endpoints = ['/token', '/token/revocation', '/token/introspection'];
    for (const [what, hostile] of HOSTILE_FIELDS) {
      it(`refuses ${what} with 400 invalid_request`, async () => {
        const citizen = await createCitizen(app.container);
        const tokens = await redeem(app.url, client, await signIn(app.url, client, citizen));
        for (const path of endpoints) {
          const honest = path === '/token' ? 'grant_type=client_credentials' : `token=${tokens.access_token}`;
          const body = `${honest}&${hostile.replaceAll('cyberspace_id', path === '/token' ? 'grant_type' : 'token').replaceAll('password', 'token')}`;
          const response = await request(app.url).post(path).set('authorization', basicAuth(client.client_id, client.client_secret)).type('form').send(body);
          assert.equal(response.status, 400, `${path}: ${body} → ${response.status} ${JSON.stringify(response.body)}`);
          assert.equal(response.body.error, 'invalid_request', path);
        }
        const userinfo = await request(app.url).get('/me').set('authorization', `Bearer ${tokens.access_token}`);
        assert.equal(userinfo.status, 200, 'no revocation happened');
      });
    }

    it('refuses polluting members in a registration request, and registers nothing', async () => {
      const { InitialAccessToken } = app.container.providerHolder.current();
      const before = (await app.container.clients.listClients()).length;
      for (const body of [
        '{"redirect_uris":["https://isp.example/cb"],"__proto__":{"client_secret":"x"}}',
        '{"redirect_uris":["https://isp.example/cb"],"constructor":{"prototype":{"x":1}}}',
        '{"redirect_uris":["https://isp.example/cb"],"jwks":{"keys":[{"prototype":1}]}}',
      ]) {
        const response = await request(app.url).post('/reg').set('authorization', `Bearer ${await new InitialAccessToken({}).save()}`).type('json').send(body);
        assert.equal(response.status, 400, body);
        assert.equal(response.body.error, 'invalid_request', body);
      }
      assert.equal((await app.container.clients.listClients()).length, before);
    });
  });

  describe('the origin of a form post (a second line behind the CSRF token)', () => {
    async function postLogin(headers: Record<string, string>) {
      const { browser, token } = await csrfBrowser();
      const citizen = await createCitizen(app.container);
      return browser.request('/account/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ _csrf: token, cyberspace_id: citizen.cyberspace_id, password: citizen.password }).toString() });
    }

    it('refuses a cross-site Origin, and "null", with 403', async () => {
      assert.equal((await postLogin({ origin: 'https://evil.example' })).status, 403);
      assert.equal((await postLogin({ origin: 'null' })).status, 403);
    });

    it('refuses a cross-site Referer when there is no Origin', async () => {
      assert.equal((await postLogin({ referer: 'https://evil.example/page' })).status, 403);
    });

    it('accepts the issuer\'s own origin and referer', async () => {
      assert.equal((await postLogin({ origin: new URL(app.url).origin })).status, 303);
      assert.equal((await postLogin({ referer: `${app.url}/account/login` })).status, 303);
    });
  });

  describe('a request for another host', () => {
    const discovery = '/.well-known/openid-configuration';
    for (const [header, value] of [['host', 'evil.example'], ['x-forwarded-host', 'evil.example']]) {
      it(`gets 400 with ${header}: ${value}, and discovery is unchanged`, async () => {
        const forged = await request(app.url).get(discovery).set(header!, value!);
        assert.equal(forged.status, 400);
        assert.doesNotMatch(JSON.stringify(forged.body) + forged.text, /evil\.example/);
        const honest = await request(app.url).get(discovery);
        assert.equal(honest.body.issuer, app.url);
        for (const [key, url] of Object.entries(honest.body as Record<string, unknown>)) {
          if (typeof url === 'string' && /^https?:/.test(url) && key.endsWith('_endpoint')) assert.ok(url.startsWith(app.url), `${key}: ${url}`);
        }
      });
    }
  });
});
