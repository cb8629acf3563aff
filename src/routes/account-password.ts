// Changing the password from the account pages: current password and a new one. Success ends
// every other account session and returns to the dashboard; any problem re-shows the form with
// a message and changes nothing.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Container } from '../container.js';
import { FormError } from '../errors.js';
import { formBody } from '../web/form-body.js';
import { ACCOUNT_COOKIE, requireCitizen, signedInCitizen } from './account-guard.js';

const passwordForm = z.object({
  current_password: z.string().max(1024).default(''),
  password: z.string().max(1024).default(''),
});

export function createAccountPasswordRouter(deps: Pick<Container, 'credentials' | 'accountSessions' | 'citizens' | 'render'>): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);
  const show = (ctx: Context, status: number, errors: Record<string, string> = {}) =>
    deps.render(ctx, 'account-password', { titleKey: 'account.password.title', status, data: { errors } });

  router.get('/account/password', loadCitizen, (ctx) => show(ctx, 200));

  router.post('/account/password', loadCitizen, async (ctx) => {
    const parsed = passwordForm.safeParse(formBody(ctx));
    const input = parsed.success ? parsed.data : passwordForm.parse({});
    if (!input.current_password) return show(ctx, 400, { current_password: 'missing' });
    try {
      await deps.credentials.changePassword(signedInCitizen(ctx), { currentPassword: input.current_password, newPassword: input.password }, ctx.cookies.get(ACCOUNT_COOKIE)!);
    } catch (error) {
      if (error instanceof FormError) return show(ctx, error.fields.current_password === 'throttled' ? 429 : 400, error.fields);
      throw error;
    }
    ctx.status = 303;
    ctx.redirect('/account/security?done=password');
  });

  return router;
}
