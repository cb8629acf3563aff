// CSRF protection for our HTML forms (OWASP: synchronizer token, stateless variant).
// Each browser gets a random, HttpOnly, SameSite=Lax cookie; a form carries
// HMAC(key, cookie value), which a cross-site page can neither read nor compute.
// Behind the token, a second line (OWASP CSRF cheat sheet, "Verifying origin with standard
// headers"): a POST whose Origin, or Referer when Origin is absent, is not the issuer's origin is
// refused. Browsers send one of them on every form post (the pages' Referrer-Policy is
// same-origin, so our own posts carry our origin); a post with neither relies on the token alone.
// oidc-provider's own endpoints are not covered here: they have their own protections.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { CsrfError } from '../errors.js';
import { formBody } from './form-body.js';

export const CSRF_COOKIE = 'cid_csrf';

/** True when the request names a source origin other than `issuerOrigin` ("null" included). */
export function crossOrigin(origin: string | undefined, referer: string | undefined, issuerOrigin: string): boolean {
  if (origin) return origin !== issuerOrigin;
  if (!referer) return false;
  try {
    return new URL(referer).origin !== issuerOrigin;
  } catch {
    return true;
  }
}

export function csrfMiddleware(key: Buffer, secureCookies: boolean, issuerOrigin: string): Middleware {
  const tokenFor = (seed: string) => createHmac('sha256', key).update(`csrf|${seed}`).digest('base64url');
  return async (ctx, next) => {
    let seed = ctx.cookies.get(CSRF_COOKIE);
    if (!seed || seed.length < 32) {
      seed = randomBytes(32).toString('base64url');
      ctx.cookies.set(CSRF_COOKIE, seed, { httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: false });
    }
    ctx.state.csrfToken = tokenFor(seed);
    if (ctx.method === 'POST') {
      if (crossOrigin(ctx.get('origin') || undefined, ctx.get('referer') || undefined, issuerOrigin)) throw new CsrfError();
      const sent = formBody(ctx)._csrf;
      const expected = Buffer.from(ctx.state.csrfToken as string);
      const valid = typeof sent === 'string' && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), expected);
      if (!valid) throw new CsrfError();
    }
    await next();
  };
}
