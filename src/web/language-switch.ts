// A page reached by a form post has no address that reloads it, so a link to "the same page in
// the other language" would lose what the citizen sent (or lead home). On such pages the
// language switch is a small form of its own: it posts the page's non-secret input again with
// `_switch_lang`, and the handler re-renders the form in that language without acting on it.
// (Not a button of the page's form via the `form` attribute: standing first in the document it
// would become that form's default button, and Enter in any field would switch the language.)
// Runs after the CSRF check: the switch form carries the token.
import type { Context, Middleware } from 'koa';
import { matchLocale } from './i18n.js';
import { formBody } from './form-body.js';
import { rememberLocale } from './locale.js';

export const LANGUAGE_SWITCH_FIELD = '_switch_lang';

export function languageSwitchFromForm(secureCookies: boolean): Middleware {
  return async (ctx, next) => {
    const requested = ctx.method === 'POST' ? formBody(ctx)[LANGUAGE_SWITCH_FIELD] : undefined;
    const locale = typeof requested === 'string' ? matchLocale(requested) : undefined;
    if (locale) {
      rememberLocale(ctx, locale, secureCookies);
      ctx.state.locale = locale;
      ctx.state.languageSwitch = true;
    }
    await next();
  };
}

/** The switch form for a page rendered for a post to `action`: what to send again (never secrets). */
export type LanguageSwitchForm = { action: string; fields: Record<string, string> };

/** True when this post only asks for its form again in another language: act on nothing. */
export const isLanguageSwitch = (ctx: Context): boolean => ctx.state.languageSwitch === true;
