// Discovery (OIDC Discovery 1.0 §3) and JWKS (RFC 7517) tell an ISP the truth: every value
// advertised is something the provider really does, nothing it refuses is advertised, and
// the published key set carries public halves only.
import assert from 'node:assert/strict';
import request from 'supertest';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient, putInService } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { applyInBrowser, issuedId, seedSandbox } from '../support/citizen-pages.js';
import { authorizeUrl, signIn, type AuthorizeParams, type Credentials } from '../support/flow.js';
import { idTokenClaims, redeem, userinfo, type TestClient } from '../support/tokens.js';

// Claims every ID token carries by construction (OIDC Core §2, §3.1.3.6) — not "claims about
// the End-User", so they need not appear in claims_supported, but they may.
const JWT_HOUSEKEEPING = new Set(['aud', 'exp', 'iat', 'nonce', 'at_hash', 'c_hash', 'jti']);
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

describe('discovery and JWKS', () => {
  let app: TestApp;
  let metadata: Record<string, unknown>;
  before(async () => {
    app = await startTestApp();
    const response = await request(app.url).get('/.well-known/openid-configuration').expect(200);
    metadata = response.body as Record<string, unknown>;
  });
  after(async () => app.stop());

  /** authorize → sign in → consent to every item → release identity when asked → tokens. */
  async function authorizeEverything(browser: Browser, client: TestClient, citizen: Credentials, params: AuthorizeParams) {
    const { url, verifier } = authorizeUrl(app.url, client, params);
    let result = await browser.navigate(url.href);
    for (let step = 0; step < 5 && isPage(result); step += 1) {
      const page = result;
      if (page.document.querySelector('form[action$="/login"]')) {
        result = await browser.submit(page, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
      } else if (page.document.querySelector('form[action$="/confirm"]')) {
        result = await browser.submit(page, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
      } else if (page.document.querySelector('form[action*="/identity"]')) {
        result = await browser.submit(page, 'form[action*="/identity"]', {}, { name: 'decision', value: 'release' });
      } else {
        assert.fail(`unexpected page ${page.status} ${page.url}: ${page.document.querySelector('main')?.text.trim().slice(0, 300)}`);
      }
    }
    assert.ok(!isPage(result), 'the flow ends with a redirect to the ISP');
    const code = result.redirectedTo.searchParams.get('code');
    assert.ok(code, result.redirectedTo.href);
    return { tokens: await redeem(app.url, client, { code, verifier }) };
  }

  async function registerClient(metadata: Record<string, unknown>) {
    const { InitialAccessToken } = app.container.providerHolder.current();
    const initialAccessToken = await new InitialAccessToken({}).save();
    const response = await request(app.url).post('/reg').set('authorization', `Bearer ${initialAccessToken}`).send(metadata).expect(201);
    const body = response.body as { client_id: string; client_secret: string; redirect_uris: string[] };
    await putInService(app.container, body.client_id);
    return { client_id: body.client_id, client_secret: body.client_secret, redirect_uri: body.redirect_uris[0]! };
  }

  it('names this issuer and its endpoints on the same origin', () => {
    assert.equal(metadata.issuer, app.url);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint', 'registration_endpoint']) {
      assert.equal(typeof metadata[endpoint], 'string', `${endpoint} advertised`);
      assert.equal(new URL(metadata[endpoint] as string).origin, new URL(app.url).origin, `${endpoint} on the issuer's origin`);
    }
  });

  it('advertises pairwise subjects only, the code response type only and S256 PKCE only', () => {
    assert.deepEqual(metadata.subject_types_supported, ['pairwise']);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  });

  it('signs ID tokens with RS256 (the default), ES256, PS256 and EdDSA, never "none"', () => {
    const algs = metadata.id_token_signing_alg_values_supported as string[];
    assert.ok(Array.isArray(algs));
    assert.ok(algs.includes('RS256'), 'RS256 (OIDC Core §15.1 requires it; the registration default)');
    for (const alg of ['ES256', 'PS256', 'EdDSA']) assert.ok(algs.includes(alg), `${alg} on request`);
    assert.ok(!algs.map((a) => a.toLowerCase()).includes('none'), 'unsigned ID tokens are never offered');
    for (const key of ['userinfo_signing_alg_values_supported', 'introspection_signing_alg_values_supported', 'request_object_signing_alg_values_supported', 'token_endpoint_auth_signing_alg_values_supported']) {
      const values = metadata[key] as string[] | undefined;
      if (values) assert.ok(!values.map((a) => a.toLowerCase()).includes('none'), `${key} must not contain none`);
    }
  });

  it('announces the iss authorization response parameter (RFC 9207) and really sends it', async () => {
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    const client = await createClient(app.container);
    const citizen = await createCitizen(app.container);
    const flow = await signIn(app.url, client, citizen);
    assert.ok(flow.code);
    assert.equal(flow.callback.searchParams.get('iss'), app.url, 'success response carries iss');

    const denied = await signIn(app.url, client, citizen, { params: { prompt: 'consent' }, browser: flow.browser, consent: 'deny' });
    assert.equal(denied.callback.searchParams.get('error'), 'access_denied');
    assert.equal(denied.callback.searchParams.get('iss'), app.url, 'error response carries iss too');
  });

  it('lists only scopes and claims that are really issued (compared with real ID tokens, userinfo and token responses)', async () => {
    const scopes = metadata.scopes_supported as string[];
    const claims = metadata.claims_supported as string[];
    assert.ok(Array.isArray(scopes) && scopes.includes('openid'));
    assert.ok(Array.isArray(claims) && claims.includes('sub'));

    // The most an ISP can ever get: a citizen with a verified document, an ISP the operator
    // allowed every advertised scope (identity needs a legal basis), every item consented to.
    const person = { documentType: 'resident_id' as const, documentNumber: '110101199005170112', name: '张伟', birthDate: '1990-05-17', password: 'a long memorable phrase' };
    await seedSandbox(app.container, person);
    const citizen = { cyberspace_id: issuedId(await applyInBrowser(new Browser(app.url), person)), password: person.password };
    const everything = await createClient(app.container, {
      name: 'Everything ISP',
      scope: scopes.join(' '),
      legalBasis: 'Anti-Money Laundering Law of the PRC, Art. 28',
      purposes: { identity: { en: 'Customer due diligence', 'zh-CN': '客户身份识别' } },
      redirectUris: ['https://everything.example/callback'],
    });
    // sid goes to clients that ask for it with back-channel logout (OIDC Back-Channel Logout
    // §2.2, §2.4); an ISP registers such a client itself, through dynamic registration.
    const withSid = await registerClient({
      client_name: 'Back-channel ISP',
      redirect_uris: ['https://backchannel.example/callback'],
      backchannel_logout_uri: 'https://backchannel.example/logout',
      backchannel_logout_session_required: true,
    });

    const issuedClaims = new Set<string>();
    const browser = new Browser(app.url);
    for (const [client, scope] of [[everything, scopes.join(' ')], [withSid, 'openid']] as const) {
      // offline_access needs prompt=consent (OIDC Core §11).
      const { tokens } = await authorizeEverything(browser, client, citizen, { scope, prompt: 'consent' });
      if (client === everything) {
        const granted = new Set(String(tokens.scope).split(' '));
        for (const advertised of scopes) assert.ok(granted.has(advertised), `advertised scope ${advertised} is granted when asked for (granted: ${tokens.scope})`);
        if (scopes.includes('offline_access')) assert.ok(tokens.refresh_token, 'offline_access really yields a refresh token');
      }
      const idToken = idTokenClaims(tokens);
      assert.ok((metadata.acr_values_supported as string[]).includes(String(idToken.acr)), `acr ${String(idToken.acr)} is an advertised value`);
      const info = await userinfo(app.url, tokens.access_token);
      assert.equal(info.status, 200);
      for (const claim of [...Object.keys(idToken), ...Object.keys(info.body)]) issuedClaims.add(claim);
    }
    for (const claim of claims) assert.ok(issuedClaims.has(claim), `advertised claim ${claim} appears in an ID token or userinfo (issued: ${[...issuedClaims].join(', ')})`);
    const unadvertised = [...issuedClaims].filter((claim) => !JWT_HOUSEKEEPING.has(claim) && !claims.includes(claim));
    assert.deepEqual(unadvertised, [], 'every claim issued about the citizen or the authentication is advertised');

    // Never offered at all (DESIGN.md: minimum and necessity).
    for (const personal of ['given_name', 'family_name', 'birthdate', 'email', 'phone_number', 'address', 'gender', 'picture']) {
      assert.ok(!claims.includes(personal), `${personal} is not a supported claim`);
    }
    for (const personal of ['profile', 'email', 'phone', 'address']) {
      assert.ok(!scopes.includes(personal), `${personal} is not a supported scope`);
    }
  });

  describe('JWKS', () => {
    let keys: JWK[];
    before(async () => {
      const response = await request(app.url).get(new URL(metadata.jwks_uri as string).pathname).expect(200);
      keys = (response.body as { keys: JWK[] }).keys;
    });

    it('publishes public keys only', () => {
      assert.ok(keys.length >= 4, 'a key for each of RS256, ES256, PS256, EdDSA');
      for (const key of keys) {
        for (const member of PRIVATE_JWK_MEMBERS) {
          assert.equal((key as Record<string, unknown>)[member], undefined, `key ${key.kid} must not carry private member "${member}"`);
        }
        assert.notEqual(key.kty, 'oct', 'no symmetric keys');
      }
    });

    it('gives every key a unique kid and covers each advertised ID token algorithm', () => {
      const kids = keys.map((key) => key.kid);
      assert.ok(kids.every((kid) => typeof kid === 'string' && kid.length > 0), 'every key has a kid');
      assert.equal(new Set(kids).size, kids.length, `kids are unique: ${kids.join(', ')}`);
      const algs = new Set(keys.map((key) => key.alg));
      for (const alg of metadata.id_token_signing_alg_values_supported as string[]) assert.ok(algs.has(alg), `a key for ${alg}`);
    });

    it('verifies the ID tokens the provider issues, for every algorithm', async () => {
      const citizen = await createCitizen(app.container);
      for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA'] as const) {
        const client = await createClient(app.container, { idTokenSigningAlg: alg });
        const tokens = await redeem(app.url, client, await signIn(app.url, client, citizen));
        const header = decodeProtectedHeader(tokens.id_token);
        assert.equal(header.alg, alg);
        assert.ok(keys.some((key) => key.kid === header.kid), `the ID token's kid ${header.kid} is published`);
        const { payload } = await jwtVerify(tokens.id_token, createLocalJWKSet({ keys }), { issuer: app.url, audience: client.client_id });
        assert.ok(payload.sub);
      }
    });
  });
});
