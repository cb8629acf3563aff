// Refresh tokens (OIDC Core §11, §12; RFC 9700 §4.14.2): offline access only with explicit
// consent, rotation on every use, and reuse of a rotated-out token — sequential or racing —
// treated as theft: the whole chain (every refresh and access token of the grant) dies.
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { isPage, type Browser } from '../support/browser.js';
import { authorizeUrl, signIn, type Credentials } from '../support/flow.js';
import {
  assertAccessTokenAlive, assertAccessTokenDead, assertRefreshTokenDead, holdConcurrentReads, idTokenClaims, redeem, refresh,
  signInForTokens, type TestClient, type TokenSet,
} from '../support/tokens.js';

const OFFLINE = { scope: 'openid offline_access', prompt: 'consent' };

describe('refresh tokens', () => {
  let app: TestApp;
  let client: TestClient;
  let citizen: Credentials;
  let browser: Browser;

  before(async () => {
    app = await startTestApp();
    client = await createClient(app.container, { name: 'Offline ISP' });
    citizen = await createCitizen(app.container);
    browser = (await signIn(app.url, client, citizen)).browser; // signed in, consented to openid
  });
  after(async () => app.stop());

  async function offlineTokens(): Promise<TokenSet> {
    const { tokens } = await signInForTokens(app.url, client, citizen, { params: OFFLINE, browser });
    assert.ok(tokens.refresh_token, `a refresh token is issued for offline_access with prompt=consent: ${JSON.stringify(tokens)}`);
    return tokens;
  }

  async function rotate(refreshToken: string): Promise<TokenSet> {
    const response = await refresh(app.url, client, refreshToken);
    assert.equal(response.status, 200, `refresh: ${JSON.stringify(response.body)}`);
    return response.body as unknown as TokenSet;
  }

  describe('offline_access needs prompt=consent (OIDC Core §11)', () => {
    it('issues no refresh token on a first sign-in that asks for offline_access without prompt=consent', async () => {
      const first = await createCitizen(app.container);
      const { tokens } = await signInForTokens(app.url, client, first, { params: { scope: 'openid offline_access' } });
      assert.equal(tokens.refresh_token, undefined);
      assert.ok(!String(tokens.scope).split(' ').includes('offline_access'), `granted scope ${tokens.scope}`);
    });

    it('issues no refresh token to a returning citizen without prompt=consent, nor with prompt=login', async () => {
      for (const params of [{ scope: 'openid offline_access' }, { scope: 'openid offline_access', prompt: 'login' }]) {
        const { tokens } = await signInForTokens(app.url, client, citizen, { params, browser });
        assert.equal(tokens.refresh_token, undefined, `no refresh token for ${JSON.stringify(params)}`);
        assert.ok(!String(tokens.scope).split(' ').includes('offline_access'));
      }
    });

    it('issues one with prompt=consent, after showing the consent page again', async () => {
      const { url, verifier } = authorizeUrl(app.url, client, OFFLINE);
      const page = await browser.navigate(url.href);
      assert.ok(isPage(page) && page.document.querySelector('form[action$="/confirm"]'), 'the consent page is shown');
      const done = await browser.submit(page, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
      assert.ok(!isPage(done));
      const tokens = await redeem(app.url, client, { code: done.redirectedTo.searchParams.get('code'), verifier });
      assert.ok(tokens.refresh_token);
      assert.ok(String(tokens.scope).split(' ').includes('offline_access'));
    });
  });

  it('rotates: every refresh returns a new refresh token and a working access token', async () => {
    const original = await offlineTokens();
    const seen = new Set([original.refresh_token!]);
    let current = original;
    for (let i = 0; i < 3; i += 1) {
      const next = await rotate(current.refresh_token!);
      assert.ok(next.refresh_token, 'a new refresh token');
      assert.ok(!seen.has(next.refresh_token), 'never one seen before');
      seen.add(next.refresh_token);
      assert.notEqual(next.access_token, current.access_token);
      await assertAccessTokenAlive(app.url, next.access_token);
      assert.equal(idTokenClaims(next).sub, idTokenClaims(original).sub, 'same pairwise subject throughout');
      current = next;
    }
  });

  it('treats reuse of a rotated-out refresh token as theft: refused, and the whole chain is revoked', async () => {
    const original = await offlineTokens();
    const second = await rotate(original.refresh_token!);
    const newest = await rotate(second.refresh_token!);
    await assertAccessTokenAlive(app.url, newest.access_token, 'control: the newest access token');

    const replay = await refresh(app.url, client, original.refresh_token!);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    assert.equal(replay.body.access_token, undefined);

    await assertRefreshTokenDead(app.url, client, newest.refresh_token!, 'the newest refresh token');
    await assertAccessTokenDead(app.url, newest.access_token, 'the newest access token');
    await assertAccessTokenDead(app.url, second.access_token, 'an earlier access token');
    await assertAccessTokenDead(app.url, original.access_token, 'the first access token');
  });

  it('lets only one of two racing refreshes with the same token win, and then revokes the chain', async () => {
    const original = await offlineTokens();
    const held = holdConcurrentReads(app.container.ephemeral, 'RefreshToken', original.refresh_token!);
    let results: Awaited<ReturnType<typeof refresh>>[];
    try {
      results = await Promise.all([1, 2].map(() => refresh(app.url, client, original.refresh_token!)));
    } finally {
      held.restore();
    }
    assert.equal(held.reads, 2, 'both requests read the refresh token before either rotated it');
    const winners = results.filter((r) => r.status === 200);
    assert.equal(winners.length, 1, `exactly one refresh succeeds: ${JSON.stringify(results.map((r) => [r.status, r.body.error]))}`);
    const loser = results.find((r) => r.status !== 200)!;
    assert.equal(loser.status, 400);
    assert.equal(loser.body.error, 'invalid_grant');
    const won = winners[0]!.body as unknown as TokenSet;
    await assertRefreshTokenDead(app.url, client, won.refresh_token!, 'the winner\'s new refresh token');
    await assertAccessTokenDead(app.url, won.access_token, 'the winner\'s new access token');
    await assertAccessTokenDead(app.url, original.access_token, 'the original access token');
  });

  it('refuses a refresh token presented by another client, without revoking it for its owner', async () => {
    const tokens = await offlineTokens();
    const other = await createClient(app.container, { name: 'Other ISP', redirectUris: ['https://other.example/callback'] });
    const stolen = await refresh(app.url, other, tokens.refresh_token!);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.error, 'invalid_grant');
    await rotate(tokens.refresh_token!);
  });
});
