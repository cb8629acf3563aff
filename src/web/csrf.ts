// CSRF protection for our HTML forms (OWASP: synchronizer token, stateless variant).
// Each browser gets a random, HttpOnly, SameSite=Lax cookie; a form carries
// HMAC(key, cookie value), which a cross-site page can neither read nor compute.
// oidc-provider's own endpoints are not covered here: they have their own protections.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { CsrfError } from '../errors.js';
import { formBody } from './form-body.js';

export const CSRF_COOKIE = 'cid_csrf';

export function csrfMiddleware(key: Buffer, secureCookies: boolean): Middleware {
  const tokenFor = (seed: string) => createHmac('sha256', key).update(`csrf|${seed}`).digest('base64url');
  return async (ctx, next) => {
    let seed = ctx.cookies.get(CSRF_COOKIE);
    if (!seed || seed.length < 32) {
      seed = randomBytes(32).toString('base64url');
      ctx.cookies.set(CSRF_COOKIE, seed, { httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: false });
    }
    ctx.state.csrfToken = tokenFor(seed);
    if (ctx.method === 'POST') {
      const sent = formBody(ctx)._csrf;
      const expected = Buffer.from(ctx.state.csrfToken as string);
      const valid = typeof sent === 'string' && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), expected);
      if (!valid) throw new CsrfError();
    }
    await next();
  };
}
