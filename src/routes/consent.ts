// The consent screens of the interaction flow.
// 1. Consent: required items (the ISP's own cyberspace ID, the verification fact) and optional
//    items (age, verified, offline access) the citizen can untick; unticked scopes are recorded
//    as rejected, so the ISP gets only the rest and is not asked again for the same set.
// 2. Identity release (only for ISPs with a registered legal basis): its own screen, after and
//    never bundled with the first, showing exactly which values go to whom and why. It is never
//    remembered: the token endpoint forgets it once used (src/oidc/identity-release.ts).
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { CitizenService } from '../services/citizens.js';
import type { Guardianship } from '../services/guardianship.js';
import type { AuditService } from '../services/audit.js';
import type { IdentityVault } from '../services/identity-vault.js';
import type { RenderView } from '../web/views.js';
import type { MessageKey } from '../web/i18n.js';
import { formBody } from '../web/form-body.js';
import { IDENTITY_SCOPE } from '../oidc/claims.js';
import { clientDisplayName, legalBasisText } from '../oidc/client-names.js';
import type { Locale } from '../web/i18n.js';
import { LEGAL_BASIS_PROPERTY, PURPOSES_PROPERTY, type ScopePurposes } from '../oidc/client-metadata.js';

/** The error_description an ISP receives while a minor's guardian has not approved it yet. */
export const GUARDIAN_APPROVAL_PENDING = 'guardian_approval_pending';
/** ... and once the guardian refused it. */
export const GUARDIAN_REFUSED = 'guardian_refused';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;
type Finish = (ctx: Context, result: Record<string, unknown>) => Promise<void>;

export type ConsentDependencies = {
  provider: () => Provider;
  citizens: CitizenService;
  guardianship: Guardianship;
  audit: AuditService;
  vault: IdentityVault;
  render: RenderView;
};

const OPTIONAL_SCOPES: Record<string, MessageKey> = {
  age: 'consent.item.age',
  verified: 'consent.item.verified',
  offline_access: 'consent.item.offline_access',
};

/** The scopes this consent decides: those not yet granted or refused, else all requested (prompt=consent). */
function scopesToDecide(interaction: Interaction): string[] {
  const missing = (interaction.prompt.details as { missingOIDCScope?: string[] }).missingOIDCScope;
  const requested = String(interaction.params.scope ?? '').split(' ').filter(Boolean);
  return missing?.length ? missing : requested;
}

