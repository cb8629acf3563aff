// Picks the page language for each request and remembers an explicit switch in a cookie.
// Interaction pages pick again once they know the authorization request's ui_locales.
import type { Context, Middleware } from 'koa';
import { chooseLocale, matchLocale, type Locale } from './i18n.js';

export const LOCALE_COOKIE = 'cid_lang';

const requestedLocale = (ctx: Context) => (typeof ctx.query.lang === 'string' ? matchLocale(ctx.query.lang) : undefined);

/** The page language for this request; `uiLocales` is the ISP's ui_locales (OIDC Core §3.1.2.1). */
export function localeFor(ctx: Context, uiLocales?: unknown): Locale {
  const fromQuery = typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : undefined;
  return chooseLocale({
    explicit: requestedLocale(ctx) ?? ctx.cookies.get(LOCALE_COOKIE),
    uiLocales: typeof uiLocales === 'string' ? uiLocales : fromQuery,
    acceptLanguage: ctx.get('accept-language'),
  });
}

/** Remembers an explicit choice of language for a year. */
export function rememberLocale(ctx: Context, locale: Locale, secureCookies: boolean): void {
  ctx.cookies.set(LOCALE_COOKIE, locale, { httpOnly: true, sameSite: 'lax', secure: secureCookies, maxAge: 365 * 86400_000, signed: false });
}

export function localeMiddleware(secureCookies: boolean): Middleware {
  return async (ctx, next) => {
    const requested = requestedLocale(ctx);
    if (requested) rememberLocale(ctx, requested, secureCookies);
    ctx.state.locale = localeFor(ctx);
    await next();
  };
}
