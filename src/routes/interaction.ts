// Citizen sign-in and consent, the oidc-provider interaction flow (its example/routes/koa.js):
// interactionDetails → check the prompt → do one thing → interactionResult → redirect.
// How the citizen proves who they are is the sign-in sequence's (src/sign-in/); this route only
// hands it the form and renders the step it answers. The interaction's uid (which oidc-provider
// binds to this browser's interaction cookie) names the attempt.
import Router from '@koa/router';
import type { Context } from 'koa';
import { createConsentHandlers, type ConsentDependencies } from './consent.js';
import { formBody } from '../web/form-body.js';
import { localeFor } from '../web/locale.js';
import { writeDeviceToken } from '../web/device-cookie.js';
import { attemptFrom } from '../web/sign-in-attempt.js';
import type { SignIn, Step } from '../sign-in/sequence.js';
import type { Passkeys } from '../sign-in/passkeys.js';
import { clientDisplayName } from '../oidc/client-names.js';
import type { Locale } from '../web/i18n.js';
import { ASSURANCE_INSUFFICIENT, minimumAssurance } from '../oidc/account-checks.js';
import { ACR_INSUFFICIENT, clientMinimumAcr } from '../oidc/acr-check.js';
import { acrRequestOf, requirementOf } from '../sign-in/requirement.js';

type Dependencies = ConsentDependencies & { signIn: SignIn; passkeys: Pick<Passkeys, 'authenticationOptions'>; secureCookies: boolean };

