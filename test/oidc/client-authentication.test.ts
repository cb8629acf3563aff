// Client authentication at the token endpoint (OIDC Core §9, RFC 6749 §2.3, RFC 7523):
// client_secret_basic, client_secret_post, private_key_jwt with keys from the ISP's jwks_uri,
// and public clients that prove possession through PKCE alone. Wrong credentials get
// invalid_client; a disabled ISP can no longer obtain tokens, and its tokens stop working.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import type { Browser } from '../support/browser.js';
import { authorizeUrl, basicAuth, signIn, type Credentials, type FlowResult } from '../support/flow.js';
import { assertAccessTokenAlive, assertAccessTokenDead, redeem, refresh, type JsonResponse, type TestClient, type TokenSet } from '../support/tokens.js';

const JWKS_URI = 'https://keys.isp.example/jwks.json';
// A native app's private-use scheme has no host: its sector comes from a sector_identifier_uri.
const NATIVE_REDIRECT = 'cn.isp.app:/callback';
const SECTOR_URI = 'https://isp.example/sector.json';

type Signer = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('client authentication at the token endpoint', () => {
  let app: TestApp;
  let citizen: Credentials;
  let browser: Browser | undefined;
  let ispKey: Signer;
  let publishedJwks: { keys: JWK[] };
  let jwksFetches = 0;

  before(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    ispKey = pair.privateKey;
    publishedJwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'isp-key-1', alg: 'ES256', use: 'sig' }] };
    // The ISP's jwks_uri, served to oidc-provider through the app's outgoing fetch.
    const fetchForApp: typeof globalThis.fetch = async (input, init) => {
      const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (href === JWKS_URI) {
        jwksFetches += 1;
        return new Response(JSON.stringify(publishedJwks), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      if (href === SECTOR_URI) {
        return new Response(JSON.stringify([NATIVE_REDIRECT]), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return globalThis.fetch(input, init);
    };
    app = await startTestApp({ fetch: fetchForApp });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  async function codeFor(client: TestClient): Promise<FlowResult> {
    const flow = await signIn(app.url, client, citizen, { browser });
    browser ??= flow.browser;
    assert.ok(flow.code);
    return flow;
  }

  async function tokenRequest(params: Record<string, string>, headers: Record<string, string> = {}): Promise<JsonResponse> {
    const response = await fetch(`${app.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(params),
    });
    return { status: response.status, body: (await response.json()) as JsonResponse['body'], headers: response.headers };
  }

  const codeParams = (client: TestClient, flow: FlowResult) => ({
    grant_type: 'authorization_code', code: flow.code!, redirect_uri: client.redirect_uri, code_verifier: flow.verifier,
  });

  function assertInvalidClient(response: JsonResponse, label: string) {
    assert.equal(response.status, 401, `${label}: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.error, 'invalid_client', label);
    assert.equal(response.body.access_token, undefined);
  }

  function assertTokens(response: JsonResponse, label: string): TokenSet {
    assert.equal(response.status, 200, `${label}: ${JSON.stringify(response.body)}`);
    assert.ok(response.body.access_token && response.body.id_token, label);
    return response.body as unknown as TokenSet;
  }

  describe('client_secret_basic', () => {
    let client: TestClient & { client_secret: string };
    before(async () => (client = (await createClient(app.container, { name: 'Basic ISP' })) as typeof client));

    it('redeems a code with the secret in the Authorization header', async () => {
      const flow = await codeFor(client);
      assertTokens(await tokenRequest(codeParams(client, flow), { authorization: basicAuth(client.client_id, client.client_secret) }), 'basic');
    });

    it('refuses a wrong secret, a missing secret and an unknown client with invalid_client', async () => {
      const flow = await codeFor(client);
      assertInvalidClient(await tokenRequest(codeParams(client, flow), { authorization: basicAuth(client.client_id, `${client.client_secret}x`) }), 'wrong secret');
      assertInvalidClient(await tokenRequest({ ...codeParams(client, flow), client_id: client.client_id }), 'no secret');
      assertInvalidClient(await tokenRequest(codeParams(client, flow), { authorization: basicAuth('isp_unknown', client.client_secret) }), 'unknown client');
      // The code was not spent by the failed attempts.
      assertTokens(await tokenRequest(codeParams(client, flow), { authorization: basicAuth(client.client_id, client.client_secret) }), 'right secret');
    });
  });

  describe('client_secret_post', () => {
    let client: TestClient & { client_secret: string };
    before(async () => {
      client = (await createClient(app.container, { name: 'Post ISP', tokenEndpointAuthMethod: 'client_secret_post' })) as typeof client;
    });

    it('redeems a code with client_id and client_secret in the body', async () => {
      const flow = await codeFor(client);
      assertTokens(await tokenRequest({ ...codeParams(client, flow), client_id: client.client_id, client_secret: client.client_secret }), 'post');
    });

    it('refuses a wrong secret with invalid_client', async () => {
      const flow = await codeFor(client);
      assertInvalidClient(await tokenRequest({ ...codeParams(client, flow), client_id: client.client_id, client_secret: 'not-the-secret' }), 'wrong secret');
    });
  });

  describe('private_key_jwt', () => {
    let client: TestClient;
    before(async () => {
      const created = await createClient(app.container, { name: 'JWT ISP', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: JWKS_URI });
      assert.equal(created.client_secret, undefined, 'no shared secret is issued');
      client = created;
    });

    function assertion(overrides: { key?: Signer; kid?: string; aud?: string; exp?: number; jti?: string; iss?: string } = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: overrides.kid ?? 'isp-key-1' })
        .setIssuer(overrides.iss ?? client.client_id)
        .setSubject(client.client_id)
        .setAudience(overrides.aud ?? app.url)
        .setIssuedAt(now)
        .setExpirationTime(overrides.exp ?? now + 60)
        .setJti(overrides.jti ?? randomUUID())
        .sign(overrides.key ?? ispKey);
    }

    const withAssertion = async (params: Record<string, string>, jwt: string | Promise<string>) => tokenRequest({
      ...params,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await jwt,
    });

    it('redeems a code and refreshes with a signed assertion verified against the ISP\'s jwks_uri', async () => {
      const flow = await signIn(app.url, client, citizen, { browser, params: { scope: 'openid offline_access', prompt: 'consent' } });
      const tokens = assertTokens(await withAssertion(codeParams(client, flow), assertion()), 'private_key_jwt');
      assert.ok(jwksFetches > 0, 'the keys came from the jwks_uri');
      await assertAccessTokenAlive(app.url, tokens.access_token);
      assertTokens(await withAssertion({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, assertion()), 'refresh with private_key_jwt');
    });

    it('refuses an assertion signed with a key the ISP did not publish', async () => {
      const flow = await codeFor(client);
      const { privateKey } = await generateKeyPair('ES256');
      assertInvalidClient(await withAssertion(codeParams(client, flow), assertion({ key: privateKey })), 'unpublished key');
    });

    it('refuses an expired assertion, one for another audience, and a replayed one', async () => {
      const flow = await codeFor(client);
      const past = Math.floor(Date.now() / 1000) - 600;
      assertInvalidClient(await withAssertion(codeParams(client, flow), assertion({ exp: past })), 'expired');
      assertInvalidClient(await withAssertion(codeParams(client, flow), assertion({ aud: 'https://other-idp.example' })), 'wrong audience');
      const once = await assertion();
      assertTokens(await withAssertion(codeParams(client, flow), once), 'first use');
      const next = await codeFor(client);
      assertInvalidClient(await withAssertion(codeParams(client, next), once), 'replayed jti');
    });

    it('refuses a client secret or no authentication for a private_key_jwt client', async () => {
      const flow = await codeFor(client);
      assertInvalidClient(await tokenRequest({ ...codeParams(client, flow), client_id: client.client_id }), 'no authentication');
      assertInvalidClient(await tokenRequest({ ...codeParams(client, flow), client_id: client.client_id, client_secret: 'guess' }), 'a secret');
    });
  });

  describe('public client (PKCE only)', () => {
    let client: TestClient;
    before(async () => {
      client = await createClient(app.container, { name: 'Native app', public: true, redirectUris: [NATIVE_REDIRECT], sectorIdentifierUri: SECTOR_URI });
      assert.equal(client.client_secret, undefined, 'a public client has no secret');
    });

    it('redeems a code with client_id and code_verifier only, and refreshes without a secret', async () => {
      // (before: a private-use scheme client reached the token endpoint and got server_error,
      // as no pairwise sector could be derived from a redirect URI without a host)
      const flow = await signIn(app.url, client, citizen, { browser, params: { scope: 'openid offline_access', prompt: 'consent' } });
      assert.equal(flow.callback.protocol, 'cn.isp.app:');
      const tokens = assertTokens(await tokenRequest({ ...codeParams(client, flow), client_id: client.client_id }), 'public');
      await assertAccessTokenAlive(app.url, tokens.access_token);
      assert.ok(tokens.refresh_token);
      assertTokens(await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: client.client_id }), 'public refresh');
    });

    it('cannot redeem a code without the code_verifier (the code alone is not enough)', async () => {
      const flow = await codeFor(client);
      const { code_verifier: _omitted, ...params } = codeParams(client, flow);
      const response = await tokenRequest({ ...params, client_id: client.client_id });
      assert.equal(response.status, 400);
      assert.equal(response.body.error, 'invalid_grant');
    });
  });

  describe('a suspended client', () => {
    it('can no longer use the token endpoint, and its tokens stop working at userinfo', async () => {
      const client = await createClient(app.container, { name: 'Soon suspended' });
      const flow = await signIn(app.url, client, citizen, { browser, params: { scope: 'openid offline_access', prompt: 'consent' } });
      const tokens = await redeem(app.url, client, flow);
      await assertAccessTokenAlive(app.url, tokens.access_token, 'control');
      const pending = await codeFor(client);

      await app.container.clientOnboarding.suspend(client.client_id, { reason: 'test: suspended', by: { actor: 'operator' } });

      const exchange = await tokenRequest(codeParams(client, pending), { authorization: basicAuth(client.client_id, client.client_secret!) });
      assertInvalidClient(exchange, 'code exchange by a suspended client');
      assertInvalidClient(await refresh(app.url, client, tokens.refresh_token!), 'refresh by a suspended client');
      await assertAccessTokenDead(app.url, tokens.access_token, 'the suspended client\'s access token');

      // Nor can it start new authorizations: an error page, never a redirect to the ISP.
      const response = await browser!.request(authorizeUrl(app.url, client).url.href);
      assert.equal(response.headers.get('location'), null);
      assert.equal(response.status, 400);
    });
  });
});
