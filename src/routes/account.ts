// The citizen's own pages: sign-in to the account, the dashboard (cyberspace ID, notices since
// the last visit, connected services, activity, guardian tasks), suspension, cancellation,
// revoking a service, and the guardian's tasks (approve a minor, approve or revoke a minor's
// services, apply for a child under 14). Every action is a CSRF-checked form post that
// redirects back (303), so the pages work without JavaScript. Older activity and the data
// export are in account-activity.ts, the password change in account-password.ts, the second
// factor in account-two-factor.ts. Sign-in is the sign-in sequence's (src/sign-in/): with a
// second factor it asks for a one-time code after the password; the passed first step is held
// there under a random key that travels in a hidden field, bound to this browser's CSRF token.
import Router from '@koa/router';
import type { Context } from 'koa';
import { formatForReading } from '../ids/cyberspace-id.js';
import { FormError } from '../errors.js';
import type { Container } from '../container.js';
import { translator, type Locale, type MessageKey } from '../web/i18n.js';
import { formBody } from '../web/form-body.js';
import { handleApplication } from './apply.js';
import { attestationFields } from './attestation-fields.js';
import { DOCUMENT_TYPES } from '../identity/documents.js';
import { claimNames, deviceName, formatWhen, list } from '../web/activity-text.js';
import { SCOPE_CLAIMS } from '../oidc/claims.js';
import { readDeviceToken, writeDeviceToken } from '../web/device-cookie.js';
import { attemptFrom } from '../web/sign-in-attempt.js';
import { newAttemptKey, type Step } from '../sign-in/sequence.js';
import { ACCOUNT_COOKIE, requireCitizen, signedInCitizen } from './account-guard.js';
import type { CitizenRow } from '../queries/citizens.js';
import { activityView, noticesView, type LawfulDisclosureSource } from './account-activity.js';

export { ACCOUNT_COOKIE };

async function waitingRecoveryView(deps: Pick<Container, 'recovery'>, citizen: CitizenRow) {
  const waiting = await deps.recovery.waiting(citizen);
  return waiting ? { requestedAt: formatWhen(new Date(waiting.requested_at)), completesAt: formatWhen(new Date(waiting.completes_at)) } : undefined;
}

type Deps = Pick<Container, 'citizens' | 'accountSessions' | 'connections' | 'lifecycle' | 'guardianship' | 'applications' | 'render' | 'vault' | 'audit' | 'config'
  | 'accountNotices' | 'activity' | 'clientName' | 'ephemeral' | 'twoFactor' | 'recovery' | 'attestations' | 'signIn' | 'knownDevices' | 'passkeys' | 'recoveryCodes'> & LawfulDisclosureSource;

const FLASHES: Record<string, MessageKey> = {
  suspended: 'account.suspend.done',
  resumed: 'account.resume.done',
  revoked: 'account.connections.revoked',
  guardian: 'account.guardian.done',
  recovered: 'recover.done',
  guardian_named: 'account.guardian.mine.done',
  password: 'account.password.done',
  two_factor_on: 'account.two_factor.enabled_done',
  two_factor_off: 'account.two_factor.disabled_done',
  assurance_raised: 'account.assurance.raised_done',
  recovery_cancelled: 'account.recovery.cancelled_done',
};

