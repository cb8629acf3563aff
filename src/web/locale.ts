// Picks the page language for each request and remembers an explicit switch in a cookie.
import type { Middleware } from 'koa';
import { chooseLocale, matchLocale } from './i18n.js';

export const LOCALE_COOKIE = 'cid_lang';

export function localeMiddleware(secureCookies: boolean): Middleware {
  return async (ctx, next) => {
    const requested = typeof ctx.query.lang === 'string' ? matchLocale(ctx.query.lang) : undefined;
    if (requested) {
      ctx.cookies.set(LOCALE_COOKIE, requested, { httpOnly: true, sameSite: 'lax', secure: secureCookies, maxAge: 365 * 86400_000, signed: false });
    }
    const uiLocales = typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : undefined;
    ctx.state.locale = chooseLocale({
      explicit: requested ?? ctx.cookies.get(LOCALE_COOKIE),
      uiLocales: uiLocales ?? (ctx.state.uiLocales as string | undefined),
      acceptLanguage: ctx.get('accept-language'),
    });
    await next();
  };
}
