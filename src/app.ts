// The Koa application: our middleware and routes in front, oidc-provider behind them.
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Container } from './container.js';
import { requestContext } from './web/request-context.js';
import { securityHeaders } from './web/security-headers.js';
import { errorHandler } from './web/error-handler.js';
import { localeMiddleware } from './web/locale.js';
import { csrfMiddleware } from './web/csrf.js';
import { languageSwitchFromForm } from './web/language-switch.js';
import { strictFormBody } from './web/strict-form.js';
import { hostGuard } from './web/host-guard.js';
import { endpointInputGuard } from './oidc/endpoint-input-guard.js';
import { providerRoutes } from './web/provider-routes.js';
import { createInteractionRouter } from './routes/interaction.js';
import { createApplyRouter } from './routes/apply.js';
import { createAccountRouter } from './routes/account.js';
import { createAccountActivityRouter } from './routes/account-activity.js';
import { createAccountServicesRouter } from './routes/account-services.js';
import { createAccountSecurityRouter } from './routes/account-security.js';
import { createAccountGuardianshipRouter } from './routes/account-guardianship.js';
import { createAccountDataRouter } from './routes/account-data.js';
import { createAccountContactsRouter } from './routes/account-contacts.js';
import { createAccountPasswordRouter } from './routes/account-password.js';
import { createAccountTwoFactorRouter } from './routes/account-two-factor.js';
import { createAccountPasskeysRouter } from './routes/account-passkeys.js';
import { createAccountRecoveryCodesRouter } from './routes/account-recovery-codes.js';
import { createAccountAssuranceRouter } from './routes/account-assurance.js';
import { createRecoverRouter } from './routes/recover.js';
import { createAdminRouters } from './routes/admin/index.js';
import { createAdminApi } from './routes/admin-api/index.js';
import { createSystemRouter } from './routes/system.js';
import { createDevelopersRouter } from './routes/developers.js';
import { loadDocSet } from './web/doc-pages.js';
import { loadLoginButtons } from './web/login-buttons.js';
import { PROJECT_ROOT, PUBLIC_DIR } from './paths.js';
import { PASSKEY_SCRIPT_PATH, passkeyScript } from './web/passkey-script.js';

export type AppOptions = {
  /** Extra routes served ahead of oidc-provider (the development demo ISP). */
  extraRouters?: Router[];
};

/** A route the app's own routers answer: its methods and path pattern, and whether a path matches it. */
export type AppRoute = { methods: string[]; path: string; matches(path: string): boolean };

const routersOf = new WeakMap<Koa, Router[]>();

/**
 * Every route the app's own routers answer (not oidc-provider's, nor /healthz and the like):
 * the browser audit derives from it the list of pages it must visit, so a new page cannot be
 * forgotten.
 */
export function appRoutes(app: Koa): AppRoute[] {
  return (routersOf.get(app) ?? []).flatMap((router) => router.stack
    .filter((layer) => layer.methods.length > 0)
    .map((layer) => ({ methods: [...layer.methods], path: String(layer.path), matches: (path: string) => layer.match(path) })));
}

