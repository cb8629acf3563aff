// The ISP demo: a small relying party, separate from the provider and using only openid-client
// (and jose for back-channel logout tokens), as an ISP would. It signs citizens in with
// authorization code + PKCE + state + nonce, shows what it received and what it did not, and
// supports RP-initiated and back-channel logout. `npm run isp-demo` starts it with a provider
// (start.ts); on its own:
//   ISSUER=… CLIENT_ID=… CLIENT_SECRET=… DEMO_URL=http://127.0.0.1:4100 npx tsx examples/isp-demo/server.ts
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { renderPage, ASKED, type Received } from './page.js';
import { logoutTokenVerifier } from './logout-token.js';

const issuer = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const base = new URL(process.env.DEMO_URL ?? 'http://127.0.0.1:4100');
const clientId = process.env.CLIENT_ID!;
const config = await oidc.discovery(issuer, clientId, undefined, oidc.ClientSecretBasic(process.env.CLIENT_SECRET!), {
  execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [], // development only
});
const verifyLogoutToken = logoutTokenVerifier(config.serverMetadata().issuer, config.serverMetadata().jwks_uri!, clientId);

type Session = { login?: { verifier: string; state: string; nonce: string }; received?: Received; idToken?: string; sid?: string; sub?: string; notice?: string };
const sessions = new Map<string, Session>();

function session(req: http.IncomingMessage, res: http.ServerResponse): Session {
  const id = /(?:^|;\s*)demo_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (id && sessions.has(id)) return sessions.get(id)!;
  const fresh = randomBytes(32).toString('base64url');
  sessions.set(fresh, {});
  res.setHeader('set-cookie', `demo_session=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  return sessions.get(fresh)!;
}

const html = (res: http.ServerResponse, status: number, body: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(body);
const redirect = (res: http.ServerResponse, location: string) => res.writeHead(303, { location }).end();
const readBody = async (req: http.IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
};

async function login(s: Session, res: http.ServerResponse) {
  s.login = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: new URL('/callback', base).href,
    scope: ['openid', ...Object.keys(ASKED)].join(' '),
    code_challenge: await oidc.calculatePKCECodeChallenge(s.login.verifier),
    code_challenge_method: 'S256',
    state: s.login.state,
    nonce: s.login.nonce,
  });
  redirect(res, url.href);
}

async function callback(s: Session, url: URL, res: http.ServerResponse) {
  const pending = s.login;
  s.login = undefined;
  if (!pending) return html(res, 400, renderPage(issuer.href, undefined, 'No sign-in in progress.'));
  try {
    const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    Object.assign(s, { received: { idToken: claims, userinfo }, idToken: tokens.id_token, sid: claims.sid, sub: claims.sub, notice: undefined });
    redirect(res, '/');
  } catch (error) {
    html(res, 400, renderPage(issuer.href, undefined, `Sign-in failed: ${(error as Error).message}`));
  }
}

/** RP-initiated logout: forget the session here, then let the provider end its own. */
function logout(s: Session, res: http.ServerResponse) {
  const hint = s.idToken;
  Object.assign(s, { received: undefined, idToken: undefined, sid: undefined, sub: undefined, notice: 'You are signed out.' });
  if (!hint) return redirect(res, '/');
  redirect(res, oidc.buildEndSessionUrl(config, { id_token_hint: hint, post_logout_redirect_uri: new URL('/', base).href }).href);
}

/** Back-channel logout: the provider says a session (sid) or every session of a citizen (sub) ended. */
async function backchannelLogout(req: http.IncomingMessage, res: http.ServerResponse) {
  try {
    const ended = await verifyLogoutToken((await readBody(req)).get('logout_token') ?? '');
    for (const s of sessions.values()) {
      if (s.received && ((ended.sid && s.sid === ended.sid) || (!ended.sid && s.sub === ended.sub))) {
        Object.assign(s, { received: undefined, idToken: undefined, sid: undefined, sub: undefined, notice: 'Cyberspace ID ended your session (back-channel logout).' });
      }
    }
    res.writeHead(200, { 'cache-control': 'no-store' }).end();
  } catch (error) {
    res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ error: 'invalid_request', error_description: (error as Error).message }));
  }
}

http
  .createServer((req, res) => {
    const url = new URL(req.url!, base);
    const route = `${req.method} ${url.pathname}`;
    const handle = async () => {
      if (route === 'POST /backchannel-logout') return backchannelLogout(req, res);
      const s = session(req, res);
      if (route === 'GET /') {
        const notice = s.notice; // shown once
        s.notice = undefined;
        return html(res, 200, renderPage(issuer.href, s.received, notice));
      }
      if (route === 'GET /login') return login(s, res);
      if (route === 'GET /callback') return callback(s, url, res);
      if (route === 'POST /logout') return logout(s, res);
      res.writeHead(404).end();
    };
    handle().catch((error: unknown) => res.writeHead(500).end(String(error)));
  })
  .listen(Number(base.port), base.hostname, () => console.log(`ISP demo on ${base.origin}/`));
