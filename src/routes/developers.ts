// The developer portal: the integration guide and the other documents as pages of the site, in
// the page's language (falling back to the English original, said so on the page), the example
// sources they link to, the login buttons ISPs embed, and redirects from the old /docs/NAME addresses (discovery used them).
import Router from '@koa/router';
import type { RenderView } from '../web/views.js';
import type { DocSet } from '../web/doc-pages.js';
import type { Locale } from '../web/i18n.js';
import { LOGIN_BUTTONS_PATH } from '../web/login-buttons.js';

/** The documents an ISP developer reads first, in this order; the rest follow by name. */
const FEATURED = ['integration', 'claims', 'cyberspace-id-format', 'sandbox', 'privacy'];

export function createDevelopersRouter(deps: { docs: DocSet; buttons: Map<string, string>; render: RenderView }): Router {
  const { docs, buttons, render } = deps;
  const router = new Router();
  const ordered = [...FEATURED.filter((name) => docs.names.includes(name)), ...docs.names.filter((name) => !FEATURED.includes(name))];

  router.get('/developers', (ctx) => {
    const locale = ctx.state.locale as Locale;
    const entries = ordered.map((name) => {
      const found = docs.page(name, locale)!;
      return { href: `/developers/${name}`, title: found.page.title, lang: found.page.locale, translated: found.translated };
    });
    return render(ctx, 'developers-index', { titleKey: 'developers.title', data: { entries } });
  });

  router.get('/developers/examples/*file', (ctx) => {
    const file = ctx.params.file as unknown as string | string[] | undefined;
    const source = docs.example(Array.isArray(file) ? file.join('/') : (file ?? ''));
    if (source === undefined) return;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.body = source;
  });

  // ISPs show the button on their own pages, loading it from here: cross-origin on purpose.
  router.get(`${LOGIN_BUTTONS_PATH}:file`, (ctx) => {
    const svg = buttons.get(ctx.params.file!);
    if (svg === undefined) return;
    ctx.type = 'image/svg+xml';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.set('cross-origin-resource-policy', 'cross-origin');
    ctx.body = svg;
  });

  router.get('/developers/:name', (ctx) => {
    const locale = ctx.state.locale as Locale;
    const found = docs.page(ctx.params.name!, locale);
    if (!found) return;
    ctx.set('cache-control', 'public, max-age=300');
    ctx.set('vary', 'cookie, accept-language');
    return render(ctx, 'developers-doc', {
      titleKey: 'developers.doc.title',
      titleVars: { title: found.page.title },
      data: { page: found.page, translated: found.translated, english: found.page.locale === 'en', locale },
    });
  });

  // Discovery's service_documentation and op_policy_uri were /docs/NAME (raw Markdown).
  router.get('/docs/:name', (ctx) => {
    const name = ctx.params.name!;
    if (!docs.names.includes(name)) return;
    ctx.status = 301;
    ctx.redirect(`/developers/${name}`);
  });
  return router;
}
