// Signed request objects (JAR, RFC 9101) and encrypted ID tokens (JWE, RFC 7516; OIDC Core
// §10.2), as docs/integration.md documents them, driven by openid-client as an ISP would: the
// ISP registers its public keys (`jwks`), signs its authorization request, and decrypts the ID
// token with its own private key. Discovery advertises exactly what is accepted.
import assert from 'node:assert/strict';
import request from 'supertest';
import * as oidc from 'openid-client';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage, type Page } from '../support/browser.js';
import { authorizeInBrowser, authorizeUrl, type Credentials } from '../support/flow.js';
import { ispKey, jwksOf, type IspKey } from '../support/isp-keys.js';
import { ID_TOKEN_ENCRYPTION_ALGS } from '../../src/oidc/encryption-algorithms.js';

describe('JAR and JWE with openid-client', () => {
  let app: TestApp;
  let citizen: Credentials;
  let metadata: Record<string, unknown>;
  before(async () => {
    app = await startTestApp();
    citizen = await createCitizen(app.container);
    metadata = (await request(app.url).get('/.well-known/openid-configuration').expect(200)).body as Record<string, unknown>;
  });
  after(async () => app.stop());

  async function discover(client: { client_id: string; client_secret?: string }, extra: Partial<oidc.ClientMetadata> = {}) {
    return oidc.discovery(new URL(app.url), client.client_id, extra, oidc.ClientSecretBasic(client.client_secret!), { execute: [oidc.allowInsecureRequests] });
  }

  /** A request object that fails verification cannot be trusted for its redirect_uri: the error is shown here. */
  function assertErrorPage(result: Page | { redirectedTo: URL }, error: string, description: RegExp) {
    assert.ok(isPage(result), `an error page, not a redirect to ${'redirectedTo' in result ? result.redirectedTo.href : ''}`);
    assert.equal(result.status, 400);
    const text = result.document.querySelector('main')?.text ?? '';
    assert.ok(text.includes(error), text);
    assert.match(text, description);
  }

  async function codeFlow(config: oidc.Configuration, url: URL, verifier: string, nonce: string) {
    const callback = await authorizeInBrowser(new Browser(app.url), url, citizen);
    return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, idTokenExpected: true });
  }

  async function authorizationParams(redirectUri: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const params = { redirect_uri: redirectUri, scope: 'openid', nonce, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
    return { params, verifier, nonce };
  }

  describe('signed request objects (JAR)', () => {
    let signer: IspKey;
    let client: Awaited<ReturnType<typeof createClient>>;
    before(async () => {
      signer = await ispKey('ES256');
      client = await createClient(app.container, { name: 'JAR ISP', jwks: jwksOf(signer), requireSignedRequestObject: true });
    });

    it('is in discovery: request parameter, signing algorithms, no unsigned ones', () => {
      assert.equal(metadata.request_parameter_supported, true);
      assert.deepEqual(new Set(metadata.request_object_signing_alg_values_supported as string[]), new Set(['ES256', 'RS256', 'PS256', 'EdDSA']));
    });

    it('signs in with a request object signed by the registered key', async () => {
      const config = await discover(client);
      const { params, verifier, nonce } = await authorizationParams(client.redirect_uri);
      const url = await oidc.buildAuthorizationUrlWithJAR(config, params, { key: signer.privateKey, kid: signer.kid });
      assert.ok(url.searchParams.get('request'), 'the parameters travel inside the signed request');
      assert.equal(url.searchParams.get('redirect_uri'), null);
      const tokens = await codeFlow(config, url, verifier, nonce);
      assert.ok(tokens.claims()?.sub);
    });

    it('refuses a plain request from a client that requires request objects (invalid_request)', async () => {
      const { url } = authorizeUrl(app.url, client);
      const result = await new Browser(app.url).navigate(url.href);
      assert.ok('redirectedTo' in result);
      assert.equal(result.redirectedTo.searchParams.get('error'), 'invalid_request');
      assert.match(String(result.redirectedTo.searchParams.get('error_description')), /Request Object must be used/);
    });

    it('refuses a request object signed by a key the ISP never registered (invalid_request_object)', async () => {
      const stranger = await ispKey('ES256', 'sig', signer.kid);
      const config = await discover(client);
      const { params } = await authorizationParams(client.redirect_uri);
      const url = await oidc.buildAuthorizationUrlWithJAR(config, params, { key: stranger.privateKey, kid: stranger.kid });
      assertErrorPage(await new Browser(app.url).navigate(url.href), 'invalid_request_object', /could not validate Request Object/);
    });

    it('refuses an unsigned request object (alg none)', async () => {
      const { params } = await authorizationParams(client.redirect_uri);
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...params, response_type: 'code', client_id: client.client_id, iss: client.client_id, aud: app.url })).toString('base64url')}.`;
      const url = new URL(`${app.url}/auth`);
      url.search = new URLSearchParams({ client_id: client.client_id, request: unsigned }).toString();
      assertErrorPage(await new Browser(app.url).navigate(url.href), 'invalid_request_object', /unsupported signed request alg/);
    });

    it('takes a request object through PAR as well', async () => {
      const config = await discover(client);
      const { params, verifier, nonce } = await authorizationParams(client.redirect_uri);
      const requestObject = await new SignJWT({ ...params, response_type: 'code', client_id: client.client_id })
        .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: 'oauth-authz-req+jwt' })
        .setIssuer(client.client_id).setAudience(app.url).setIssuedAt().setExpirationTime('1m')
        .sign(signer.privateKey);
      const url = await oidc.buildAuthorizationUrlWithPAR(config, { request: requestObject });
      const tokens = await codeFlow(config, url, verifier, nonce);
      assert.ok(tokens.claims()?.sub);
    });
  });

  describe('encrypted ID tokens (JWE)', () => {
    it('is in discovery: the asymmetric key management algorithms and content encryptions', () => {
      assert.deepEqual(new Set(metadata.id_token_encryption_alg_values_supported as string[]), new Set(ID_TOKEN_ENCRYPTION_ALGS));
      for (const enc of ['A256GCM', 'A128CBC-HS256']) assert.ok((metadata.id_token_encryption_enc_values_supported as string[]).includes(enc), enc);
    });

    for (const [alg, enc] of [['ECDH-ES+A256KW', 'A256GCM'], ['RSA-OAEP-256', 'A256GCM']] as const) {
      it(`encrypts the ID token to the ISP's ${alg} key with ${enc}, which openid-client decrypts`, async () => {
        const encryptionKey = await ispKey(alg, 'enc');
        const client = await createClient(app.container, { name: `JWE ISP ${alg}`, jwks: jwksOf(encryptionKey), idTokenEncryptionAlg: alg, idTokenEncryptionEnc: enc });
        const config = await discover(client, { id_token_encrypted_response_alg: alg, id_token_encrypted_response_enc: enc });
        oidc.enableDecryptingResponses(config, [enc], { key: encryptionKey.privateKey, alg, kid: encryptionKey.kid });
        const { params, verifier, nonce } = await authorizationParams(client.redirect_uri);
        const tokens = await codeFlow(config, oidc.buildAuthorizationUrl(config, params), verifier, nonce);
        assert.equal(tokens.id_token!.split('.').length, 5, 'a JWE in compact serialisation');
        const header = decodeProtectedHeader(tokens.id_token!);
        assert.equal(header.alg, alg);
        assert.equal(header.enc, enc);
        assert.equal(header.kid, encryptionKey.kid);
        assert.equal(tokens.claims()?.iss, app.url, 'the decrypted, signature-checked claims');
      });
    }

    it('refuses encryption without an encryption key, and a symmetric algorithm, at registration', async () => {
      await assert.rejects(createClient(app.container, { name: 'No key', idTokenEncryptionAlg: 'ECDH-ES+A256KW' }), /encryption key/);
      await assert.rejects(createClient(app.container, { name: 'Symmetric', jwks: jwksOf(await ispKey('ES256')), idTokenEncryptionAlg: 'A128KW' }), /must be one of/);
      const { InitialAccessToken } = app.container.providerHolder.current();
      const refused = await request(app.url).post('/reg').set('authorization', `Bearer ${await new InitialAccessToken({}).save()}`)
        .send({ redirect_uris: ['https://isp.example/callback'], id_token_encrypted_response_alg: 'A128KW' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'invalid_client_metadata');
    });
  });
});
