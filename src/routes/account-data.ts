// "Data and account": download everything held about the citizen, suspend or resume the
// cyberspace ID, and cancel it (on its own confirmation page, which offers the download first and
// says what happens to each connected ISP).
import Router from '@koa/router';
import type { Context } from 'koa';
import { FormError } from '../errors.js';
import type { Container } from '../container.js';
import { translator, type Locale } from '../web/i18n.js';
import { formBody } from '../web/form-body.js';
import { ACCOUNT_COOKIE, requireCitizen, signedInCitizen } from './account-guard.js';
import { redirectWithFlash } from './account-nav.js';

type Deps = Pick<Container, 'citizens' | 'accountSessions' | 'connections' | 'lifecycle' | 'render' | 'config'>;

export function createAccountDataRouter(deps: Deps): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);
  const me = signedInCitizen;
  const secure = deps.config.issuer.startsWith('https://');

  router.get('/account/data', loadCitizen, async (ctx) => {
    const citizen = me(ctx);
    await deps.render(ctx, 'account-data', {
      titleKey: 'account.data.title',
      data: { status: citizen.status, suspendedBy: citizen.suspended_by, suspensionReason: citizen.suspension_reason ?? '' },
    });
  });

  router.post('/account/suspend', loadCitizen, async (ctx) => {
    await deps.lifecycle.suspendBySelf(me(ctx));
    redirectWithFlash(ctx, 'suspended');
  });

  router.post('/account/resume', loadCitizen, async (ctx) => {
    await deps.lifecycle.resumeBySelf(me(ctx));
    redirectWithFlash(ctx, 'resumed');
  });

  // Cancelling is final: its own page says what it does and offers the data download first; the
  // citizen confirms with the password and a ticked box, and a refusal changes nothing.
  async function renderCancel(ctx: Context, status = 200, fieldErrors: { password?: true; understood?: true } = {}) {
    const t = translator(ctx.state.locale as Locale);
    const errors = [
      ...(fieldErrors.understood ? [t('account.cancel.not_understood')] : []),
      ...(fieldErrors.password ? [t('account.cancel.wrong_password')] : []),
    ];
    const connectionCount = (await deps.connections.list(me(ctx))).length;
    await deps.render(ctx, 'account-cancel', { titleKey: 'account.cancel.confirm.title', status, data: { errors, fieldErrors, connectionCount } });
  }

  router.get('/account/cancel', loadCitizen, (ctx) => renderCancel(ctx));

  router.post('/account/cancel', loadCitizen, async (ctx) => {
    const form = formBody(ctx);
    if (form.understood !== 'yes') return renderCancel(ctx, 400, { understood: true });
    try {
      await deps.lifecycle.cancel(me(ctx), String(form.password ?? ''));
    } catch (error) {
      if (error instanceof FormError) return renderCancel(ctx, 400, { password: true });
      throw error;
    }
    ctx.cookies.set(ACCOUNT_COOKIE, null, { httpOnly: true, sameSite: 'lax', secure, signed: false, path: '/' });
    // The account is gone: the goodbye page has no account navigation.
    ctx.state.accountNav = undefined;
    await deps.render(ctx, 'account-cancelled', { titleKey: 'account.cancelled.title' });
  });

  return router;
}
