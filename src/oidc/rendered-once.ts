// Discovery and JWKS are the same bytes for every request to one provider instance with the same
// origin: the issuer, the configuration and the key set are fixed when it is built
// (provider-holder.ts builds a new instance, and so a new cache, whenever the key set changes),
// and discovery's endpoint URLs are built from the request's origin (host-guard.ts admits only
// the issuer's host; the protocol may come from a trusted proxy), so the origin is in the key.
// oidc-provider still answers them itself — routing, CORS, content type — and this keeps the
// first serialisation of each body, so later requests skip JSON.stringify of a few kilobytes
// (our discovery is twice the library's default, our JWKS four keys). Only 200 answers are kept.
import type Koa from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

const ROUTES = new Set(['discovery', 'jwks']);

export function renderedOnce(): Koa.Middleware {
  const bodies = new Map<string, Buffer>();
  return async (ctx, next) => {
    await next();
    const route = (ctx as unknown as KoaContextWithOIDC).oidc?.route;
    if (!route || !ROUTES.has(route) || ctx.status !== 200 || ctx.method !== 'GET') return;
    // Both discovery routes (OpenID and RFC 8414) give the same document.
    // Not ctx.origin: in Koa 3 that is the request's Origin header.
    const key = `${route} ${ctx.protocol}://${ctx.host}`;
    let body = bodies.get(key);
    if (!body) {
      body = Buffer.from(JSON.stringify(ctx.body));
      bodies.set(key, body);
    }
    ctx.body = body;
  };
}