function formScopes(ctx: Context): Set<string> {
  const value = formBody(ctx).scope;
  return new Set((Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string'));
}

export function createConsentHandlers({ provider, citizens, guardianship, audit, vault, render }: ConsentDependencies) {
  /** The ISP as the citizen reads it: name and legal basis in the page's language. */
  async function clientInfo(clientId: string, ctx: Context) {
    const client = (await provider().Client.find(clientId)) as unknown as Record<string, unknown> | undefined;
    const locale = ctx.state.locale as Locale;
    const legalBasis = typeof client?.[LEGAL_BASIS_PROPERTY] === 'string' ? String(client[LEGAL_BASIS_PROPERTY]) : undefined;
    return {
      name: clientDisplayName(client, locale, clientId),
      purposes: (client?.[PURPOSES_PROPERTY] ?? {}) as ScopePurposes,
      legalBasis: legalBasisText(legalBasis, client, locale),
    };
  }
  const purposeText = (purposes: ScopePurposes, scope: string, ctx: Context) => purposes[scope]?.[ctx.state.locale === 'en' ? 'en' : 'zh-CN'];

  async function renderRelease(ctx: Context, interaction: Interaction, grantId: string) {
    const clientId = String(interaction.params.client_id);
    const info = await clientInfo(clientId, ctx);
    const citizen = await citizens.findActiveCitizen(interaction.session!.accountId);
    if (!citizen || !info.legalBasis) return ctx.throw(403, 'identity release not allowed');
    const values = await vault.open(citizen.id, citizen, ['name', 'documentType', 'documentNumber'], 'release_preview');
    return render(ctx, 'identity-release', {
      titleKey: 'release.title',
      titleVars: { client: info.name },
      data: {
        clientName: info.name,
        legalBasis: info.legalBasis,
        purpose: purposeText(info.purposes, IDENTITY_SCOPE, ctx),
        values,
        action: `/interaction/${interaction.uid}/identity?grant=${encodeURIComponent(grantId)}`,
      },
    });
  }

  async function loadOwnGrant(interaction: Interaction, grantId: string | undefined) {
    const { Grant } = provider();
    const grant = grantId ? await Grant.find(grantId) : undefined;
    const mine = grant && grant.accountId === interaction.session?.accountId && grant.clientId === interaction.params.client_id;
    return mine ? grant : undefined;
  }

  return {
    async show(ctx: Context, interaction: Interaction) {
      const clientId = String(interaction.params.client_id);
      const deciding = scopesToDecide(interaction);
      if (deciding.length === 1 && deciding[0] === IDENTITY_SCOPE && interaction.grantId) {
        return renderRelease(ctx, interaction, interaction.grantId);
      }
      const info = await clientInfo(clientId, ctx);
      const receives: MessageKey[] = ['consent.receives.sub', 'consent.receives.sign_in'];
      const optional = deciding.filter((scope) => OPTIONAL_SCOPES[scope]).map((scope) => ({
        scope,
        label: OPTIONAL_SCOPES[scope]!,
        purpose: purposeText(info.purposes, scope, ctx),
      }));
      const identityFollows = deciding.includes(IDENTITY_SCOPE);
      const withheld: MessageKey[] = identityFollows ? ['consent.not.birth_date'] : ['consent.not.name', 'consent.not.document', 'consent.not.birth_date'];
      return render(ctx, 'consent', {
        titleKey: 'consent.title',
        titleVars: { client: info.name },
        data: { clientName: info.name, receives, optional, identityFollows, withheld, action: `/interaction/${interaction.uid}/confirm` },
      });
    },

    /**
     * Back to the ISP from the guardian page, with an answer it can tell from a cancel
     * (docs/integration.md): `access_denied` and `guardian_approval_pending` or `guardian_refused`
     * as the description. Checked again here, so no one else can send the ISP that answer.
     */
    async guardianAnswer(ctx: Context, interaction: Interaction, finish: Finish) {
      const { params, session } = interaction;
      const citizen = session ? await citizens.findActiveCitizen(session.accountId) : undefined;
      const decision = citizen ? await guardianship.checkConnection(citizen, String(params.client_id), String(params.scope ?? '')) : 'allowed';
      if (decision === 'allowed') return ctx.throw(400, 'no guardian decision is pending for this sign-in');
      return finish(ctx, { error: 'access_denied', error_description: decision === 'refused' ? GUARDIAN_REFUSED : GUARDIAN_APPROVAL_PENDING });
    },

    async confirm(ctx: Context, interaction: Interaction, finish: Finish) {
      const { params, session } = interaction;
      const clientId = String(params.client_id);
      const citizen = session ? await citizens.findActiveCitizen(session.accountId) : undefined;
      if (formBody(ctx).decision !== 'allow' || !citizen) {
        if (citizen) await audit.record({ type: 'consent.denied', citizenId: citizen.id, clientId, actor: 'citizen' });
        return finish(ctx, { error: 'access_denied', error_description: 'End-User denied the request' });
      }
      // A minor's new service waits for the guardian (the request is recorded for them).
      const guardianDecision = await guardianship.checkConnection(citizen, clientId, String(params.scope ?? ''));
      if (guardianDecision !== 'allowed') {
        return render(ctx, 'guardian-pending', {
          titleKey: 'guardian.pending.title',
          data: { clientName: (await clientInfo(clientId, ctx)).name, refused: guardianDecision === 'refused', backUrl: `/interaction/${interaction.uid}/guardian` },
        });
      }
      const { Grant } = provider();
      const grant = (await loadOwnGrant(interaction, interaction.grantId)) ?? new Grant({ accountId: session!.accountId, clientId });
      const ticked = formScopes(ctx);
      const deciding = scopesToDecide(interaction);
      const granted: string[] = [];
      const refused: string[] = [];
      for (const scope of deciding) {
        if (scope === IDENTITY_SCOPE) continue;
        if (OPTIONAL_SCOPES[scope] && !ticked.has(scope)) refused.push(scope);
        else granted.push(scope);
      }
      if (granted.length) grant.addOIDCScope(granted.join(' '));
      if (refused.length) grant.rejectOIDCScope(refused.join(' '));
      const missingClaims = (interaction.prompt.details as { missingOIDCClaims?: string[] }).missingOIDCClaims;
      if (missingClaims) grant.addOIDCClaims(missingClaims);
      const grantId = await grant.save();
      await audit.record({ type: 'consent.granted', citizenId: citizen.id, clientId, actor: 'citizen', details: { scopes: granted, reason_code: refused.length ? `withheld:${refused.join(',')}` : 'all' } });
      if (deciding.includes(IDENTITY_SCOPE)) return renderRelease(ctx, interaction, grantId);
      return finish(ctx, { consent: { grantId } });
    },

    /** The separate identity-release decision; applies to this authorization only. */
    async release(ctx: Context, interaction: Interaction, finish: Finish) {
      const clientId = String(interaction.params.client_id);
      const grant = await loadOwnGrant(interaction, typeof ctx.query.grant === 'string' ? ctx.query.grant : interaction.grantId);
      const citizen = interaction.session ? await citizens.findActiveCitizen(interaction.session.accountId) : undefined;
      if (!grant || !citizen || !(await clientInfo(clientId, ctx)).legalBasis) return ctx.throw(400, 'no identity release pending');
      const release = formBody(ctx).decision === 'release';
      if (release) grant.addOIDCScope(IDENTITY_SCOPE);
      else grant.rejectOIDCScope(IDENTITY_SCOPE);
      const grantId = await grant.save();
      await audit.record({
        type: release ? 'consent.granted' : 'consent.denied',
        citizenId: citizen.id,
        clientId,
        actor: 'citizen',
        details: { scopes: [IDENTITY_SCOPE], purpose: 'identity_release' },
      });
      return finish(ctx, { consent: { grantId } });
    },
  };
}
