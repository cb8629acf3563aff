// Recovery codes on the account pages (/account/recovery-codes): how many are left, and making a
// new set with the password (the old set stops working). New codes are shown once, on the page
// that answers the post that made them (here, turning on the second factor, or the first
// passkey): never stored readable, so never shown again; the page is not cached (account-guard).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Container } from '../container.js';
import { FormError } from '../errors.js';
import { formBody } from '../web/form-body.js';
import { formatWhen } from '../web/activity-text.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';

type Dependencies = Pick<Container, 'recoveryCodes' | 'twoFactor' | 'passkeys' | 'accountSessions' | 'citizens' | 'render'>;

const passwordForm = z.object({ password: z.string().max(1024).default('') });

/** The page that shows a new set of codes, this once; `next`: where the citizen goes on to. */
export const showNewCodes = (render: Container['render'], ctx: Context, codes: string[], next: string) =>
  render(ctx, 'account-recovery-codes', { titleKey: 'account.recovery_codes.title', pagePath: '/account/recovery-codes', data: { codes, next, errors: {} } });

export function createAccountRecoveryCodesRouter(deps: Dependencies): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);

  async function show(ctx: Context, status: number, errors: Record<string, string> = {}) {
    const citizen = signedInCitizen(ctx);
    const summary = await deps.recoveryCodes.summary(citizen.id);
    const hasFactor = deps.twoFactor.isEnabled(citizen) || (await deps.passkeys.has(citizen.id));
    await deps.render(ctx, 'account-recovery-codes', {
      titleKey: 'account.recovery_codes.title',
      status,
      data: { codes: undefined, errors, hasFactor, remaining: summary.remaining, fewLeft: summary.fewLeft, issuedAt: summary.issuedAt ? formatWhen(summary.issuedAt) : '' },
    });
  }

  router.get('/account/recovery-codes', loadCitizen, (ctx) => show(ctx, 200));

  router.post('/account/recovery-codes', loadCitizen, async (ctx) => {
    const citizen = signedInCitizen(ctx);
    if (!deps.twoFactor.isEnabled(citizen) && !(await deps.passkeys.has(citizen.id))) return show(ctx, 400);
    const parsed = passwordForm.safeParse(formBody(ctx));
    let codes: string[];
    try {
      codes = await deps.recoveryCodes.regenerate(citizen, parsed.success ? parsed.data.password : '');
    } catch (error) {
      if (error instanceof FormError) return show(ctx, error.fields.password === 'throttled' ? 429 : 400, error.fields);
      throw error;
    }
    await showNewCodes(deps.render, ctx, codes, '/account/recovery-codes');
  });

  return router;
}
