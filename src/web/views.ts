// Renders ejs views inside the shared layout. Views are dumb: they receive the translator,
// the locale and plain data; every string shown goes through the translation table.
import { PASSKEY_SCRIPT_INTEGRITY, PASSKEY_SCRIPT_PATH } from './passkey-script.js';
import path from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { translator, type Locale, type MessageKey } from './i18n.js';
import { VIEWS_DIR } from '../paths.js';
import { LANGUAGE_SWITCH_FIELD, type LanguageSwitchForm } from './language-switch.js';


export type ViewState = { locale: Locale; csrfToken?: string };

/** The same page in the other language. A form post's address only takes POST, so a page
 * rendered for one switches on `pagePath` (the page the form came from), else on the home page. */
function switchUrl(ctx: Context, other: Locale, pagePath?: string): string {
  const readable = ctx.method === 'GET' || ctx.method === 'HEAD';
  const params = new URLSearchParams(readable && !pagePath ? ctx.querystring : '');
  params.set('lang', other);
  return `${pagePath ?? (readable ? ctx.path : '/')}?${params.toString()}`;
}

export function createViewRenderer(viewsDir: string = VIEWS_DIR, cache = true) {
  return async function render(
    ctx: Context,
    view: string,
    options: {
      titleKey: MessageKey; titleVars?: Record<string, string>; status?: number; data?: Record<string, unknown>; pagePath?: string;
      /** On a page rendered for a post: the language switch as a form that posts again (language-switch.ts). */
      switchForm?: LanguageSwitchForm;
    },
  ): Promise<void> {
    const state = ctx.state as ViewState;
    const locale = state.locale;
    const t = translator(locale);
    const otherLocale: Locale = locale === 'en' ? 'zh-CN' : 'en';
    const locals = { ...options.data, t, locale, csrfToken: state.csrfToken ?? '', passkeyScript: { src: PASSKEY_SCRIPT_PATH, integrity: PASSKEY_SCRIPT_INTEGRITY } };
    const body = await ejs.renderFile(path.join(viewsDir, `${view}.ejs`), locals, { cache, async: false });
    ctx.type = 'html';
    ctx.state.renderedPage = true;
    ctx.status = options.status ?? 200;
    ctx.body = await ejs.renderFile(path.join(viewsDir, 'layout.ejs'), {
      ...locals,
      body,
      view,
      title: t(options.titleKey, options.titleVars),
      otherLocale,
      switchLocaleUrl: switchUrl(ctx, otherLocale, options.pagePath),
      switchForm: options.switchForm,
      switchField: LANGUAGE_SWITCH_FIELD,
      // Set by requireCitizen on the signed-in account pages (routes/account-nav.ts).
      accountNav: ctx.state.accountNav,
      accountFlash: ctx.state.accountFlash,
    }, { cache });
  };
}

export type RenderView = ReturnType<typeof createViewRenderer>;
