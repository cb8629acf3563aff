// "Guardianship": for a minor, naming a new guardian; for an adult, the minors in their care —
// approving a minor's account, approving, refusing or revoking a minor's services, and applying
// for a child under 14 (the child's privacy notice, then the same form as every applicant).
import Router from '@koa/router';
import type { Context } from 'koa';
import { formatForReading } from '../ids/cyberspace-id.js';
import { FormError } from '../errors.js';
import type { Container } from '../container.js';
import { translator, type Locale } from '../web/i18n.js';
import { formBody } from '../web/form-body.js';
import { handleApplication, type ApplyDependencies } from './apply.js';
import { attestationFields } from './attestation-fields.js';
import { DOCUMENT_TYPES } from '../identity/documents.js';
import { formatWhen, list } from '../web/activity-text.js';
import { SCOPE_CLAIMS } from '../oidc/claims.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';
import { redirectWithFlash } from './account-nav.js';

/**
 * What an ISP would receive about a ward for these scopes, as `ward_claim.*` codes: the claims
 * catalogue, and lasting access for offline_access (a refresh token is something it receives).
 */
export const wardReceives = (scope: string): string[] =>
  scope.split(' ').flatMap((name) => (name === 'offline_access' ? ['offline_access'] : SCOPE_CLAIMS[name] ?? []));

type Deps = Pick<Container, 'citizens' | 'accountSessions' | 'guardianship' | 'render' | 'config' | 'clientName' | 'attestations'> & ApplyDependencies;

export function createAccountGuardianshipRouter(deps: Deps): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);
  const me = signedInCitizen;

  async function renderGuardianship(ctx: Context, status = 200, guardianError?: string) {
    const citizen = me(ctx);
    // The minors' part is for anyone not under a guardian themselves; whether they may act as
    // one (an adult) is checked when they do, so a visit decrypts nothing.
    const guardianSection = citizen.guardian_id === null;
    const wards = guardianSection ? await deps.guardianship.wards(citizen) : [];
    const clientName = async (clientId: string) => (await deps.clientName(clientId, ctx.state.locale as Locale)) ?? clientId;
    const t = translator(ctx.state.locale as Locale);
    await deps.render(ctx, 'account-guardianship', {
      titleKey: 'account.nav.guardianship',
      status,
      data: {
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
            receives: list(t, 'ward_claim.', wardReceives(p.scope)),
          }))),
        }))),
      },
    });
  }

  router.get('/account/guardianship', loadCitizen, (ctx) => renderGuardianship(ctx));

  router.post('/account/guardian', loadCitizen, async (ctx) => {
    try {
      await deps.guardianship.nameNewGuardian(me(ctx), String(formBody(ctx).guardian ?? '').slice(0, 100));
    } catch (error) {
      if (error instanceof FormError) return renderGuardianship(ctx, 400, error.fields.guardian);
      throw error;
    }
    redirectWithFlash(ctx, 'guardian_named');
  });

  router.post('/account/wards/:wardId/approve', loadCitizen, async (ctx) => {
    await deps.guardianship.approveAccount(me(ctx), ctx.params.wardId!);
    redirectWithFlash(ctx, 'guardian');
  });

  router.post('/account/wards/:wardId/refuse', loadCitizen, async (ctx) => {
    await deps.guardianship.refuseAccount(me(ctx), ctx.params.wardId!);
    redirectWithFlash(ctx, 'guardian_refused_account');
  });

  router.post('/account/wards/:wardId/connections/:clientId/decide', loadCitizen, async (ctx) => {
    const decision = formBody(ctx).decision === 'approved' ? 'approved' : 'refused';
    await deps.guardianship.decideConnection(me(ctx), ctx.params.wardId!, ctx.params.clientId!, decision);
    redirectWithFlash(ctx, 'guardian');
  });

  router.post('/account/wards/:wardId/connections/:clientId/revoke', loadCitizen, async (ctx) => {
    await deps.guardianship.revokeConnection(me(ctx), ctx.params.wardId!, ctx.params.clientId!);
    redirectWithFlash(ctx, 'guardian');
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
