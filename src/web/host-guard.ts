// Every URL the provider prints is built from ISSUER, so a request naming another host — in
// Host or in X-Forwarded-Host (checked whether or not a proxy is trusted) — is refused with 400 before
// oidc-provider (which builds discovery from the request's origin) or any page sees it.
// Health and metrics endpoints are mounted ahead of this: probes address the instance directly.
import type { Middleware } from 'koa';

function normalHost(value: string, protocol: string): string | undefined {
  try {
    return new URL(`${protocol}//${value}`).host;
  } catch {
    return undefined;
  }
}

export function hostGuard(issuer: string): Middleware {
  const { host: issuerHost, protocol } = new URL(issuer);
  return async (ctx, next) => {
    const named = [ctx.get('host')];
    if (ctx.get('x-forwarded-host')) named.push(...ctx.get('x-forwarded-host').split(',').map((part) => part.trim()));
    if (named.some((value) => normalHost(value, protocol) !== issuerHost)) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = 'request for a host this provider does not serve';
      return;
    }
    await next();
  };
}