export function createAccountRouter(deps: Deps): Router {
  const router = new Router();
  const secure = deps.config.issuer.startsWith('https://');
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure, signed: false, path: '/' };
  const loadCitizen = requireCitizen(deps);
  const me = signedInCitizen;
  const back = (ctx: Context, flash?: keyof typeof FLASHES) => {
    ctx.status = 303;
    ctx.redirect(flash ? `/account?done=${flash}` : '/account');
  };

  // A passkey challenge for the sign-in page is bound to this browser's CSRF token (there is no
  // account session yet); each showing replaces the last.
  const passkeyBinding = (ctx: Context) => `account-login:${String(ctx.state.csrfToken ?? '')}`;

  async function renderLogin(ctx: Context, status = 200, error?: string, cyberspaceId = '') {
    const notice = typeof ctx.query.done === 'string' ? FLASHES[ctx.query.done] : undefined;
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
      return back(ctx);
    }
    if (step.step === 'second_factor') return renderCode(ctx, key);
    if (step.step === 'failed' && step.retryAfterSeconds) ctx.set('retry-after', String(step.retryAfterSeconds));
    if (step.step === 'unmet' || step.reason === 'expired') return renderLogin(ctx, 400, 'expired');
    return failedPage(step.reason);
  }

  async function renderDashboard(ctx: Context, status = 200, guardianError?: string) {
    const citizen = me(ctx);
    // The guardian section is for anyone not under a guardian themselves; whether they may act
    // as one (an adult) is checked when they do, so a visit decrypts nothing.
    const guardianSection = citizen.guardian_id === null;
    const wards = guardianSection ? await deps.guardianship.wards(citizen) : [];
    const clientName = async (clientId: string) => (await deps.clientName(clientId, ctx.state.locale as Locale)) ?? clientId;
    const t = translator(ctx.state.locale as Locale);
    const connections = await deps.connections.list(citizen, ctx.state.locale as Locale);
    await deps.render(ctx, 'account', {
      titleKey: 'account.title',
      status,
      data: {
        flash: typeof ctx.query.done === 'string' ? FLASHES[ctx.query.done] : undefined,
        cyberspaceId: formatForReading(citizen.cyberspace_id),
        status: citizen.status,
        twoFactorEnabled: deps.twoFactor.isEnabled(citizen),
        passkeyCount: (await deps.passkeys.list(citizen.id)).length,
        recoveryCodes: await deps.recoveryCodes.summary(citizen.id),
        identityAssurance: citizen.identity_assurance,
        // A recovery waiting out its delay shows in every signed-in session, with a way to stop it.
        waitingRecovery: await waitingRecoveryView(deps, citizen),
        suspendedBy: citizen.suspended_by,
        suspensionReason: citizen.suspension_reason ?? '',
        notices: await noticesView(deps, ctx, citizen.id),
        connections: connections.map((c) => ({ ...c, received: claimNames(t, c.claims) })),
        devices: (await deps.knownDevices.list(citizen.id, readDeviceToken(ctx))).map((d) => ({ ...d, name: deviceName(t, d.description) })),
        activity: await activityView(deps, ctx, citizen.id),
        guardianSection,
        mayNameGuardian: await deps.guardianship.mayNameNewGuardian(citizen),
        guardianError,
        when: formatWhen,
        wards: await Promise.all(wards.map(async (w) => ({
          id: w.ward.id,
          cyberspaceId: formatForReading(w.ward.cyberspace_id),
          name: w.name,
          age: w.age,
          pendingAccount: w.ward.status === 'pending_guardian',
          connections: w.connections,
          // Exactly what the ISP would receive about the ward, from the claims catalogue.
          pendingConnections: await Promise.all(w.pendingApprovals.map(async (p) => ({
            clientId: p.client_id,
            clientName: await clientName(p.client_id),
            receives: list(t, 'ward_claim.', p.scope.split(' ').flatMap((scope) => SCOPE_CLAIMS[scope] ?? [])),
          }))),
        }))),
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

  router.get('/account', loadCitizen, (ctx) => renderDashboard(ctx));

  router.post('/account/recovery/cancel', loadCitizen, async (ctx) => {
    await deps.recovery.cancel(me(ctx));
    back(ctx, 'recovery_cancelled');
  });

  router.post('/account/suspend', loadCitizen, async (ctx) => {
    await deps.lifecycle.suspendBySelf(me(ctx));
    back(ctx, 'suspended');
  });

  router.post('/account/resume', loadCitizen, async (ctx) => {
    await deps.lifecycle.resumeBySelf(me(ctx));
    back(ctx, 'resumed');
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
    ctx.cookies.set(ACCOUNT_COOKIE, null, cookieOptions);
    await deps.render(ctx, 'account-cancelled', { titleKey: 'account.cancelled.title' });
  });

  router.post('/account/connections/:clientId/revoke', loadCitizen, async (ctx) => {
    await deps.connections.revoke(me(ctx), ctx.params.clientId!);
    await deps.audit.record({ type: 'grant.revoked', citizenId: me(ctx).id, clientId: ctx.params.clientId!, actor: 'citizen' });
    back(ctx, 'revoked');
  });

  router.post('/account/guardian', loadCitizen, async (ctx) => {
    try {
      await deps.guardianship.nameNewGuardian(me(ctx), String(formBody(ctx).guardian ?? '').slice(0, 100));
    } catch (error) {
      if (error instanceof FormError) return renderDashboard(ctx, 400, error.fields.guardian);
      throw error;
    }
    back(ctx, 'guardian_named');
  });

  router.post('/account/wards/:wardId/approve', loadCitizen, async (ctx) => {
    await deps.guardianship.approveAccount(me(ctx), ctx.params.wardId!);
    back(ctx, 'guardian');
  });

  router.post('/account/wards/:wardId/connections/:clientId/decide', loadCitizen, async (ctx) => {
    const decision = formBody(ctx).decision === 'approved' ? 'approved' : 'refused';
    await deps.guardianship.decideConnection(me(ctx), ctx.params.wardId!, ctx.params.clientId!, decision);
    back(ctx, 'guardian');
  });

  router.post('/account/wards/:wardId/connections/:clientId/revoke', loadCitizen, async (ctx) => {
    await deps.guardianship.revokeConnection(me(ctx), ctx.params.wardId!, ctx.params.clientId!);
    back(ctx, 'guardian');
  });

  // A guardian applying for a child reads the privacy notice about the child's data first,
  // as every applicant does, and the form then speaks to the guardian about the child.
  const childNotice = (ctx: Context, error = false) => deps.render(ctx, 'apply-notice', {
    titleKey: 'apply.child.notice.title',
    status: error ? 400 : 200,
    data: { action: '/account/children/apply/form', error, forChild: true },
  });
  router.get('/account/children/apply', loadCitizen, (ctx) => childNotice(ctx));
  router.post('/account/children/apply/form', loadCitizen, async (ctx) => {
    if (formBody(ctx).accept !== 'yes') return childNotice(ctx, true);
    await deps.render(ctx, 'apply-form', {
      titleKey: 'apply.child.details.title',
      switchForm: { action: '/account/children/apply/form', fields: { accept: 'yes' } },
      data: { action: '/account/children/apply', documentTypes: DOCUMENT_TYPES, values: {}, errors: {}, unavailable: false, forChild: true, attest: await attestationFields(deps.attestations, deps.config.issuer) },
    });
  });
  router.post('/account/children/apply', loadCitizen, async (ctx) => {
    if (formBody(ctx).notice !== 'accepted') return childNotice(ctx, true);
    await handleApplication(ctx, deps, { action: '/account/children/apply', guardian: me(ctx) });
  });

  return router;
}
