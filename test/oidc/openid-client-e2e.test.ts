// The way an ISP integrates: a certified RP library (openid-client) discovers the provider,
// sends the citizen through the HTML sign-in and consent forms, exchanges the code, validates
// the ID token against JWKS and calls userinfo.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { isValidCyberspaceId } from '../../src/ids/cyberspace-id.js';

describe('an ISP using openid-client', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('logs a citizen in through the HTML forms and gets a verified ID token and userinfo', async () => {
    const client = await createClient(app.container, { name: 'Library ISP' });
    const citizen = await createCitizen(app.container);

    const config = await oidc.discovery(new URL(app.url), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirect_uri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    const browser = new Browser(app.url);
    const loginPage = await browser.navigate(authorizationUrl.href);
    assert.ok(isPage(loginPage));
    assert.equal(loginPage.status, 200, loginPage.document.querySelector('main')?.text);
    const consentPage = await browser.submit(loginPage, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    assert.ok(isPage(consentPage), 'consent page expected');
    assert.match(consentPage.html, /Library ISP/);
    const done = await browser.submit(consentPage, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(done));
    assert.equal(done.redirectedTo.origin + done.redirectedTo.pathname, client.redirect_uri);

    const tokens = await oidc.authorizationCodeGrant(config, done.redirectedTo, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.iss, app.url);
    assert.equal(claims.aud, client.client_id);
    assert.ok(isValidCyberspaceId(claims.sub), `sub ${claims.sub} is a cyberspace ID`);
    assert.notEqual(claims.sub, citizen.cyberspace_id, 'the ISP never sees the citizen-level ID');
    assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'RS256', 'openid-client\'s default, and the registration default');
    assert.deepEqual(
      Object.keys(claims).sort(),
      ['acr', 'amr', 'at_hash', 'aud', 'auth_time', 'exp', 'iat', 'iss', 'nonce', 'sid', 'sub'].filter((k) => k in claims).sort(),
    );
    for (const forbidden of ['name', 'given_name', 'family_name', 'birthdate', 'email', 'phone_number', 'document_number']) {
      assert.equal(claims[forbidden], undefined, `${forbidden} must never be in an ID token`);
    }
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(typeof claims.sid, 'string', 'every ID token carries sid');
    assert.equal(typeof claims.auth_time, 'number');

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.deepEqual(userinfo, { sub: claims.sub });
  });
});
