// The claims catalogue (docs/claims.md). Claims describe verification results, not the person:
// - openid:   sub (pairwise cyberspace ID), acr, amr (plus auth_time, sid, nonce protocol claims)
// - age:      age_over_14, age_over_16, age_over_18 — booleans computed at issuance from the
//             encrypted birth date; the date itself is never released
// - verified: real_name_verified (true from substantial identity assurance), identity_assurance_level,
//             verified_claims (OIDC4IDA, verified-claims.ts)
// - identity: name, document_type, document_number — plaintext, only for ISPs with an
//             operator-registered legal basis, each release after separate consent (never remembered)
import type { CitizenRow } from '../queries/citizens.js';
import type { IdentityVault } from '../services/identity-vault.js';
import { ageInChina } from '../identity/age.js';
import { meets } from '../identity/assurance.js';
import { CLAIMS_IN_VERIFIED_CLAIMS, verifiedClaims } from './verified-claims.js';

export type ClaimsForAccount = (citizen: CitizenRow, scope: string) => Promise<Record<string, unknown>>;

/** Which claims each scope releases, as published in discovery (claims_supported). */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub', 'amr', 'acr'],
  age: ['age_over_14', 'age_over_16', 'age_over_18'],
  verified: ['real_name_verified', 'identity_assurance_level', 'verified_claims'],
  identity: ['name', 'document_type', 'document_number'],
};

/** The scope whose release needs a legal basis and its own consent screen every time. */
export const IDENTITY_SCOPE = 'identity';
/** Scopes an ISP may be allowed; `openid` is always required. */
export const GRANTABLE_SCOPES = ['openid', 'offline_access', 'age', 'verified', IDENTITY_SCOPE] as const;

/** Sandbox test citizens (cyberid citizen add-test) hold no evidence: their level reads `test`. */
const TEST_CITIZEN = 'test';

/** real_name_verified is true from this identity assurance level (docs/claims.md). */
export const REAL_NAME_VERIFIED_FROM = 'substantial';

export function createClaimsFor(vault: IdentityVault, now: () => Date = () => new Date()): ClaimsForAccount {
  return async (citizen, scope) => {
    const scopes = new Set(scope.split(' '));
    const claims: Record<string, unknown> = {};
    const verified = scopes.has('verified');
    const evidence = citizen.assurance_level === TEST_CITIZEN ? null : citizen.identity_evidence;
    if (verified) {
      claims.real_name_verified = evidence !== null && meets(citizen.identity_assurance, REAL_NAME_VERIFIED_FROM);
      claims.identity_assurance_level = evidence ? citizen.identity_assurance : TEST_CITIZEN;
    }
    const wanted: Array<'birthDate' | 'name' | 'documentType' | 'documentNumber'> = [];
    if (scopes.has('age')) wanted.push('birthDate');
    if (scopes.has(IDENTITY_SCOPE)) wanted.push('name', 'documentType', 'documentNumber');
    if (wanted.length === 0) return withVerifiedClaims(claims);
    const identity = await vault.open(citizen.id, citizen, wanted, 'claims_release');
    if (identity.birthDate) {
      const age = ageInChina(identity.birthDate, now());
      Object.assign(claims, { age_over_14: age >= 14, age_over_16: age >= 16, age_over_18: age >= 18 });
    }
    if (scopes.has(IDENTITY_SCOPE)) {
      Object.assign(claims, { name: identity.name, document_type: identity.documentType, document_number: identity.documentNumber });
    }
    return withVerifiedClaims(claims);

    // The verification results the evidence backs, with how they were verified (OIDC4IDA §5).
    function withVerifiedClaims(released: Record<string, unknown>) {
      if (!verified || !evidence) return released;
      const backed = Object.fromEntries(CLAIMS_IN_VERIFIED_CLAIMS.filter((name) => name in released).map((name) => [name, released[name]]));
      return { ...released, verified_claims: verifiedClaims(citizen.identity_assurance, evidence, backed) };
    }
  };
}
