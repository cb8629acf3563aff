// PAR (RFC 9126) and DPoP (RFC 9449), as docs/integration.md documents them, driven by
// openid-client as an ISP would: the authorization request is pushed first, and the tokens
// are bound to the ISP's DPoP key (token_type DPoP, cnf.jkt), usable at userinfo only with it.
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';

describe('PAR and DPoP with openid-client', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('pushes the request, signs in, and gets DPoP-bound tokens that userinfo accepts only with the key', async () => {
    const client = await createClient(app.container, { name: 'PAR ISP' });
    const citizen = await createCitizen(app.container);
    const config = await oidc.discovery(new URL(app.url), client.client_id, undefined, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });
    assert.ok(config.serverMetadata().pushed_authorization_request_endpoint, 'discovery names the PAR endpoint');
    assert.ok(config.serverMetadata().dpop_signing_alg_values_supported?.length, 'discovery offers DPoP');
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: client.redirect_uri, scope: 'openid', nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }, { DPoP: dpop });
    assert.ok(url.searchParams.get('request_uri')?.startsWith('urn:ietf:params:oauth:request_uri:'), 'the browser carries only a request_uri');
    assert.equal(url.searchParams.get('redirect_uri'), null);

    const browser = new Browser(app.url);
    const login = await browser.navigate(url.href);
    assert.ok(isPage(login));
    const consent = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    assert.ok(isPage(consent));
    const done = await browser.submit(consent, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(!isPage(done));

    const tokens = await oidc.authorizationCodeGrant(config, done.redirectedTo, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true }, undefined, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const claims = tokens.claims()!;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP: dpop });
    assert.equal(info.sub, claims.sub);
    const bearer = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(bearer.status, 401, 'a DPoP-bound token is refused as a bearer token');
  });
});
