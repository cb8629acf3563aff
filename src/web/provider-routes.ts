// oidc-provider's own endpoints go straight to it. None of our routers answers their paths, so
// letting the system, admin-API, page, developer and form routers each try to match first is
// pure cost on the busiest requests (discovery, JWKS, token, userinfo, introspection).
// The paths are oidc-provider's defaults (provider.ts sets no `routes`);
// test/web/provider-routes.test.ts checks that every endpoint discovery advertises is one of them.
// A provider path missing here is still served, only later: app.ts mounts the provider again
// behind all of our routers.
import compose from 'koa-compose';
import type { Middleware } from 'koa';

const EXACT = new Set([
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/jwks',
  '/auth',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/me',
  '/request',
  '/reg',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
]);
// The authorization resume (/auth/:uid) and a registered client's configuration (/reg/:clientId).
const WITH_ID = /^\/(auth|reg)\/[^/]+$/;

export function isProviderPath(path: string): boolean {
  return EXACT.has(path) || WITH_ID.test(path);
}

/**
 * Runs `chain` (ending in the provider) for oidc-provider's paths and never the rest of the app
 * after it: a method the provider does not serve on such a path ends as the chain's 404.
 */
export function providerRoutes(chain: Middleware[]): Middleware {
  const run = compose(chain);
  return (ctx, next) => (isProviderPath(ctx.path) ? run(ctx) : next());
}
