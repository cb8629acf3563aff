// Passkeys on the account pages (/account/passkeys): the citizen's list (name, created, last
// used), adding one (the registration ceremony, bound to this account session), renaming and
// removing. Adding needs the passkey script; the list, renaming and removing are plain forms.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Container } from '../container.js';
import { formBody } from '../web/form-body.js';
import { formatWhen } from '../web/activity-text.js';
import { ACCOUNT_COOKIE, requireCitizen, signedInCitizen } from './account-guard.js';
import { showNewCodes } from './account-recovery-codes.js';

type Dependencies = Pick<Container, 'passkeys' | 'accountSessions' | 'citizens' | 'render' | 'recoveryCodes' | 'twoFactor'>;

const field = (ctx: Context, name: string, max: number) => {
  const value = formBody(ctx)[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
};

export function createAccountPasskeysRouter(deps: Dependencies): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);
  // The registration challenge is bound to this browser's account session.
  const binding = (ctx: Context) => ctx.cookies.get(ACCOUNT_COOKIE) ?? '';

  async function show(ctx: Context, status: number, error?: string) {
    const citizen = signedInCitizen(ctx);
    ctx.state.passkeyScript = true;
    await deps.render(ctx, 'account-passkeys', {
      titleKey: 'passkey.title',
      status,
      data: {
        passkeys: await deps.passkeys.list(citizen.id),
        formatWhen,
        error,
        done: typeof ctx.query.done === 'string' ? ctx.query.done : undefined,
        options: JSON.stringify(await deps.passkeys.registrationOptions(citizen, binding(ctx))),
      },
    });
  }
  const back = (ctx: Context, done: string) => {
    ctx.status = 303;
    ctx.redirect(`/account/passkeys?done=${done}`);
  };

  router.get('/account/passkeys', loadCitizen, (ctx) => show(ctx, 200));

  router.post('/account/passkeys', loadCitizen, async (ctx) => {
    const citizen = signedInCitizen(ctx);
    const result = await deps.passkeys.register(citizen, binding(ctx), field(ctx, 'response', 20_000), field(ctx, 'name', 200));
    if (!result.ok) return show(ctx, 400, result.reason === 'expired' ? 'expired' : 'refused');
    // The first passkey issues recovery codes (unless the second factor's still stand), shown this once.
    const codes = result.first ? await deps.recoveryCodes.issueForNewFactor(citizen.id, deps.twoFactor.isEnabled(citizen)) : undefined;
    if (codes) return showNewCodes(deps.render, ctx, codes, '/account/passkeys?done=added');
    back(ctx, 'added');
  });

  router.post('/account/passkeys/rename', loadCitizen, async (ctx) => {
    const renamed = await deps.passkeys.rename(signedInCitizen(ctx).id, field(ctx, 'credential_id', 1400), field(ctx, 'name', 200));
    return renamed ? back(ctx, 'renamed') : show(ctx, 400, 'name');
  });

  router.post('/account/passkeys/remove', loadCitizen, async (ctx) => {
    const citizen = signedInCitizen(ctx);
    if (!(await deps.passkeys.remove(citizen.id, field(ctx, 'credential_id', 1400)))) return show(ctx, 400, 'missing');
    back(ctx, 'removed');
  });

  return router;
}
