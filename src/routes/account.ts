// The citizen's account: signing in to it, and its overview page (the cyberspace ID, the
// account's state, notices until dismissed, a summary of each other page, the newest activity).
// The other pages have their own modules: account-services.ts, account-security.ts (with
// account-password.ts, account-two-factor.ts, account-passkeys.ts, account-assurance.ts),
// account-guardianship.ts, account-data.ts and account-activity.ts; account-nav.ts holds what
// they share. Every action is a CSRF-checked form post that redirects back (303), so the pages
// work without JavaScript. Sign-in is the sign-in sequence's (src/sign-in/): with a second
// factor it asks for a one-time code after the password; the passed first step is held there
// under a random key that travels in a hidden field, bound to this browser's CSRF token.
import Router from '@koa/router';
import type { Context } from 'koa';
import { formatForReading } from '../ids/cyberspace-id.js';
import type { Container } from '../container.js';
import type { MessageKey } from '../web/i18n.js';
import { formBody } from '../web/form-body.js';
import { formatWhen } from '../web/activity-text.js';
import { writeDeviceToken } from '../web/device-cookie.js';
import { attemptFrom } from '../web/sign-in-attempt.js';
import { newAttemptKey, type Step } from '../sign-in/sequence.js';
import { ACCOUNT_COOKIE, requireCitizen, signedInCitizen } from './account-guard.js';
import { redirectWithFlash } from './account-nav.js';
import type { CitizenRow } from '../queries/citizens.js';
import { activityView, noticesView, type LawfulDisclosureSource } from './account-activity.js';

export { ACCOUNT_COOKIE };

async function waitingRecoveryView(deps: Pick<Container, 'recovery'>, citizen: CitizenRow) {
  const waiting = await deps.recovery.waiting(citizen);
  return waiting ? { requestedAt: formatWhen(new Date(waiting.requested_at)), completesAt: formatWhen(new Date(waiting.completes_at)) } : undefined;
}

type Deps = Pick<Container, 'citizens' | 'accountSessions' | 'connections' | 'guardianship' | 'render' | 'config'
  | 'accountNotices' | 'activity' | 'clientName' | 'twoFactor' | 'recovery' | 'signIn' | 'passkeys' | 'recoveryCodes'> & LawfulDisclosureSource;

/** What the sign-in page confirms, keyed by `?done=`. */
const LOGIN_NOTICES: Record<string, MessageKey> = { recovered: 'recover.done' };

/** How many of the newest activity lines the overview shows (the rest are on /account/activity). */
const RECENT_ACTIVITY = 5;

