// Back-channel logout (OIDC Back-Channel Logout 1.0): a logout that ends a browser session sends
// the ISP a logout token with the session's `sid` (the one its ID token carried) and the
// pairwise `sub`; a failed delivery is logged with the ISP's id and the reason.
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createCitizen, createClient } from '../support/factories.js';
import { isPage } from '../support/browser.js';
import { signIn, type Credentials } from '../support/flow.js';
import { idTokenClaims, redeem, sleep } from '../support/tokens.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundFetch } from '../../src/oidc/outbound-fetch.js';
import { createLogger } from '../../src/logger.js';

const RECEIVER = 'https://rp.isp.example/backchannel-logout';
const BROKEN = 'https://down.isp.example/backchannel-logout';

describe('back-channel logout', () => {
  let app: TestApp;
  let citizen: Credentials;
  const received: string[] = [];

  // The app's outgoing HTTP: the ISP's receiver files logout tokens; the broken one answers 500.
  const outgoing: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url === RECEIVER) {
      received.push(new URLSearchParams(String(init?.body ?? '')).get('logout_token')!);
      return new Response(null, { status: 200 });
    }
    if (url === BROKEN) return new Response('down', { status: 500 });
    return fetch(input, init);
  };

  before(async () => {
    app = await startTestApp({ fetch: outgoing });
    citizen = await createCitizen(app.container);
  });
  after(async () => app.stop());

  async function signInAndLogOut(backchannelLogoutUri: string) {
    const client = await createClient(app.container, { redirectUris: [`${new URL(backchannelLogoutUri).origin}/cb`], postLogoutRedirectUris: [`${new URL(backchannelLogoutUri).origin}/bye`], backchannelLogoutUri });
    const flow = await signIn(app.url, client, citizen);
    const tokens = await redeem(app.url, client, flow);
    const page = await flow.browser.navigate(`${app.url}/session/end?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent(`${new URL(backchannelLogoutUri).origin}/bye`)}`);
    assert.ok(isPage(page));
    const done = await flow.browser.submit(page, 'form[action$="/session/end/confirm"]', { logout: 'yes' });
    assert.ok(!isPage(done), 'redirected back to the ISP');
    return { client, idToken: idTokenClaims(tokens) };
  }

  it('the logout token carries the session\'s sid and the pairwise sub, signed by the provider', async () => {
    const { client, idToken } = await signInAndLogOut(RECEIVER);
    assert.equal(received.length, 1, 'one logout token delivered');
    const jwks = (await (await fetch(`${app.url}/jwks`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(received[0]!, createLocalJWKSet(jwks), { issuer: app.url, audience: client.client_id });
    assert.equal(payload.sid, idToken.sid, 'the sid the ISP filed the session under');
    assert.equal(payload.sub, idToken.sub, 'the pairwise sub');
    assert.ok((payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
    assert.equal(payload.nonce, undefined, 'Back-Channel Logout §2.4: no nonce');
  });

  it('a failed delivery is logged with the ISP\'s id and the reason', async () => {
    const { client } = await signInAndLogOut(BROKEN);
    for (let i = 0; i < 20 && !app.logs.some((line) => line.includes('back-channel logout delivery failed')); i += 1) await sleep(50);
    const line = app.logs.find((entry) => entry.includes('back-channel logout delivery failed'));
    assert.ok(line, 'logged');
    assert.match(line, new RegExp(client.client_id));
    assert.match(line, /500/);
    assert.doesNotMatch(line, /logout_token|eyJ/, 'never the token');
  });
});

describe('back-channel logout to an ISP on the same machine (outside production)', () => {
  let app: TestApp;
  let rp: Server;
  const sessionsBySid = new Map<string, string>(); // a stub RP that files sessions by sid
  const ended: string[] = [];

  before(async () => {
    rp = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('logout_token') ?? '';
        const sid = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}').sid as string | undefined;
        if (sid && sessionsBySid.delete(sid)) ended.push(sid);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    app = await startTestApp();
  });
  after(async () => {
    await app.stop();
    rp.close();
  });

  it('a real HTTP receiver on 127.0.0.1 gets the logout token and ends the session filed under its sid', async () => {
    const port = (rp.address() as AddressInfo).port;
    const client = await createClient(app.container, { redirectUris: ['https://local.isp.example/cb'], postLogoutRedirectUris: ['https://local.isp.example/bye'], backchannelLogoutUri: `http://127.0.0.1:${port}/backchannel-logout` });
    const citizen = await createCitizen(app.container);
    const flow = await signIn(app.url, client, citizen);
    const tokens = await redeem(app.url, client, flow);
    const sid = String(idTokenClaims(tokens).sid);
    sessionsBySid.set(sid, 'session-1');
    const page = await flow.browser.navigate(`${app.url}/session/end?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent('https://local.isp.example/bye')}`);
    assert.ok(isPage(page));
    await flow.browser.submit(page, 'form[action$="/session/end/confirm"]', { logout: 'yes' });
    for (let i = 0; i < 40 && !ended.length; i += 1) await sleep(50);
    assert.deepEqual(ended, [sid], 'the RP ended exactly the session it filed under the sid');
    assert.ok(app.logs.some((line) => line.includes('may reach loopback and private addresses')), 'the log says loopback is allowed here');
  });

  it('production keeps oidc-provider\'s guard against loopback and private addresses', async () => {
    const seen: Array<RequestInit | undefined> = [];
    const base: typeof fetch = async (_input, init) => {
      seen.push(init);
      return new Response(null, { status: 200 });
    };
    const guard = { marker: 'dispatcher' };
    const logger = createLogger('silent');
    await createOutboundFetch({ base, production: true, logger })('http://127.0.0.1/x', { dispatcher: guard } as unknown as RequestInit);
    await createOutboundFetch({ base, production: false, logger })('http://127.0.0.1/x', { dispatcher: guard } as unknown as RequestInit);
    assert.equal((seen[0] as { dispatcher?: unknown }).dispatcher, guard, 'production: the guard stays');
    assert.equal((seen[1] as { dispatcher?: unknown }).dispatcher, undefined, 'development: dropped');
  });
});
