// ISP metadata beyond the OAuth/OIDC registry, set by the operator only (`cyberid client …`):
// - cyberid_scope_purposes: per scope, the purpose shown to the citizen on the consent screen,
//   { "age": { "en": "…", "zh-CN": "…" } };
// - cyberid_legal_basis: the law that requires this ISP to obtain plaintext identity; without it
//   the `identity` scope cannot be allowed.
// - cyberid_sector_validated_at: when the sector_identifier_uri document was last fetched and
//   checked (at registration or update). oidc-provider would otherwise fetch it again whenever it
//   loads the client (after every restart or key rotation), so an ISP's web server being down
//   would break its citizens' logins; see sectorIdentifierUriValidate in provider.ts.
// - cyberid_min_identity_assurance: the lowest identity assurance (low, substantial, high) a
//   citizen needs to sign in to this ISP (docs/assurance.md); below it the ISP gets
//   access_denied and the citizen a page on raising their level (account-checks.ts).
// - cyberid_pairwise_sector: the sector pinned for a client registered before the pairwise
//   sector lost its port (src/services/pairwise-sector.ts), so its citizens' IDs never change.
// - cyberid_pkce_exception: true when the operator granted this confidential ISP the legacy
//   exception from PKCE (pkce-policy.ts); never for public clients.
// Dynamic registration (RFC 7591) can set none of these, so a self-registered client can never
// be allowed plaintext identity or skip sector validation.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { IDENTITY_SCOPE } from './claims.js';
import { isAssuranceLevel } from '../identity/assurance.js';
import { PINNED_SECTOR_PROPERTY } from '../services/pairwise-sector.js';

export const PURPOSES_PROPERTY = 'cyberid_scope_purposes';
export const LEGAL_BASIS_PROPERTY = 'cyberid_legal_basis';
export const SECTOR_VALIDATED_PROPERTY = 'cyberid_sector_validated_at';
export const MIN_ASSURANCE_PROPERTY = 'cyberid_min_identity_assurance';
export const PKCE_EXCEPTION_PROPERTY = 'cyberid_pkce_exception';

/** oidc-provider's sectorIdentifierUriValidate: fetch only what has not been validated on registration. */
export function sectorNeedsValidation(client: Record<string, unknown>): boolean {
  return typeof client[SECTOR_VALIDATED_PROPERTY] !== 'string';
}

export type ScopePurposes = Record<string, { en: string; 'zh-CN': string }>;

export function scopePurposesProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${PURPOSES_PROPERTY} must be an object`];
  const problems: string[] = [];
  for (const [scope, texts] of Object.entries(value)) {
    const ok = texts && typeof texts === 'object' && ['en', 'zh-CN'].every((lang) => typeof (texts as Record<string, unknown>)[lang] === 'string' && ((texts as Record<string, string>)[lang] ?? '').trim().length > 0 && ((texts as Record<string, string>)[lang] ?? '').length <= 300);
    if (!ok) problems.push(`purpose for scope "${scope}" needs non-empty "en" and "zh-CN" texts (at most 300 characters)`);
  }
  return problems;
}

export const extraClientMetadata = {
  properties: [PURPOSES_PROPERTY, LEGAL_BASIS_PROPERTY, SECTOR_VALIDATED_PROPERTY, MIN_ASSURANCE_PROPERTY, PINNED_SECTOR_PROPERTY, PKCE_EXCEPTION_PROPERTY],
  validator(ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata: Record<string, unknown>) {
    if (ctx && value !== undefined) throw new errors.InvalidClientMetadata(`${key} can only be set by the operator`);
    if (key === PURPOSES_PROPERTY) {
      const [problem] = scopePurposesProblems(value);
      if (problem) throw new errors.InvalidClientMetadata(problem);
    }
    if (key === MIN_ASSURANCE_PROPERTY && value !== undefined && !isAssuranceLevel(value)) {
      throw new errors.InvalidClientMetadata(`${MIN_ASSURANCE_PROPERTY} must be low, substantial or high`);
    }
    if (key === LEGAL_BASIS_PROPERTY) {
      const scopes = String(metadata.scope ?? '').split(' ');
      const basis = typeof value === 'string' ? value.trim() : '';
      if (scopes.includes(IDENTITY_SCOPE) && !basis) {
        throw new errors.InvalidClientMetadata(`the ${IDENTITY_SCOPE} scope needs a registered legal basis`);
      }
    }
  },
};