export function createAccountRouter(deps: Deps): Router {
  const router = new Router();
  const secure = deps.config.issuer.startsWith('https://');
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure, signed: false, path: '/' };
  const loadCitizen = requireCitizen(deps);
  const me = signedInCitizen;

  // A passkey challenge for the sign-in page is bound to this browser's CSRF token (there is no
  // account session yet); each showing replaces the last.
  const passkeyBinding = (ctx: Context) => `account-login:${String(ctx.state.csrfToken ?? '')}`;

  async function renderLogin(ctx: Context, status = 200, error?: string, cyberspaceId = '') {
    const notice = typeof ctx.query.done === 'string' && Object.hasOwn(LOGIN_NOTICES, ctx.query.done) ? LOGIN_NOTICES[ctx.query.done] : undefined;
    ctx.state.passkeyScript = true;
    const passkey = { action: '/account/login/passkey', options: JSON.stringify(await deps.passkeys.authenticationOptions(passkeyBinding(ctx))) };
    await deps.render(ctx, 'account-login', { titleKey: 'account.login.title', status, data: { error, cyberspaceId, notice, passkey } });
  }

  async function renderCode(ctx: Context, challenge: string, error?: string) {
    const offer = (await deps.signIn.offered(attempt(ctx, challenge))) ?? { methods: ['totp'] };
    await deps.render(ctx, 'login-code', {
      titleKey: offer.methods.includes('totp') ? 'login.code.title' : 'login.recovery.only.title',
      status: error ? (error === 'throttled' ? 429 : 400) : 200,
      data: { clientName: '', action: '/account/login/code', recoveryAction: '/account/login/recovery-code', continueAction: '', methods: offer.methods, abortUrl: '', challenge, error },
    });
  }

  // Suspended and pending citizens may open their dashboard (to resume, or to see why).
  const attempt = (ctx: Context, key: string) =>
    attemptFrom(ctx, { channel: 'account', key, bound: String(ctx.state.csrfToken), allow: ['active', 'suspended', 'pending_guardian'] });

  /** Renders the step the sequence answered; `failedPage` re-shows the page the citizen was on. */
  async function reply(ctx: Context, key: string, step: Step, failedPage: (error: string) => Promise<void>) {
    if (step.step === 'done') {
      writeDeviceToken(ctx, step.deviceToken, secure);
      ctx.cookies.set(ACCOUNT_COOKIE, await deps.accountSessions.create(step.citizen.id), cookieOptions);
      ctx.status = 303;
      return ctx.redirect('/account');
    }
    if (step.step === 'second_factor') return renderCode(ctx, key);
    if (step.step === 'failed' && step.retryAfterSeconds) ctx.set('retry-after', String(step.retryAfterSeconds));
    if (step.step === 'unmet' || step.reason === 'expired') return renderLogin(ctx, 400, 'expired');
    return failedPage(step.reason);
  }

  async function renderOverview(ctx: Context) {
    const citizen = me(ctx);
    const activity = await activityView(deps, ctx, citizen.id);
    const wards = citizen.guardian_id === null ? await deps.guardianship.wards(citizen) : [];
    await deps.render(ctx, 'account', {
      titleKey: 'account.title',
      data: {
        cyberspaceId: formatForReading(citizen.cyberspace_id),
        status: citizen.status,
        // A recovery waiting out its delay shows in every signed-in session, with a way to stop it.
        waitingRecovery: await waitingRecoveryView(deps, citizen),
        suspendedBy: citizen.suspended_by,
        suspensionReason: citizen.suspension_reason ?? '',
        notices: await noticesView(deps, ctx, citizen.id),
        summary: {
          services: (await deps.connections.list(citizen)).length,
          secondStepOn: deps.twoFactor.isEnabled(citizen),
          passkeys: (await deps.passkeys.list(citizen.id)).length,
          // Running out of recovery codes is worth a warning where the citizen lands.
          recoveryCodes: await deps.recoveryCodes.summary(citizen.id),
          guardianTasks: wards.reduce((n, w) => n + w.pendingApprovals.length + (w.ward.status === 'pending_guardian' ? 1 : 0), 0),
        },
        // The newest few lines; disclosures to authorities are never left off.
        activity: { ...activity, lines: activity.lines.slice(0, RECENT_ACTIVITY), olderUrl: undefined },
      },
    });
  }

  router.get('/account/login', (ctx) => renderLogin(ctx));

  router.post('/account/login', async (ctx) => {
    const form = formBody(ctx);
    const cyberspaceId = typeof form.cyberspace_id === 'string' ? form.cyberspace_id.slice(0, 100) : '';
    if (!cyberspaceId.trim() || !form.password) return renderLogin(ctx, 400, 'missing', cyberspaceId);
    const key = newAttemptKey();
    const step = await deps.signIn.begin(attempt(ctx, key), 'password', form);
    await reply(ctx, key, step, (error) => renderLogin(ctx, error === 'throttled' ? 429 : 400, error, cyberspaceId));
  });

  router.post('/account/login/passkey', async (ctx) => {
    const key = newAttemptKey();
    const step = await deps.signIn.begin(attempt(ctx, key), 'passkey', { binding: passkeyBinding(ctx), response: formBody(ctx).response });
    await reply(ctx, key, step, (error) => renderLogin(ctx, error === 'throttled' ? 429 : 400, 'passkey'));
  });

  router.post('/account/login/code', async (ctx) => {
    const form = formBody(ctx);
    const key = typeof form.challenge === 'string' ? form.challenge.slice(0, 100) : '';
    const step = await deps.signIn.proceed(attempt(ctx, key), 'totp', form);
    await reply(ctx, key, step, (error) => renderCode(ctx, key, error));
  });

  router.post('/account/login/recovery-code', async (ctx) => {
    const form = formBody(ctx);
    const key = typeof form.challenge === 'string' ? form.challenge.slice(0, 100) : '';
    const step = await deps.signIn.proceed(attempt(ctx, key), 'recovery_code', form);
    await reply(ctx, key, step, (error) => renderCode(ctx, key, error));
  });

  router.post('/account/logout', async (ctx) => {
    const token = ctx.cookies.get(ACCOUNT_COOKIE);
    if (token) await deps.accountSessions.end(token);
    ctx.cookies.set(ACCOUNT_COOKIE, null, cookieOptions);
    ctx.status = 303;
    ctx.redirect('/');
  });

  router.get('/account', loadCitizen, (ctx) => renderOverview(ctx));

  // A notice stays until dismissed, one at a time or all at once; another citizen's id is no-op.
  router.post('/account/notices/dismiss', loadCitizen, async (ctx) => {
    const form = formBody(ctx);
    if (form.all === 'yes') await deps.accountNotices.dismissAll(me(ctx).id);
    else await deps.accountNotices.dismiss(me(ctx).id, String(form.notice ?? '').slice(0, 20));
    redirectWithFlash(ctx, 'notice_dismissed');
  });

  router.post('/account/recovery/cancel', loadCitizen, async (ctx) => {
    await deps.recovery.cancel(me(ctx));
    redirectWithFlash(ctx, 'recovery_cancelled');
  });

  return router;
}
