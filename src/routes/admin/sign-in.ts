// The console's way in: enrolment (the one-time code, a password, then an authenticator), sign-in
// (handle, password and authenticator code in one form) and sign-out. No JavaScript: the QR code
// is inline SVG drawn on the server, every step is a CSRF-checked form post.
import Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { z } from 'zod';
import { FormError } from '../../errors.js';
import type { OperatorAccounts } from '../../operators/accounts.js';
import type { OperatorAuthentication } from '../../operators/authentication.js';
import { formBody } from '../../web/form-body.js';
import type { RenderView } from '../../web/views.js';
import { OPERATOR_COOKIE, operatorCookieOptions } from './guard.js';
import { problemOf, type Problem } from './page.js';

const ENROL_COOKIE = 'cid_operator_enrol';
const field = z.string().max(1024).default('');
const signInForm = z.object({ handle: field, password: field, code: field });
const enrolForm = z.object({ handle: field, enrolment_code: field, password: field });
const confirmForm = z.object({ code: field });

type Deps = { accounts: OperatorAccounts; authentication: OperatorAuthentication; render: RenderView; secureCookies: boolean };

function parse<T extends z.ZodTypeAny>(schema: T, ctx: Context): z.infer<T> {
  const parsed = schema.safeParse(formBody(ctx));
  return parsed.success ? parsed.data : schema.parse({});
}

/** The secret in groups of four, as authenticator apps show it for manual entry. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');

export function createAdminSignInRouter({ accounts, authentication, render, secureCookies }: Deps): Router {
  const router = new Router();
  const enrolCookie = { ...operatorCookieOptions(secureCookies), path: '/admin/enrol', maxAge: 600_000 };

  const showSignIn = (ctx: Context, status = 200, problem?: Problem, handle = '') => {
    ctx.set('cache-control', 'no-store');
    return render(ctx, 'admin-login', { titleKey: 'admin.login.title', status, pagePath: '/admin/login', data: { problem, handle, enrolled: ctx.query.enrolled === '1' } });
  };

  async function showAuthenticator(ctx: Context, secret: { secret: string; uri: string }, status = 200, problem?: Problem) {
    ctx.set('cache-control', 'no-store');
    await render(ctx, 'admin-enrol-authenticator', {
      titleKey: 'admin.enrol.authenticator.title',
      status,
      pagePath: '/admin/enrol',
      data: { problem, secret: grouped(secret.secret), qrSvg: await QRCode.toString(secret.uri, { type: 'svg', margin: 2, width: 220, errorCorrectionLevel: 'M' }) },
    });
  }

  const showEnrol = (ctx: Context, status = 200, problem?: Problem, handle = '') => {
    ctx.set('cache-control', 'no-store');
    return render(ctx, 'admin-enrol', { titleKey: 'admin.enrol.title', status, pagePath: '/admin/enrol', data: { problem, handle } });
  };

  router.get('/admin/login', (ctx) => showSignIn(ctx));

  router.post('/admin/login', async (ctx) => {
    const input = parse(signInForm, ctx);
    try {
      const { token } = await authentication.signIn({ ...input, address: ctx.ip });
      ctx.cookies.set(OPERATOR_COOKIE, token, operatorCookieOptions(secureCookies));
    } catch (error) {
      const problem = problemOf(error);
      if (!problem || !(error instanceof FormError)) throw error;
      return showSignIn(ctx, problem.status, problem, input.handle.slice(0, 64));
    }
    ctx.status = 303;
    ctx.redirect('/admin');
  });

  router.post('/admin/logout', async (ctx) => {
    const token = ctx.cookies.get(OPERATOR_COOKIE);
    if (token) await authentication.signOut(token);
    ctx.cookies.set(OPERATOR_COOKIE, null, operatorCookieOptions(secureCookies));
    ctx.status = 303;
    ctx.redirect('/admin/login');
  });

  router.get('/admin/enrol', (ctx) => showEnrol(ctx));

  router.post('/admin/enrol', async (ctx) => {
    const input = parse(enrolForm, ctx);
    try {
      const { token, ...secret } = await accounts.beginEnrolment({ handle: input.handle, code: input.enrolment_code, password: input.password });
      ctx.cookies.set(ENROL_COOKIE, token, enrolCookie);
      return showAuthenticator(ctx, secret);
    } catch (error) {
      const problem = problemOf(error);
      if (!problem || !(error instanceof FormError)) throw error;
      return showEnrol(ctx, problem.status, problem, input.handle.slice(0, 64));
    }
  });

  router.post('/admin/enrol/confirm', async (ctx) => {
    const token = ctx.cookies.get(ENROL_COOKIE) ?? '';
    try {
      await accounts.completeEnrolment(token, parse(confirmForm, ctx).code);
    } catch (error) {
      const problem = problemOf(error);
      if (!problem || !(error instanceof FormError)) throw error;
      const pending = token ? await accounts.pendingSecret(token) : undefined;
      return pending ? showAuthenticator(ctx, pending, problem.status, problem) : showEnrol(ctx, problem.status, problem);
    }
    ctx.cookies.set(ENROL_COOKIE, null, enrolCookie);
    ctx.status = 303;
    ctx.redirect('/admin/login?enrolled=1');
  });

  return router;
}
