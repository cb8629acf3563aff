// Citizen sign-in and consent, the oidc-provider interaction flow (its example/routes/koa.js):
// interactionDetails → check the prompt → do one thing → interactionResult → redirect.
// A citizen with a second factor passes the password, then a one-time code: the passed first
// step is held server-side under the interaction's uid (which oidc-provider binds to this
// browser's interaction cookie), never in the form.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { createConsentHandlers, type ConsentDependencies } from './consent.js';
import { ACR_PASSWORD, ACR_PASSWORD_TOTP } from '../oidc/provider.js';
import { formBody } from '../web/form-body.js';
import { localeFor } from '../web/locale.js';
import type { DeviceCookie } from '../web/device-cookie.js';
import type { TwoFactor } from '../services/two-factor.js';
import type { CitizenRow } from '../queries/citizens.js';
import { ASSURANCE_INSUFFICIENT, minimumAssurance } from '../oidc/account-checks.js';

type Dependencies = ConsentDependencies & { deviceCookie: DeviceCookie; twoFactor: TwoFactor };

const loginForm = z.object({
  cyberspace_id: z.string().max(100).default(''),
  password: z.string().max(1024).default(''),
});

export function createInteractionRouter(deps: Dependencies): Router {
  const { provider, citizens, audit, render } = deps;
  const consent = createConsentHandlers(deps);
  const router = new Router({ prefix: '/interaction/:uid' });

  // Every page of the interaction speaks the language the ISP asked for (OIDC Core §3.1.2.1).
  const details = async (ctx: Context) => {
    const interaction = await provider().interactionDetails(ctx.req, ctx.res);
    ctx.state.locale = localeFor(ctx, interaction.params.ui_locales);
    return interaction;
  };
  const clientName = async (clientId: unknown) => {
    const client = typeof clientId === 'string' ? await provider().Client.find(clientId) : undefined;
    return client?.clientName ?? (typeof clientId === 'string' ? clientId : '');
  };
  const finish = async (ctx: Context, result: Record<string, unknown>) => {
    const redirectTo = await provider().interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  };

  async function renderLogin(ctx: Context, uid: string, params: Record<string, unknown>, error?: string, cyberspaceId = '') {
    await render(ctx, 'login', {
      titleKey: 'login.title',
      status: error ? (error === 'throttled' ? 429 : 400) : 200,
      pagePath: `/interaction/${uid}`,
      data: {
        clientName: await clientName(params.client_id),
        action: `/interaction/${uid}/login`,
        abortUrl: `/interaction/${uid}/abort`,
        error,
        cyberspaceId,
      },
    });
  }

  async function renderCode(ctx: Context, uid: string, params: Record<string, unknown>, error?: string) {
    await render(ctx, 'login-code', {
      titleKey: 'login.code.title',
      status: error ? (error === 'throttled' ? 429 : 400) : 200,
      pagePath: `/interaction/${uid}`,
      data: { clientName: await clientName(params.client_id), action: `/interaction/${uid}/code`, abortUrl: `/interaction/${uid}/abort`, challenge: '', error },
    });
  }

  const signedIn = async (ctx: Context, citizen: CitizenRow, clientId: string, acr: string, amr: string[]) => {
    await audit.record({ type: 'sign_in.succeeded', citizenId: citizen.id, clientId, actor: 'citizen', details: { acr, amr } });
    await deps.deviceCookie.signedIn(ctx, citizen.id, clientId);
    await finish(ctx, { login: { accountId: citizen.cyberspace_id, acr, amr, remember: true } });
  };

  router.use(async (ctx, next) => {
    ctx.set('cache-control', 'no-store');
    await next();
  });

  // Signed in, but below the ISP's minimum identity assurance: say how to raise it; the only
  // way back to the ISP is an honest access_denied (docs/assurance.md).
  const assuranceShort = (interaction: Awaited<ReturnType<typeof details>>) =>
    interaction.prompt.name === 'login' && interaction.session?.accountId !== undefined && interaction.prompt.reasons.includes(ASSURANCE_INSUFFICIENT);
  const requiredLevel = async (clientId: unknown) =>
    minimumAssurance(typeof clientId === 'string' ? await provider().Client.find(clientId) : undefined) ?? 'substantial';

  router.get('/', async (ctx) => {
    const interaction = await details(ctx);
    const { uid, prompt, params } = interaction;
    if (assuranceShort(interaction)) {
      return render(ctx, 'assurance-required', {
        titleKey: 'assurance.required.title',
        status: 403,
        pagePath: `/interaction/${uid}`,
        data: { clientName: await clientName(params.client_id), level: await requiredLevel(params.client_id), action: `/interaction/${uid}/assurance` },
      });
    }
    if (prompt.name === 'login') return renderLogin(ctx, uid, params);
    return consent.show(ctx, interaction);
  });

  router.post('/login', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const form = loginForm.safeParse(formBody(ctx));
    const input = form.success ? form.data : { cyberspace_id: '', password: '' };
    if (!input.cyberspace_id.trim() || !input.password) return renderLogin(ctx, uid, params, 'missing', input.cyberspace_id);
    const result = await citizens.signIn(input.cyberspace_id, input.password);
    const clientId = String(params.client_id);
    if (!result.ok) {
      // The authentication log: failures are recorded against the account that was tried.
      if (result.citizenId) audit.recordDetached({ type: 'sign_in.failed', citizenId: result.citizenId, clientId, actor: 'citizen', details: { reason_code: result.reason } });
      return renderLogin(ctx, uid, params, result.reason, input.cyberspace_id);
    }
    if (deps.twoFactor.isEnabled(result.citizen)) {
      await deps.twoFactor.beginChallenge(`interaction:${uid}`, result.citizen.id);
      return renderCode(ctx, uid, params);
    }
    await signedIn(ctx, result.citizen, clientId, ACR_PASSWORD, ['pwd']);
  });

  // The second step: a one-time code (RFC 6238), after a correct password in this interaction.
  router.post('/code', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const citizenId = await deps.twoFactor.findChallenge(`interaction:${uid}`);
    const citizen = citizenId ? await citizens.findCitizen(citizenId) : undefined;
    if (!citizen || citizen.status !== 'active' || !deps.twoFactor.isEnabled(citizen)) return renderLogin(ctx, uid, params, 'expired');
    const clientId = String(params.client_id);
    const check = await deps.twoFactor.verifyCode(citizen, String(formBody(ctx).code ?? '').slice(0, 20));
    if (check !== 'ok') {
      audit.recordDetached({ type: 'sign_in.failed', citizenId: citizen.id, clientId, actor: 'citizen', details: { reason_code: check } });
      return renderCode(ctx, uid, params, check);
    }
    await deps.twoFactor.endChallenge(`interaction:${uid}`);
    await signedIn(ctx, citizen, clientId, ACR_PASSWORD_TOTP, ['pwd', 'otp']);
  });

  router.post('/confirm', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'consent' || !interaction.session) return ctx.throw(400, 'not a consent prompt');
    return consent.confirm(ctx, interaction, finish);
  });

  router.post('/identity', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'consent' || !interaction.session) return ctx.throw(400, 'not a consent prompt');
    return consent.release(ctx, interaction, finish);
  });

  router.post('/assurance', async (ctx) => {
    const interaction = await details(ctx);
    if (!assuranceShort(interaction)) return ctx.throw(400, 'no identity assurance shortfall');
    const level = await requiredLevel(interaction.params.client_id);
    await finish(ctx, { error: 'access_denied', error_description: `identity assurance below the minimum this service requires (${level})` });
  });

  router.post('/abort', async (ctx) => {
    await details(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  });

  return router;
}
