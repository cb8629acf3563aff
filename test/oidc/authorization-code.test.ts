// The authorization code flow's protections (OIDC Core §3.1, RFC 6749 §4.1, RFC 7636,
// RFC 9700 §2.1 and §4.1): PKCE with S256 for every client, exact redirect URI matching,
// state and nonce round trips, short-lived single-use codes whose replay — sequential or
// racing — revokes everything the code produced.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { authorizeUrl, exchangeCode, signIn, type Credentials } from '../support/flow.js';
import {
  assertAccessTokenAlive, assertAccessTokenDead, assertRefreshTokenDead, holdConcurrentReads, idTokenClaims, redeem, type TestClient, type TokenSet,
} from '../support/tokens.js';
import type { Payload } from '../../src/storage/model-store.js';
import { createRedisKeys } from '../../src/storage/redis-keys.js';
import type { RedisConnection } from '../../src/storage/redis-connection.js';

const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };

describe('authorization code flow', () => {
  let app: TestApp;
  let client: TestClient;
  let publicClient: TestClient;
  let citizen: Credentials;
  // One signed-in browser per test file keeps the flows fast (no password hashing each time).
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Confidential ISP' });
    publicClient = await createClient(app.container, { name: 'Public ISP', public: true, redirectUris: ['https://app.isp.example/callback'] });
    citizen = await createCitizen(app.container);
    browser = (await signIn(app.url, client, citizen)).browser;
  });
  after(async () => app.stop());

  /** Sends the browser to /auth and returns the ISP-bound redirect (asserting there is one). */
  async function authorizeRedirect(target: TestClient, params: Record<string, string | undefined>) {
    const { url } = authorizeUrl(app.url, target, params);
    const result = await browser.navigate(url.href);
    assert.ok(!isPage(result), `expected a redirect to the ISP, got page ${isPage(result) ? `${result.status} ${result.url}` : ''}`);
    return result.redirectedTo;
  }

  describe('PKCE (RFC 7636, required for every client by RFC 9700 §2.1.1)', () => {
    for (const kind of ['confidential', 'public'] as const) {
      it(`refuses an authorization request without code_challenge from a ${kind} client`, async () => {
        const target = kind === 'public' ? publicClient : client;
        const callback = await authorizeRedirect(target, { code_challenge: undefined, code_challenge_method: undefined, state: 'no-pkce' });
        assert.equal(callback.origin + callback.pathname, target.redirect_uri);
        assert.equal(callback.searchParams.get('error'), 'invalid_request', callback.href);
        assert.match(callback.searchParams.get('error_description') ?? '', /PKCE|code_challenge/i);
        assert.equal(callback.searchParams.get('state'), 'no-pkce');
        assert.equal(callback.searchParams.get('code'), null, 'no code is issued');
      });
    }

    it('refuses the plain code_challenge_method', async () => {
      const verifier = 'a'.repeat(64);
      const callback = await authorizeRedirect(client, { code_challenge: verifier, code_challenge_method: 'plain' });
      assert.equal(callback.searchParams.get('error'), 'invalid_request', callback.href);
      assert.equal(callback.searchParams.get('code'), null);
    });

    it('refuses to redeem a code without the code_verifier or with a wrong one', async () => {
      const flow = await signIn(app.url, client, citizen, { browser });
      assert.ok(flow.code);
      const missing = await exchangeCode(app.url, client, flow.code, '');
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'invalid_grant', JSON.stringify(missing.body));
      const wrong = await exchangeCode(app.url, client, flow.code, `${flow.verifier.slice(0, -1)}${flow.verifier.endsWith('A') ? 'B' : 'A'}`);
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error, 'invalid_grant', JSON.stringify(wrong.body));

      const other = await signIn(app.url, client, citizen, { browser });
      const right = await exchangeCode(app.url, client, other.code!, other.verifier);
      assert.equal(right.status, 200, 'control: the right verifier works');
    });
  });

  describe('redirect_uri (OIDC Core §3.1.2.1: exact match)', () => {
    const variants: Array<[string, (uri: string) => string]> = [
      ['a different path', (uri) => uri.replace('/callback', '/other')],
      ['a path prefix extension', (uri) => `${uri}/evil`],
      ['an extra query parameter', (uri) => `${uri}?next=https://attacker.example`],
      ['a trailing slash', (uri) => `${uri}/`],
      ['a different scheme', (uri) => uri.replace('https:', 'http:')],
      ['a different host', (uri) => uri.replace('isp.example', 'isp.example.attacker.example')],
      ['a different port', (uri) => uri.replace('isp.example', 'isp.example:8443')],
      ['a different letter case in the path', (uri) => uri.replace('/callback', '/Callback')],
      ['a fragment', (uri) => `${uri}#x`],
    ];
    for (const [label, change] of variants) {
      it(`shows an error page, never a redirect, for ${label}`, async () => {
        const redirectUri = change(client.redirect_uri);
        assert.notEqual(redirectUri, client.redirect_uri);
        const { url } = authorizeUrl(app.url, { ...client, redirect_uri: redirectUri }, {});
        const response = await browser.request(url.href);
        assert.equal(response.headers.get('location'), null, `no redirect for ${redirectUri}`);
        assert.equal(response.status, 400);
        assert.match(await response.text(), /redirect_uri/);
      });
    }

    it('shows an error page when redirect_uri is omitted (no default even with one registered URI)', async () => {
      const { url } = authorizeUrl(app.url, client, { redirect_uri: undefined });
      const response = await browser.request(url.href);
      assert.equal(response.headers.get('location'), null);
      assert.equal(response.status, 400);
    });

    it('refuses to redeem a code with a redirect_uri other than the one it was issued for', async () => {
      const flow = await signIn(app.url, client, citizen, { browser });
      const response = await exchangeCode(app.url, { ...client, redirect_uri: `${client.redirect_uri}/` }, flow.code!, flow.verifier);
      assert.equal(response.status, 400);
      assert.equal(response.body.error, 'invalid_grant');
    });
  });

  it('returns state unchanged to the ISP and nonce unchanged in the ID token', async () => {
    const state = 'st+ate/with spaces&symbols=é😀~._-';
    const nonce = 'n-0S6_WzA2Mj+/= é';
    const flow = await signIn(app.url, client, citizen, { browser, params: { state, nonce } });
    assert.equal(flow.callback.searchParams.get('state'), state);
    const tokens = await redeem(app.url, client, flow);
    assert.equal(idTokenClaims(tokens).nonce, nonce);
  });

  it('issues codes that live at most 60 seconds (RFC 6749 §4.1.2: "a maximum lifetime of 10 minutes is RECOMMENDED", we keep them shorter)', async () => {
    const flow = await signIn(app.url, client, citizen, { browser });
    const stored = (await app.container.ephemeral.find('AuthorizationCode', flow.code!)) as Payload & { iat: number; exp: number };
    assert.ok(stored, 'the code is stored under its own value');
    assert.equal(typeof stored.iat, 'number');
    assert.equal(typeof stored.exp, 'number');
    assert.ok(stored.exp - stored.iat > 0, 'the code expires');
    assert.ok(stored.exp - stored.iat <= 60, `code lifetime ${stored.exp - stored.iat}s must be ≤ 60s`);
    if (app.container.ephemeral.kind === 'redis') {
      const { redis, prefix } = app.container.ephemeral as unknown as { redis: RedisConnection; prefix: string };
      const ttl = await redis.ttl(createRedisKeys(prefix).entry('AuthorizationCode', flow.code!));
      assert.ok(ttl > 0 && ttl <= 60, `the stored code is evicted within 60s (TTL ${ttl})`);
    }
  });

  describe('single use (RFC 6749 §4.1.2, RFC 9700 §4.1.3)', () => {
    async function offlineTokens() {
      const flow = await signIn(app.url, client, citizen, { browser, params: OFFLINE });
      const first = await exchangeCode(app.url, client, flow.code!, flow.verifier);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const tokens = first.body as unknown as TokenSet;
      assert.ok(tokens.refresh_token, 'offline_access with prompt=consent yields a refresh token');
      return { flow, tokens };
    }

    it('refuses a second redemption and revokes the access and refresh tokens of the first', async () => {
      const { flow, tokens } = await offlineTokens();
      await assertAccessTokenAlive(app.url, tokens.access_token, 'control: the first access token');

      const second = await exchangeCode(app.url, client, flow.code!, flow.verifier);
      assert.equal(second.status, 400);
      assert.equal(second.body.error, 'invalid_grant');
      assert.equal((second.body as Record<string, unknown>).access_token, undefined);

      await assertAccessTokenDead(app.url, tokens.access_token, 'the first redemption\'s access token');
      await assertRefreshTokenDead(app.url, client, tokens.refresh_token!, 'the first redemption\'s refresh token');
    });

    it('lets exactly one of two racing redemptions win, and then revokes what the winner got', async () => {
      const flow = await signIn(app.url, client, citizen, { browser, params: OFFLINE });
      const results = await Promise.all([1, 2].map(() => exchangeCode(app.url, client, flow.code!, flow.verifier)));
      await assertOneWinnerThenRevoked(results);
    });

    it('does the same when both requests read the code before either consumes it (the adapter\'s race-loss path)', async () => {
      const flow = await signIn(app.url, client, citizen, { browser, params: OFFLINE });
      // Hold both token requests after they read the (still unconsumed) code, so both pass
      // oidc-provider's "already consumed" check and meet at the store's atomic consume.
      const held = holdConcurrentReads(app.container.ephemeral, 'AuthorizationCode', flow.code!);
      try {
        const results = await Promise.all([1, 2].map(() => exchangeCode(app.url, client, flow.code!, flow.verifier)));
        assert.equal(held.reads, 2, 'both requests read the code');
        await assertOneWinnerThenRevoked(results);
      } finally {
        held.restore();
      }
    });

    async function assertOneWinnerThenRevoked(results: Array<Awaited<ReturnType<typeof exchangeCode>>>) {
      const winners = results.filter((r) => r.status === 200);
      const losers = results.filter((r) => r.status !== 200);
      assert.equal(winners.length, 1, `exactly one redemption succeeds: ${JSON.stringify(results.map((r) => [r.status, r.body.error]))}`);
      assert.equal(losers.length, 1);
      assert.equal(losers[0]!.status, 400);
      assert.equal(losers[0]!.body.error, 'invalid_grant');
      const tokens = winners[0]!.body as unknown as TokenSet;
      assert.ok(tokens.access_token && tokens.refresh_token);
      await assertAccessTokenDead(app.url, tokens.access_token, 'the winner\'s access token');
      await assertRefreshTokenDead(app.url, client, tokens.refresh_token!, 'the winner\'s refresh token');
    }
  });
});
