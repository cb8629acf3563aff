// A minimal ISP ("relying party") using openid-client, the way an ISP integrates
// "Log in with Cyberspace ID". Run the provider (`npm start`), register a client:
//   npx cyberid client add --name "Example ISP" --redirect-uri http://127.0.0.1:4000/callback --json
// then: ISSUER=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… npx tsx examples/openid-client-rp.ts
// and open http://127.0.0.1:4000/.
import http from 'node:http';
import * as oidc from 'openid-client';

const issuer = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const redirectUri = 'http://127.0.0.1:4000/callback';
const config = await oidc.discovery(issuer, process.env.CLIENT_ID!, undefined, oidc.ClientSecretBasic(process.env.CLIENT_SECRET!), {
  // Only because the development provider runs on http://localhost; never in production.
  execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
});

// One pending login at a time keeps the example short; a real ISP keeps these per browser session.
let pending: { verifier: string; state: string; nonce: string } | undefined;

http.createServer(async (req, res) => {
  const url = new URL(req.url!, redirectUri);
  if (url.pathname === '/') {
    const verifier = oidc.randomPKCECodeVerifier();
    pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
    const authorization = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), // PKCE is required
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    res.writeHead(302, { location: authorization.href }).end();
    return;
  }
  if (url.pathname === '/callback' && pending) {
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
    const claims = tokens.claims()!; // verified against the provider's JWKS
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`Signed in. Your cyberspace ID for this service: ${claims.sub}\n\n${JSON.stringify(claims, null, 2)}\n`);
    return;
  }
  res.writeHead(404).end();
}).listen(4000, '127.0.0.1', () => console.log('example ISP on http://127.0.0.1:4000/'));
