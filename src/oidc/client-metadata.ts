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
// - cyberid_legal_basis#zh-CN: the legal basis in Chinese (client-names.ts).
// - cyberid_min_acr: the lowest sign-in level (substantial: a second factor or a passkey,
//   src/sign-in/acr.ts) this ISP's sign-ins need; below it the citizen is stepped up, or the ISP
//   gets unmet_authentication_requirements (acr-check.ts).
// - cyberid_security_profile: "fapi2" puts the client under the FAPI 2.0 Security Profile
//   (fapi-profile.ts). Unlike the rest, the ISP may ask for it at registration: it only ever
//   tightens what the client may do.
// Dynamic registration (RFC 7591) can set none of the others, so a self-registered client can never
// be allowed plaintext identity or skip sector validation. It can set `client_name#zh-CN`, the
// standard language-tagged name (Registration §2.1), which is not ours to withhold.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { IDENTITY_SCOPE } from './claims.js';
import { isAssuranceLevel } from '../identity/assurance.js';
import { PINNED_SECTOR_PROPERTY } from '../services/pairwise-sector.js';
import { CLIENT_NAME_ZH_PROPERTY, LEGAL_BASIS_ZH_PROPERTY } from './client-names.js';
import { applyFapi2Profile, SECURITY_PROFILE_PROPERTY } from './fapi-profile.js';
import { outboundTargetProblems } from './outbound-targets.js';

export const PURPOSES_PROPERTY = 'cyberid_scope_purposes';
export const LEGAL_BASIS_PROPERTY = 'cyberid_legal_basis';
export const SECTOR_VALIDATED_PROPERTY = 'cyberid_sector_validated_at';
export const MIN_ASSURANCE_PROPERTY = 'cyberid_min_identity_assurance';
export const PKCE_EXCEPTION_PROPERTY = 'cyberid_pkce_exception';
export const MIN_ACR_PROPERTY = 'cyberid_min_acr';

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

/**
 * oidc-provider's extraClientMetadata. Its validator is the only synchronous hook over the whole
 * metadata at registration, update and the CLI's validation, so the checks of standard fields
 * (outbound targets in production) run there too, once, with the security profile's key.
 */
export const createExtraClientMetadata = (options: { production: boolean }) => ({
  properties: [PURPOSES_PROPERTY, LEGAL_BASIS_PROPERTY, LEGAL_BASIS_ZH_PROPERTY, SECTOR_VALIDATED_PROPERTY, MIN_ASSURANCE_PROPERTY, PINNED_SECTOR_PROPERTY, PKCE_EXCEPTION_PROPERTY, CLIENT_NAME_ZH_PROPERTY, MIN_ACR_PROPERTY, SECURITY_PROFILE_PROPERTY],
  validator(ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata: Record<string, unknown>) {
    if (key === SECURITY_PROFILE_PROPERTY) {
      const [target] = outboundTargetProblems(metadata, options);
      if (target) throw new errors.InvalidClientMetadata(target);
      return applyFapi2Profile(value, metadata, { pkceException: metadata[PKCE_EXCEPTION_PROPERTY] === true });
    }
    if (key === CLIENT_NAME_ZH_PROPERTY || key === LEGAL_BASIS_ZH_PROPERTY) {
      if (key === LEGAL_BASIS_ZH_PROPERTY && ctx && value !== undefined) throw new errors.InvalidClientMetadata(`${key} can only be set by the operator`);
      if (value !== undefined && (typeof value !== 'string' || !value.trim() || value.length > 200)) {
        throw new errors.InvalidClientMetadata(`${key} must be a non-empty string of at most 200 characters`);
      }
      return;
    }
    if (ctx && value !== undefined) throw new errors.InvalidClientMetadata(`${key} can only be set by the operator`);
    if (key === PURPOSES_PROPERTY) {
      const [problem] = scopePurposesProblems(value);
      if (problem) throw new errors.InvalidClientMetadata(problem);
    }
    if (key === MIN_ASSURANCE_PROPERTY && value !== undefined && !isAssuranceLevel(value)) {
      throw new errors.InvalidClientMetadata(`${MIN_ASSURANCE_PROPERTY} must be low, substantial or high`);
    }
    if (key === MIN_ACR_PROPERTY && value !== undefined && value !== 'substantial') {
      throw new errors.InvalidClientMetadata(`${MIN_ACR_PROPERTY} must be substantial (low is the default and is not stored)`);
    }
    if (key === LEGAL_BASIS_PROPERTY) {
      const scopes = String(metadata.scope ?? '').split(' ');
      const basis = typeof value === 'string' ? value.trim() : '';
      if (scopes.includes(IDENTITY_SCOPE) && !basis) {
        throw new errors.InvalidClientMetadata(`the ${IDENTITY_SCOPE} scope needs a registered legal basis`);
      }
    }
  },
});