export function createApp(container: Container, options: AppOptions = {}): Koa {
  const { config, logger, metrics, render, providerHolder } = container;
  const https = config.issuer.startsWith('https://');
  // Behind a proxy, ctx.ip is the address that proxy saw (the last X-Forwarded-For entry, which
  // it appended), not whatever the client wrote at the front of the header.
  const app = new Koa({ proxy: config.trustProxy, maxIpsCount: 1 });
  // oidc-provider, mounted, signs its cookies with the host app's keys.
  app.keys = config.secrets.cookieKeys;
  app.silent = true; // errors are logged by errorHandler with the request id, never by Koa

  const csrfKey = Buffer.from(hkdfSync('sha256', config.secrets.cookieKeys[0]!, 'cyberspace-id', 'csrf', 32));
  const stylesheet = readFileSync(path.join(PUBLIC_DIR, 'site.css'));
  const faviconIco = readFileSync(path.join(PUBLIC_DIR, 'favicon.ico'));
  const faviconSvg = readFileSync(path.join(PUBLIC_DIR, 'favicon.svg'));

  // Forms: urlencoded only, small, flat (no polluting, bracketed or repeated fields), and
  // CSRF-checked (token and origin).
  const forms = new Router();
  forms.use(bodyParser({ enableTypes: ['form'], formLimit: '16kb' }), strictFormBody(), csrfMiddleware(csrfKey, https, new URL(config.issuer).origin), languageSwitchFromForm(https));
  forms.use(createInteractionRouter({ provider: providerHolder.current, citizens: container.citizens, guardianship: container.guardianship, audit: container.audit, vault: container.vault, render, signIn: container.signIn, passkeys: container.passkeys, secureCookies: https }).routes());
  forms.use(createApplyRouter(container).routes());
  forms.use(createAccountRouter(container).routes());
  forms.use(createAccountServicesRouter(container).routes());
  forms.use(createAccountSecurityRouter(container).routes());
  forms.use(createAccountGuardianshipRouter(container).routes());
  forms.use(createAccountDataRouter(container).routes());
  forms.use(createAccountContactsRouter(container).routes());
  forms.use(createAccountActivityRouter(container).routes());
  forms.use(createAccountPasswordRouter(container).routes());
  forms.use(createAccountTwoFactorRouter(container).routes());
  forms.use(createAccountPasskeysRouter(container).routes());
  forms.use(createAccountRecoveryCodesRouter(container).routes());
  forms.use(createAccountAssuranceRouter(container).routes());
  forms.use(createRecoverRouter(container).routes());
  for (const router of createAdminRouters({ operators: container.operators, render, issuer: config.issuer, secureCookies: https })) forms.use(router.routes());

  const pages = new Router();
  pages.get('/', (ctx) => render(ctx, 'home', { titleKey: 'home.title' }));
  pages.get('/static/site.css', (ctx) => {
    ctx.type = 'text/css';
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.body = stylesheet;
  });
  // Browsers ask for /favicon.ico whatever the page says; the layout links the SVG as well.
  pages.get('/favicon.ico', (ctx) => {
    ctx.type = 'image/x-icon';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = faviconIco;
  });
  pages.get(PASSKEY_SCRIPT_PATH, (ctx) => {
    ctx.type = 'text/javascript';
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.body = passkeyScript;
  });
  pages.get('/static/favicon.svg', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = faviconSvg;
  });

  const locale = localeMiddleware(https);
  const errors = errorHandler(logger, render);
  const host = hostGuard(config.issuer);
  const inputGuard = endpointInputGuard();
  app.use(requestContext(logger, metrics));
  app.use(securityHeaders(https));
  // oidc-provider's endpoints first, through only what applies to them (provider-routes.ts).
  app.use(providerRoutes([locale, errors, host, inputGuard, providerHolder.middleware]));
  app.use(locale);
  app.use(errors);
  app.use(createSystemRouter(container).routes());
  app.use(host);
  // The admin API: JSON and DPoP-bound tokens, no cookies, so it sits apart from the forms (and
  // from appRoutes(): it has no pages; its routes are checked against its OpenAPI document).
  app.use(createAdminApi({ operators: container.operators, store: container.ephemeral, logger, issuer: config.issuer, limits: config.operators }).middleware);
  const developers = createDevelopersRouter({ docs: loadDocSet(PROJECT_ROOT), buttons: loadLoginButtons(PROJECT_ROOT), render });
  app.use(pages.routes());
  app.use(developers.routes());
  app.use(forms.routes());
  for (const router of options.extraRouters ?? []) app.use(router.routes());
  routersOf.set(app, [pages, developers, forms, ...(options.extraRouters ?? [])]);
  // Any provider path provider-routes.ts does not list still reaches it, behind every router.
  app.use(inputGuard);
  app.use(providerHolder.middleware);
  return app;
}
