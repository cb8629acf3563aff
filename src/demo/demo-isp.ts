// Development only: a minimal ISP (relying party) served next to the provider so a newcomer
// can watch a whole login: authorization request with PKCE → sign-in → consent → code
// exchange → ID token verified against JWKS. It uses only fetch and jose, the way an ISP
// without an OIDC library would; real ISPs should use a certified library (README).
import { createHash, randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { RenderView } from '../web/views.js';
import { DEMO_CALLBACK_PATH, type DemoSetup } from './seed.js';

const COOKIE = 'demo_isp_flow';

export function createDemoIspRouter(issuer: string, demo: DemoSetup, render: RenderView): Router {
  const router = new Router({ prefix: '/demo-isp' });
  const redirectUri = `${issuer}${DEMO_CALLBACK_PATH}`;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));

  router.get('/', (ctx) => render(ctx, 'demo-isp', { titleKey: 'demo.title', data: { claims: undefined, error: undefined } }));

  router.get('/login', (ctx) => {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    ctx.cookies.set(COOKIE, JSON.stringify({ verifier, state, nonce }), { httpOnly: true, sameSite: 'lax', signed: false, maxAge: 600_000 });
    const url = new URL(`${issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: demo.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ui_locales: String(ctx.state.locale),
    }).toString();
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const flow = JSON.parse(ctx.cookies.get(COOKIE) ?? '{}') as { verifier?: string; state?: string; nonce?: string };
    ctx.cookies.set(COOKIE, null);
    const show = (data: Record<string, unknown>) => render(ctx, 'demo-isp', { titleKey: 'demo.title', data: { claims: undefined, error: undefined, ...data } });
    if (ctx.query.error) return show({ error: String(ctx.query.error) });
    if (!flow.state || ctx.query.state !== flow.state || ctx.query.iss !== issuer) return show({ error: 'state or iss mismatch' });
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(demo.client_id)}:${encodeURIComponent(demo.client_secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: String(ctx.query.code), redirect_uri: redirectUri, code_verifier: flow.verifier! }),
    });
    const tokens = (await response.json()) as { id_token?: string; error?: string };
    if (!tokens.id_token) return show({ error: tokens.error ?? 'no id_token' });
    const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer, audience: demo.client_id });
    if (payload.nonce !== flow.nonce) return show({ error: 'nonce mismatch' });
    return show({ claims: JSON.stringify(payload, null, 2) });
  });

  return router;
}
