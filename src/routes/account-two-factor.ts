// The second factor on the account pages (/account/two-factor): turning it on shows a QR code
// (inline SVG, drawn on the server: the pages have no script) and the secret as text, and asks
// for a current code; turning it off asks for the password and a current code. Any problem
// re-shows the page with a message and changes nothing.
import Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Container } from '../container.js';
import { FormError } from '../errors.js';
import { formBody } from '../web/form-body.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';
import { showNewCodes } from './account-recovery-codes.js';

const codeForm = z.object({ code: z.string().max(20).default(''), password: z.string().max(1024).default('') });

/** The secret in groups of four, as authenticator apps show it for manual entry. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');

export function createAccountTwoFactorRouter(deps: Pick<Container, 'twoFactor' | 'accountSessions' | 'citizens' | 'render' | 'recoveryCodes' | 'passkeys'>): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);
  const input = (ctx: Context) => {
    const parsed = codeForm.safeParse(formBody(ctx));
    return parsed.success ? parsed.data : codeForm.parse({});
  };
  const statusOf = (errors: Record<string, string>) => (Object.values(errors).includes('throttled') ? 429 : 400);

  async function show(ctx: Context, status: number, errors: Record<string, string> = {}) {
    const citizen = signedInCitizen(ctx);
    const enabled = deps.twoFactor.isEnabled(citizen);
    const enrolment = enabled ? undefined : await deps.twoFactor.pendingEnrolment(citizen);
    await deps.render(ctx, 'account-two-factor', {
      titleKey: 'account.two_factor.title',
      status,
      data: {
        enabled,
        errors,
        secret: enrolment ? grouped(enrolment.secret) : '',
        qrSvg: enrolment ? await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2, width: 220, errorCorrectionLevel: 'M' }) : '',
      },
    });
  }

  router.get('/account/two-factor', loadCitizen, (ctx) => show(ctx, 200));

  router.post('/account/two-factor', loadCitizen, async (ctx) => {
    if (deps.twoFactor.isEnabled(signedInCitizen(ctx))) return show(ctx, 200);
    try {
      await deps.twoFactor.confirmEnrolment(signedInCitizen(ctx), input(ctx).code);
    } catch (error) {
      if (error instanceof FormError) return show(ctx, statusOf(error.fields), error.fields);
      throw error;
    }
    // Turning on a second factor issues recovery codes, shown this once (issue 7).
    const citizen = signedInCitizen(ctx);
    const codes = await deps.recoveryCodes.issueForNewFactor(citizen.id, await deps.passkeys.has(citizen.id));
    if (codes) return showNewCodes(deps.render, ctx, codes, '/account/security?done=two_factor_on');
    ctx.status = 303;
    ctx.redirect('/account/security?done=two_factor_on');
  });

  router.post('/account/two-factor/disable', loadCitizen, async (ctx) => {
    if (!deps.twoFactor.isEnabled(signedInCitizen(ctx))) return show(ctx, 200);
    const { password, code } = input(ctx);
    if (!password) return show(ctx, 400, { password: 'missing' });
    try {
      await deps.twoFactor.disable(signedInCitizen(ctx), { password, code });
    } catch (error) {
      if (error instanceof FormError) return show(ctx, statusOf(error.fields), error.fields);
      throw error;
    }
    ctx.status = 303;
    ctx.redirect('/account/security?done=two_factor_off');
  });

  return router;
}
