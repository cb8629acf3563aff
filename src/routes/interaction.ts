// Citizen sign-in and consent, the oidc-provider interaction flow (its example/routes/koa.js):
// interactionDetails → check the prompt → do one thing → interactionResult → redirect.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { createConsentHandlers, type ConsentDependencies } from './consent.js';
import { ACR_PASSWORD } from '../oidc/provider.js';
import { formBody } from '../web/form-body.js';
import { localeFor } from '../web/locale.js';
import type { DeviceCookie } from '../web/device-cookie.js';

type Dependencies = ConsentDependencies & { deviceCookie: DeviceCookie };

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

  router.use(async (ctx, next) => {
    ctx.set('cache-control', 'no-store');
    await next();
  });

  router.get('/', async (ctx) => {
    const interaction = await details(ctx);
    const { uid, prompt, params } = interaction;
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
    await audit.record({ type: 'sign_in.succeeded', citizenId: result.citizen.id, clientId, actor: 'citizen', details: { acr: ACR_PASSWORD, amr: ['pwd'] } });
    await deps.deviceCookie.signedIn(ctx, result.citizen.id, clientId);
    await finish(ctx, {
      login: { accountId: result.citizen.cyberspace_id, acr: ACR_PASSWORD, amr: ['pwd'], remember: true },
    });
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

  router.post('/abort', async (ctx) => {
    await details(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  });

  return router;
}
