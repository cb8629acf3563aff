// Userinfo (OIDC Core §5.3), introspection (RFC 7662) and revocation (RFC 7009): the last two
// only for an authenticated client and only for its own tokens; introspection reports the same
// pairwise sub as the ID token; a revoked access token no longer opens userinfo.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import type { Browser } from '../support/browser.js';
import { signIn, type Credentials } from '../support/flow.js';
import {
  assertAccessTokenAlive, assertAccessTokenDead, assertRefreshTokenDead, idTokenClaims, introspect, postAsClient, refresh, revoke,
  signInForTokens, type TestClient, type TokenSet,
} from '../support/tokens.js';

const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };

describe('userinfo, introspection and revocation', () => {
  let app: TestApp;
  let client: TestClient & { client_secret: string };
  let other: TestClient & { client_secret: string };
  let citizen: Credentials;
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    client = (await createClient(app.container, { name: 'Shop' })) as typeof client;
    // Another ISP, on another host (another sector): it sees another pairwise ID.
    other = (await createClient(app.container, { name: 'Bank', redirectUris: ['https://bank.example/callback'] })) as typeof other;
    citizen = await createCitizen(app.container);
    browser = (await signIn(app.url, client, citizen)).browser;
  });
  after(async () => app.stop());

  async function tokens(target: TestClient = client): Promise<TokenSet> {
    return (await signInForTokens(app.url, target, citizen, { params: OFFLINE, browser })).tokens;
  }

  describe('userinfo', () => {
    it('returns the ID token\'s pairwise sub for a valid access token', async () => {
      const set = await tokens();
      const body = await assertAccessTokenAlive(app.url, set.access_token);
      assert.equal(body.sub, idTokenClaims(set).sub);
      assert.notEqual(body.sub, citizen.cyberspace_id, 'never the citizen-level ID');
    });

    it('refuses a request without a token, and with an unknown token', async () => {
      const none = await fetch(`${app.url}/me`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      await assertAccessTokenDead(app.url, 'not-a-real-token-value-0123456789abcdef');
    });
  });

  describe('client authentication is required', () => {
    let set: TokenSet;
    before(async () => (set = await tokens()));

    for (const endpoint of ['introspection', 'revocation'] as const) {
      const path = `/token/${endpoint}`;

      it(`${endpoint}: a confidential client naming itself without its secret gets 401 invalid_client`, async () => {
        const response = await postAsClient(`${app.url}${path}`, { client_id: client.client_id }, { token: set.access_token });
        assert.equal(response.status, 401, JSON.stringify(response.body));
        assert.equal(response.body.error, 'invalid_client');
        assert.equal(response.body.active, undefined);
      });

      it(`${endpoint}: a wrong secret gets 401 invalid_client`, async () => {
        const response = await postAsClient(`${app.url}${path}`, { client_id: client.client_id, client_secret: `${client.client_secret}x` }, { token: set.access_token });
        assert.equal(response.status, 401, JSON.stringify(response.body));
        assert.equal(response.body.error, 'invalid_client');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Basic/);
      });

      it(`${endpoint}: a request with no client at all is refused`, async () => {
        const response = await postAsClient(`${app.url}${path}`, undefined, { token: set.access_token });
        // oidc-provider answers 400 invalid_request ("no client authentication mechanism
        // provided") when it cannot even tell which client is calling; 401 when it can.
        assert.ok([400, 401].includes(response.status), `refused, got ${response.status}`);
        assert.ok(['invalid_request', 'invalid_client'].includes(String(response.body.error)), JSON.stringify(response.body));
        assert.equal(response.body.active, undefined);
      });
    }

    it('none of the refused revocations revoked anything', async () => {
      await assertAccessTokenAlive(app.url, set.access_token);
      const response = await refresh(app.url, client, set.refresh_token!);
      assert.equal(response.status, 200);
    });
  });

  describe('introspection', () => {
    it('reports an active access token with the same pairwise sub as the ID token', async () => {
      const set = await tokens();
      const response = await introspect(app.url, client, set.access_token);
      assert.equal(response.status, 200);
      assert.equal(response.body.active, true);
      assert.equal(response.body.sub, idTokenClaims(set).sub);
      assert.equal(response.body.client_id, client.client_id);
      assert.equal(response.body.iss, app.url);
      assert.equal(typeof response.body.exp, 'number');

      const forRefresh = await introspect(app.url, client, set.refresh_token!);
      assert.equal(forRefresh.body.active, true);
      assert.equal(forRefresh.body.sub, idTokenClaims(set).sub);
    });

    it('tells another ISP nothing about a token that is not its own (no pairwise ID leaks across sectors)', async () => {
      const set = await tokens();
      const otherSet = await tokens(other);
      assert.notEqual(idTokenClaims(otherSet).sub, idTokenClaims(set).sub, 'control: the two ISPs see different pairwise IDs');
      for (const token of [set.access_token, set.refresh_token!]) {
        const response = await introspect(app.url, other, token);
        assert.equal(response.status, 200);
        assert.deepEqual(response.body, { active: false }, 'another ISP learns nothing');
      }
      const own = await introspect(app.url, client, set.access_token);
      assert.equal(own.body.active, true, 'the token itself is fine');
    });

    it('reports unknown tokens as inactive', async () => {
      const response = await introspect(app.url, client, 'unknown-token-value-0123456789abcdefghij');
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { active: false });
    });
  });

  describe('revocation', () => {
    it('kills a revoked access token at userinfo and introspection', async () => {
      const set = await tokens();
      await assertAccessTokenAlive(app.url, set.access_token, 'control');
      const response = await revoke(app.url, client, set.access_token);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      await assertAccessTokenDead(app.url, set.access_token, 'the revoked access token');
      assert.deepEqual((await introspect(app.url, client, set.access_token)).body, { active: false });
    });

    it('kills a revoked refresh token and the access tokens issued with it', async () => {
      const set = await tokens();
      const response = await revoke(app.url, client, set.refresh_token!);
      assert.equal(response.status, 200);
      await assertRefreshTokenDead(app.url, client, set.refresh_token!, 'the revoked refresh token');
      await assertAccessTokenDead(app.url, set.access_token, 'an access token of the same grant');
    });

    it('does not let another ISP revoke a token that is not its own', async () => {
      const set = await tokens();
      const response = await revoke(app.url, other, set.access_token);
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.error, 'invalid_request');
      await assertAccessTokenAlive(app.url, set.access_token, 'the token survives');
      assert.equal((await refresh(app.url, client, set.refresh_token!)).status, 200, 'and so does the refresh token');
    });
  });
});
