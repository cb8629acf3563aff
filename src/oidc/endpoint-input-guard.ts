// In front of oidc-provider: the body of every POST/PUT to its endpoints (token, revocation,
// introspection, registration, logout confirmation, …) is read once here and refused with
// 400 invalid_request when it is hostile (src/web/hostile-input.ts); only `resource` may repeat
// (RFC 8707 §2). Dynamic registration's redirect URIs meet the registry's policy here too, so a
// relative, wildcard or fragment URI is `invalid_redirect_uri` (RFC 7591 §3.2.2) before
// oidc-provider tries to parse it. oidc-provider then reads the same raw text (its
// selective_body falls back to `ctx.request.body` when the stream has been read).
import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { hostileJsonProblems, parseStrictUrlencoded } from '../web/hostile-input.js';
import { redirectUriProblems } from '../services/redirect-uri-policy.js';

const MULTI_VALUED = new Set(['resource']);
const REGISTRATION = /^\/reg(\/|$)/;

function refuse(ctx: Context, error: string, problems: string[]) {
  ctx.status = 400;
  ctx.set('cache-control', 'no-store');
  ctx.body = { error, error_description: problems.join('; ') };
}

function registrationProblems(body: unknown): string[] {
  const uris = (body as { redirect_uris?: unknown } | null)?.redirect_uris;
  return Array.isArray(uris) ? redirectUriProblems(uris) : [];
}

export function endpointInputGuard(): Middleware {
  const parse = bodyParser({ enableTypes: ['form', 'json'], formLimit: '56kb', jsonLimit: '56kb', encoding: 'utf-8' });
  return async (ctx, next) => {
    if (ctx.method !== 'POST' && ctx.method !== 'PUT') return next();
    if (!ctx.is('application/x-www-form-urlencoded', 'application/json')) return next();
    try {
      await parse(ctx, async () => undefined);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && status >= 400 && status < 500) return refuse(ctx, 'invalid_request', ['the request body could not be parsed']);
      throw error;
    }
    const raw = (ctx.request as { rawBody?: unknown }).rawBody;
    if (typeof raw !== 'string') return next();
    const problems = ctx.is('application/x-www-form-urlencoded')
      ? parseStrictUrlencoded(raw, MULTI_VALUED).problems
      : hostileJsonProblems((ctx.request as { body?: unknown }).body);
    if (problems.length) return refuse(ctx, 'invalid_request', problems);
    if (ctx.is('application/json') && REGISTRATION.test(ctx.path)) {
      const uriProblems = registrationProblems((ctx.request as { body?: unknown }).body);
      if (uriProblems.length) return refuse(ctx, 'invalid_redirect_uri', uriProblems);
    }
    (ctx.request as { body?: unknown }).body = raw;
    return next();
  };
}
