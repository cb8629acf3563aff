// The fapi2 client profile (src/oidc/fapi-profile.ts): the FAPI 2.0 Security Profile as a whole
// for the ISPs under it, driven by openid-client as such an ISP would (PAR, DPoP,
// private_key_jwt), and each MUST of the profile refused when broken, with the error it names.
// A client outside the profile keeps the defaults in the same app.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import * as oidc from 'openid-client';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient, putInService } from '../support/factories.js';
import { Browser } from '../support/browser.js';
import { authorizeInBrowser, authorizeUrl, signIn, type Credentials } from '../support/flow.js';
import { ispKey, jwksOf, type IspKey } from '../support/isp-keys.js';
import { runCommand } from '../../src/cli/registry.js';
import { ValidationError } from '../../src/errors.js';

const REDIRECT = 'https://bank.isp.example/callback';
const NONCE = 'n-0S6_WzA2Mj';

describe('the fapi2 client profile (FAPI 2.0 Security Profile)', () => {
  let app: TestApp;
  let citizen: Credentials;
  let es256: IspKey;
  let rs256: IspKey;
  let clientId: string;

  before(async () => {
    // A longer code lifetime than FAPI allows, to see the profile cap it for its clients only.
    app = await startTestApp({ configure: (config) => void (config.ttl = { ...config.ttl, authorizationCodeSeconds: 300 }) });
    citizen = await createCitizen(app.container);
    [es256, rs256] = await Promise.all([ispKey('ES256'), ispKey('RS256')]);
    const created = await app.container.clients.addClient({ name: 'Bank ISP', redirectUris: [REDIRECT], profile: 'fapi2', jwks: jwksOf(es256, rs256) });
    clientId = created.client_id;
    await putInService(app.container, clientId);
  });
  after(async () => app.stop());

  const configFor = (key: IspKey = es256) => oidc.discovery(new URL(app.url), clientId, { id_token_signed_response_alg: 'PS256' }, oidc.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), { execute: [oidc.allowInsecureRequests] });

  async function pushedRequest(config: oidc.Configuration, options: { dpop?: oidc.DPoPHandle; params?: Record<string, string> } = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = await oidc.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: REDIRECT, scope: 'openid', nonce: NONCE,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...options.params,
    }, options.dpop ? { DPoP: options.dpop } : undefined);
    return { url, verifier };
  }

  /** A private_key_jwt client assertion (RFC 7523 §3) from the ISP's key. */
  async function assertion(key: IspKey, claims: { aud: string | string[] }) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer(clientId).setSubject(clientId).setAudience(claims.aud)
      .setIssuedAt(now).setExpirationTime(now + 60)
      .sign(key.privateKey);
  }

  async function assertRefused(promise: Promise<unknown>, error: string, description?: RegExp) {
    await assert.rejects(promise, (thrown: unknown) => {
      assert.ok(thrown instanceof oidc.ResponseBodyError, `an OAuth error response, not ${String(thrown)}`);
      assert.equal(thrown.error, error, `${thrown.error}: ${thrown.error_description}`);
      if (description) assert.match(String(thrown.error_description), description);
      return true;
    });
  }

  it('signs in with PAR, DPoP and private_key_jwt: iss in the response, PS256 ID token, DPoP-bound tokens', async () => {
    const config = await configFor();
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const { url, verifier } = await pushedRequest(config, { dpop, params: { scope: 'openid offline_access', prompt: 'consent' } });
    const callback = await authorizeInBrowser(new Browser(app.url), url, citizen);
    assert.equal(callback.searchParams.get('iss'), app.url, 'FAPI 2.0 §5.3.2.2: iss in the authorization response (RFC 9207)');
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: NONCE, idTokenExpected: true }, undefined, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop', 'FAPI 2.0 §5.3.2.1: sender-constrained access tokens');
    assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'PS256', 'FAPI 2.0 §5.4.1: no RS256 (the profile default is PS256)');
    const bearer = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(bearer.status, 401, 'the access token is refused without its DPoP proof');
    // §5.3.2.1: no refresh token rotation; the same refresh token keeps working, with the proof only.
    assert.ok(tokens.refresh_token);
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP: dpop });
    const second = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP: dpop });
    assert.ok(first.access_token && second.access_token);
    assert.ok(first.refresh_token === undefined || first.refresh_token === tokens.refresh_token, 'not rotated');
    await assertRefused(oidc.refreshTokenGrant(config, tokens.refresh_token), 'invalid_grant');
  });

  it('refuses an authorization request that was not pushed (invalid_request)', async () => {
    const { url } = authorizeUrl(app.url, { client_id: clientId, redirect_uri: REDIRECT });
    const result = await new Browser(app.url).navigate(url.href);
    assert.ok('redirectedTo' in result, 'the error goes back to the ISP');
    assert.equal(result.redirectedTo.searchParams.get('error'), 'invalid_request');
    assert.match(String(result.redirectedTo.searchParams.get('error_description')), /Pushed Authorization Request must be used/);
  });

  it('refuses a pushed request without PKCE (invalid_request)', async () => {
    const config = await configFor();
    await assertRefused(oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: REDIRECT, scope: 'openid' }), 'invalid_request', /PKCE/);
  });

  it('keeps a pushed request_uri for less than 600 seconds', async () => {
    const config = await configFor();
    const verifier = oidc.randomPKCECodeVerifier();
    const response = await request(app.url).post('/request').type('form').send({
      client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(es256, { aud: config.serverMetadata().issuer }),
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.ok(response.body.expires_in > 0 && response.body.expires_in < 600, `expires_in ${response.body.expires_in}`);
  });

  it('refuses the code without a DPoP proof, and with a proof of another key than the pushed one', async () => {
    // The refusal leaves the code unused: a proof then redeems it, so the refusal was for the missing proof.
    const config = await configFor();
    const unbound = await pushedRequest(config);
    const callback = await authorizeInBrowser(new Browser(app.url), unbound.url, citizen);
    const checks = { pkceCodeVerifier: unbound.verifier, expectedNonce: NONCE, idTokenExpected: true };
    await assertRefused(oidc.authorizationCodeGrant(config, callback, checks), 'invalid_grant');
    const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    assert.equal((await oidc.authorizationCodeGrant(config, callback, checks, undefined, { DPoP: dpop })).token_type.toLowerCase(), 'dpop');

    // §5.3.2.1: authorization code binding to the DPoP key given at the PAR endpoint.
    const pushedWith = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const other = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const bound = await pushedRequest(config, { dpop: pushedWith });
    const boundCallback = await authorizeInBrowser(new Browser(app.url), bound.url, citizen);
    const boundChecks = { pkceCodeVerifier: bound.verifier, expectedNonce: NONCE, idTokenExpected: true };
    // (The first test redeems a code bound the same way with its own key; only the key differs.)
    await assertRefused(oidc.authorizationCodeGrant(config, boundCallback, boundChecks, undefined, { DPoP: other }), 'invalid_grant');
  });

  it('issues codes that live at most 60 seconds, while other clients keep the configured 300', async () => {
    const { AuthorizationCode } = app.container.providerHolder.current();
    const config = await configFor();
    const { url } = await pushedRequest(config, { dpop: oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256')) });
    const code = (await authorizeInBrowser(new Browser(app.url), url, citizen)).searchParams.get('code')!;
    const fapiCode = await AuthorizationCode.find(code);
    assert.ok(fapiCode?.exp && fapiCode.iat && fapiCode.exp - fapiCode.iat <= 60, `fapi2 code lives ${fapiCode?.exp} - ${fapiCode?.iat}`);

    const plain = await createClient(app.container, { name: 'Plain ISP' });
    const flow = await signIn(app.url, plain, citizen);
    const plainCode = await AuthorizationCode.find(flow.code!);
    assert.equal(plainCode!.exp! - plainCode!.iat!, 300, 'a client outside the profile keeps the configuration');
  });

  describe('client authentication (FAPI 2.0 §5.3.2.1, §5.4.1)', () => {
    // A bad assertion gets invalid_client before the (bogus) code is looked at; a good one reaches
    // the code and gets invalid_grant, which shows the assertion is otherwise right.
    async function tokenRequestWith(clientAssertion: string) {
      const response = await request(app.url).post('/token').type('form').send({
        grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43),
        client_id: clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion,
      });
      return response.body as { error: string; error_description?: string };
    }

    it('accepts an ES256 assertion whose aud is the issuer', async () => {
      assert.equal((await tokenRequestWith(await assertion(es256, { aud: app.url }))).error, 'invalid_grant');
    });

    it('refuses an aud other than the issuer as a string: the token endpoint, or an array', async () => {
      assert.equal((await tokenRequestWith(await assertion(es256, { aud: `${app.url}/token` }))).error, 'invalid_client');
      assert.equal((await tokenRequestWith(await assertion(es256, { aud: [app.url] }))).error, 'invalid_client');
    });

    it('refuses an RS256 assertion, even with a registered RSA key', async () => {
      const body = await tokenRequestWith(await assertion(rs256, { aud: app.url }));
      assert.equal(body.error, 'invalid_client');
    });
  });

  describe('registration under the profile', () => {
    const registrar = () => app.container.clients;

    it('refuses public clients, secrets, RS256 ID tokens and the no-PKCE exception from the operator', async () => {
      const base = { name: 'Bank', redirectUris: [REDIRECT], profile: 'fapi2' as const, jwks: jwksOf(es256) };
      for (const [input, problem] of [
        [{ ...base, public: true, jwks: undefined }, /confidential clients only/],
        [{ ...base, tokenEndpointAuthMethod: 'client_secret_basic' as const }, /private_key_jwt only/],
        [{ ...base, idTokenSigningAlg: 'RS256' as const }, /PS256, ES256, EdDSA only/],
        [{ ...base, allowNoPkce: true }, /not available under --profile fapi2/],
        [{ ...base, jwks: undefined }, /needs the ISP's keys/],
      ] as const) {
        await assert.rejects(registrar().addClient(input), (error: unknown) => error instanceof ValidationError && problem.test(error.problems.join('; ')));
      }
    });

    it('is set and shown by the CLI, and moves a client back to the defaults', async () => {
      const added = await runCommand(app.container, ['client', 'add', '--name', 'CLI Bank', '--redirect-uri', REDIRECT, '--profile', 'fapi2', '--jwks', JSON.stringify(jwksOf(es256)), '--json']);
      const { client_id: id, client_secret: secret } = JSON.parse(added.output) as { client_id: string; client_secret?: string };
      assert.equal(secret, undefined, 'no secret: private_key_jwt');
      const shown = JSON.parse((await runCommand(app.container, ['client', 'show', id])).output) as Record<string, unknown>;
      assert.equal(shown.profile, 'fapi2');
      assert.equal(shown.token_endpoint_auth_method, 'private_key_jwt');
      assert.equal(shown.id_token_signed_response_alg, 'PS256');
      const loaded = (await registrar().loadClient(id))!.metadata;
      assert.equal(loaded.require_pushed_authorization_requests, true);
      assert.equal(loaded.dpop_bound_access_tokens, true);
      const back = await runCommand(app.container, ['client', 'update', id, '--profile', 'default']);
      assert.equal((JSON.parse(back.output) as Record<string, unknown>).profile, 'default');
      const after = (await registrar().loadClient(id))!.metadata;
      assert.equal(after.require_pushed_authorization_requests, undefined);
      assert.equal(after.dpop_bound_access_tokens, undefined);
      const entries = await app.container.db.knex('audit_log').where({ client_id: id }).orderBy('occurred_at').select('type', 'details');
      assert.deepEqual(entries.map((entry: { type: string; details: { profile?: string } }) => [entry.type, entry.details.profile]), [['client.registered', 'fapi2'], ['client.updated', 'default']], 'the audit log says which profile');
    });

    it('moves an ISP with a secret under the profile only with private_key_jwt and a FAPI algorithm, and drops its secret', async () => {
      const plain = await createClient(app.container, { name: 'Bank moving to FAPI' });
      const args = ['client', 'update', plain.client_id, '--profile', 'fapi2', '--jwks', JSON.stringify(jwksOf(es256))];
      const refused = await runCommand(app.container, args);
      assert.notEqual(refused.exitCode ?? 0, 0);
      assert.match(refused.output, /private_key_jwt only/);
      assert.match(refused.output, /PS256, ES256, EdDSA only .*--id-token-alg/, 'an RS256 ISP must choose its new algorithm');
      assert.equal((await registrar().findClient(plain.client_id))?.profile, 'default', 'nothing changed');
      const moved = await runCommand(app.container, [...args, '--auth-method', 'private_key_jwt', '--id-token-alg', 'ES256']);
      assert.equal(moved.exitCode ?? 0, 0, moved.output);
      const loaded = (await registrar().loadClient(plain.client_id))!.metadata;
      assert.equal(loaded.token_endpoint_auth_method, 'private_key_jwt');
      assert.equal(loaded.client_secret, undefined, 'the secret is gone');
      assert.equal(loaded.dpop_bound_access_tokens, true);
    });

    it('can be asked for at dynamic registration (cyberid_security_profile), and applies PAR, DPoP and PS256', async () => {
      const { InitialAccessToken } = app.container.providerHolder.current();
      const token = await new InitialAccessToken({}).save();
      const refused = await request(app.url).post('/reg').set('authorization', `Bearer ${token}`)
        .send({ redirect_uris: [REDIRECT], cyberid_security_profile: 'fapi2', token_endpoint_auth_method: 'client_secret_basic' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'invalid_client_metadata');
      assert.match(refused.body.error_description, /private_key_jwt/);

      const registered = await request(app.url).post('/reg').set('authorization', `Bearer ${await new InitialAccessToken({}).save()}`)
        .send({ redirect_uris: [REDIRECT], cyberid_security_profile: 'fapi2', token_endpoint_auth_method: 'private_key_jwt', jwks: jwksOf(es256) });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      assert.equal(registered.body.require_pushed_authorization_requests, true);
      assert.equal(registered.body.dpop_bound_access_tokens, true);
      assert.equal(registered.body.id_token_signed_response_alg, 'PS256', 'RS256 (the registration default) is replaced, RFC 7591 §3.2.1');

      // The ISP cannot take itself out of the profile (RFC 7592 update).
      const update = await request(app.url).put(`/reg/${registered.body.client_id}`).set('authorization', `Bearer ${registered.body.registration_access_token}`)
        .send({ client_id: registered.body.client_id, redirect_uris: [REDIRECT], token_endpoint_auth_method: 'private_key_jwt', jwks: jwksOf(es256) });
      assert.equal(update.status, 400, JSON.stringify(update.body));
      assert.match(update.body.error_description, /only the operator/);
    });
  });

  it('leaves other clients on the defaults: no PAR, no DPoP, RS256, rotation', async () => {
    const plain = await createClient(app.container, { name: 'Ordinary ISP' });
    const flow = await signIn(app.url, plain, citizen);
    assert.ok(flow.code, 'a front-channel request without PAR is served');
    const loaded = (await app.container.clients.loadClient(plain.client_id))!.metadata;
    assert.equal(loaded.id_token_signed_response_alg, 'RS256');
    assert.equal(loaded.dpop_bound_access_tokens, undefined);
  });
});

