// A minimal ISP ("relying party") in Node, using openid-client the way an ISP integrates
// "Log in with Cyberspace ID": authorization code flow with PKCE (S256), state and nonce; the ID
// token verified against the provider's JWKS (signature, iss, aud, exp, nonce); then userinfo.
// Run the provider (`npm start`), register a client:
//   npx cyberid client add --name "Example ISP" --redirect-uri http://127.0.0.1:4000/callback --json
// then: ISSUER=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… npx tsx examples/node/openid-client-rp.ts
// and open http://127.0.0.1:4000/.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

const issuer = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const redirectUri = new URL(process.env.REDIRECT_URI ?? 'http://127.0.0.1:4000/callback');
const scope = process.env.SCOPE ?? 'openid';
// client_secret_basic, the registration default.
const config = await oidc.discovery(issuer, process.env.CLIENT_ID!, undefined, oidc.ClientSecretBasic(process.env.CLIENT_SECRET!), {
  // Only because the development provider runs on plain http; never in production.
  execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
});

// Pending logins by a random cookie value, so each browser finishes only its own.
const pending = new Map<string, { verifier: string; state: string; nonce: string }>();
const loginCookie = (req: http.IncomingMessage) => /(?:^|;\s*)isp_login=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];

async function startLogin(res: http.ServerResponse) {
  const login = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
  const key = randomBytes(32).toString('base64url');
  pending.set(key, login);
  const authorization = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri.href,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier), // PKCE is required
    code_challenge_method: 'S256',
    state: login.state,
    nonce: login.nonce,
  });
  res.writeHead(302, { location: authorization.href, 'set-cookie': `isp_login=${key}; Path=/; HttpOnly; SameSite=Lax` }).end();
}

async function finishLogin(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const key = loginCookie(req);
  const login = key ? pending.get(key) : undefined;
  if (key) pending.delete(key);
  if (!login) return void res.writeHead(400).end('no login in progress\n');
  let received;
  try {
    // Checks state, iss (RFC 9207) and error in the response, redeems the code with the PKCE
    // verifier, and verifies the ID token's signature (JWKS), iss, aud, exp and nonce.
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    // The expected sub makes openid-client refuse userinfo about someone else (OIDC Core §5.3.2).
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    // claims.sub is this ISP's pairwise cyberspace ID for the citizen: the account key.
    received = JSON.stringify({ sub: claims.sub, id_token_claims: claims, userinfo }, null, 2);
  } catch (error) {
    // An example shows the reason; a real ISP logs it.
    const status = error instanceof oidc.AuthorizationResponseError ? 403 : 400;
    return void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`sign-in failed: ${(error as Error).message}\n`);
  }
  console.log(received);
  res.writeHead(200, { 'content-type': 'application/json' }).end(received);
}

http
  .createServer((req, res) => {
    const url = new URL(req.url!, redirectUri);
    const route = url.pathname === '/' ? startLogin(res) : url.pathname === redirectUri.pathname ? finishLogin(req, res, url) : undefined;
    if (!route) return void res.writeHead(404).end();
    route.catch((error: unknown) => res.writeHead(500).end(String(error)));
  })
  .listen(Number(redirectUri.port), redirectUri.hostname, () => console.log(`example ISP on ${redirectUri.origin}/`));