export function createInteractionRouter(deps: Dependencies): Router {
  const { provider, render, signIn } = deps;
  const consent = createConsentHandlers(deps);
  const router = new Router({ prefix: '/interaction/:uid' });

  // Every page of the interaction speaks the language the ISP asked for (OIDC Core §3.1.2.1).
  const details = async (ctx: Context) => {
    const interaction = await provider().interactionDetails(ctx.req, ctx.res);
    ctx.state.locale = localeFor(ctx, interaction.params.ui_locales);
    return interaction;
  };
  /** The ISP's name in the page's language (ctx.state.locale is set from the interaction first). */
  const clientName = async (clientId: unknown, ctx: Context) => {
    const client = typeof clientId === 'string' ? await provider().Client.find(clientId) : undefined;
    return clientDisplayName(client as unknown as Record<string, unknown> | undefined, ctx.state.locale as Locale, typeof clientId === 'string' ? clientId : '');
  };
  // A consent keeps the sign-in submitted before it in this interaction: oidc-provider checks
  // prompt=login and max_age against the result on resume, and without the login in it asks for
  // the password again, after every consent, for ever.
  const finish = async (ctx: Context, result: Record<string, unknown>) => {
    const redirectTo = await provider().interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: 'consent' in result });
    ctx.status = 303;
    ctx.redirect(redirectTo);
  };

  const statusFor = (error?: string) => (error ? (error === 'throttled' ? 429 : 400) : 200);
  const retryAfter = (ctx: Context, step: Step) => {
    if (step.step === 'failed' && step.retryAfterSeconds) ctx.set('retry-after', String(step.retryAfterSeconds));
  };

  async function renderLogin(ctx: Context, uid: string, params: Record<string, unknown>, error?: string, cyberspaceId = '') {
    ctx.state.passkeyScript = true;
    await render(ctx, 'login', {
      titleKey: 'login.title',
      status: statusFor(error),
      pagePath: `/interaction/${uid}`,
      data: {
        clientName: await clientName(params.client_id, ctx),
        action: `/interaction/${uid}/login`,
        abortUrl: `/interaction/${uid}/abort`,
        error,
        cyberspaceId,
        // A fresh challenge bound to this interaction for each showing (the passkey form).
        passkey: { action: `/interaction/${uid}/passkey`, options: JSON.stringify(await deps.passkeys.authenticationOptions(uid)) },
      },
    });
  }

  // The second step: the authenticator code, and a recovery code in its place (a second form,
  // so it works without JavaScript); a recovery code alone for a passkey-only citizen.
  async function renderCode(ctx: Context, uid: string, params: Record<string, unknown>, error?: string, stepUp = false) {
    const offer = (await signIn.offered(await attempt(ctx, uid, params))) ?? { methods: ['totp'], mayContinue: false };
    await render(ctx, 'login-code', {
      titleKey: offer.methods.includes('totp') ? 'login.code.title' : 'login.recovery.only.title',
      status: statusFor(error),
      pagePath: `/interaction/${uid}`,
      data: {
        clientName: await clientName(params.client_id, ctx),
        action: `/interaction/${uid}/code`,
        recoveryAction: `/interaction/${uid}/recovery-code`,
        continueAction: offer.mayContinue ? `/interaction/${uid}/continue` : '',
        methods: offer.methods,
        abortUrl: `/interaction/${uid}/abort`,
        challenge: '',
        error,
        stepUp,
      },
    });
  }

  // The citizen cannot reach what the ISP asked for: say how to add a second factor, and offer
  // only honest ways on (OIDC Core §5.5.1.1; docs/claims.md "Sign-in levels").
  async function renderUnmet(ctx: Context, uid: string, params: Record<string, unknown>, essential: boolean) {
    await render(ctx, 'step-up', {
      titleKey: 'stepup.title',
      status: essential ? 403 : 200,
      pagePath: `/interaction/${uid}`,
      data: { clientName: await clientName(params.client_id, ctx), essential, backAction: `/interaction/${uid}/unmet`, continueAction: `/interaction/${uid}/continue` },
    });
  }

  // What this request needs: the ISP's acr request and the operator's minimum for the ISP.
  const attempt = async (ctx: Context, uid: string, params: Record<string, unknown>) => {
    const client = typeof params.client_id === 'string' ? await provider().Client.find(params.client_id) : undefined;
    const requirement = requirementOf(acrRequestOf(params), clientMinimumAcr(client));
    return attemptFrom(ctx, { channel: 'isp', key: uid, clientId: String(params.client_id), requirement });
  };

  /** Renders the step the sequence answered; `failedPage` re-shows the page the citizen was on. */
  async function reply(ctx: Context, uid: string, params: Record<string, unknown>, step: Step, failedPage: (error: string) => Promise<void>, extra: { stepUp?: boolean } = {}) {
    if (step.step === 'done') {
      writeDeviceToken(ctx, step.deviceToken, deps.secureCookies);
      // `ts` pins auth_time to now: a consent resumed later re-applies this login (finish merges
      // it in), and without a ts oidc-provider would stamp the consent's time instead.
      const login = { accountId: step.citizen.cyberspace_id, acr: step.acr, amr: step.amr, remember: true, ts: Math.floor(Date.now() / 1000) };
      return finish(ctx, { login });
    }
    if (step.step === 'second_factor') return renderCode(ctx, uid, params, undefined, extra.stepUp);
    if (step.step === 'unmet') return renderUnmet(ctx, uid, params, step.essential);
    retryAfter(ctx, step);
    return step.reason === 'expired' ? renderLogin(ctx, uid, params, 'expired') : failedPage(step.reason);
  }

  // Signed in, but below the level this request needs, and for no reason that asks for the
  // password again (max_age, prompt=login, no session): step the session up (OIDC Core §5.5.1.1).
  const PASSWORD_AGAIN = ['no_session', 'max_age', 'login_prompt', 'id_token_hint', 'claims_id_token_sub_value', 'account_unavailable'];
  const ACR_SHORT = [ACR_INSUFFICIENT, 'essential_acr', 'essential_acrs'];
  const belowLevel = (interaction: Awaited<ReturnType<typeof details>>) => {
    const { reasons } = interaction.prompt;
    return interaction.prompt.name === 'login' && interaction.session?.accountId !== undefined
      && reasons.some((r) => ACR_SHORT.includes(r)) && !reasons.some((r) => PASSWORD_AGAIN.includes(r));
  };
  async function stepUp(ctx: Context, interaction: Awaited<ReturnType<typeof details>>) {
    const { uid, params, session } = interaction;
    const citizen = await deps.citizens.findActiveCitizen(String(session!.accountId));
    if (!citizen) return renderLogin(ctx, uid, params);
    const amr = Array.isArray(session!.amr) ? session!.amr.map(String) : [];
    const step = await signIn.stepUp(await attempt(ctx, uid, params), citizen, amr);
    return reply(ctx, uid, params, step, (error) => renderLogin(ctx, uid, params, error), { stepUp: true });
  }

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
        data: { clientName: await clientName(params.client_id, ctx), level: await requiredLevel(params.client_id), action: `/interaction/${uid}/assurance` },
      });
    }
    if (belowLevel(interaction)) return stepUp(ctx, interaction);
    if (prompt.name === 'login') return renderLogin(ctx, uid, params);
    return consent.show(ctx, interaction);
  });

  router.post('/login', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const form = formBody(ctx);
    const cyberspaceId = typeof form.cyberspace_id === 'string' ? form.cyberspace_id.slice(0, 100) : '';
    if (!cyberspaceId.trim() || !form.password) return renderLogin(ctx, uid, params, 'missing', cyberspaceId);
    const step = await signIn.begin(await attempt(ctx, uid, params), 'password', form);
    await reply(ctx, uid, params, step, (error) => renderLogin(ctx, uid, params, error, cyberspaceId));
  });

  // A passkey (discoverable: no cyberspace ID typed), answering this interaction's challenge.
  router.post('/passkey', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const step = await signIn.begin(await attempt(ctx, uid, params), 'passkey', { binding: uid, response: formBody(ctx).response });
    await reply(ctx, uid, params, step, () => renderLogin(ctx, uid, params, 'passkey'));
  });

  // The second step: a one-time code (RFC 6238), after a correct password in this interaction.
  router.post('/code', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const step = await signIn.proceed(await attempt(ctx, uid, params), 'totp', formBody(ctx));
    await reply(ctx, uid, params, step, (error) => renderCode(ctx, uid, params, error));
  });

  // A recovery code in place of the authenticator code (or of a lost passkey), after the password.
  router.post('/recovery-code', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const step = await signIn.proceed(await attempt(ctx, uid, params), 'recovery_code', formBody(ctx));
    await reply(ctx, uid, params, step, (error) => renderCode(ctx, uid, params, error));
  });

  // Below a voluntary request, the citizen chose to go on with what they have; the ISP sees the
  // acr they actually reached.
  router.post('/continue', async (ctx) => {
    const { uid, prompt, params } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    const step = await signIn.accept(await attempt(ctx, uid, params));
    await reply(ctx, uid, params, step, (error) => renderLogin(ctx, uid, params, error));
  });

  // The citizen cannot reach the level: the ISP is told so (OIDC Core §3.1.2.6).
  router.post('/unmet', async (ctx) => {
    const { prompt } = await details(ctx);
    if (prompt.name !== 'login') ctx.throw(400, 'not a login prompt');
    await finish(ctx, { error: 'unmet_authentication_requirements', error_description: 'the citizen cannot sign in at the level this request requires' });
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

  router.post('/guardian', async (ctx) => {
    const interaction = await details(ctx);
    if (interaction.prompt.name !== 'consent' || !interaction.session) return ctx.throw(400, 'not a consent prompt');
    return consent.guardianAnswer(ctx, interaction, finish);
  });

  router.post('/abort', async (ctx) => {
    await details(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  });

  return router;
}
