// OpenID Connect for Identity Assurance 1.0 (OIDC4IDA): the `verified_claims` the `verified`
// scope releases, and the discovery metadata that announces them (§8 / §13). What is said is
// how, when and how strongly the person was verified — never a document number or other
// identity data (docs/claims.md "Identity assurance").
import type { AssuranceLevel, IdentityEvidence } from '../identity/assurance.js';

export const TRUST_FRAMEWORK = 'cn_cyberspace_id';

/**
 * One evidence entry (OIDC4IDA §5.4.4, evidence type `document`):
 * - document facts checked against the authority's record: validation `vri`, no verification of the person;
 * - chip + liveness app: validation `vcrypt` (the chip's signature), verification `bvr` (biometric, remote);
 * - staffed counter: validation `vpip` (physical inspection), verification `pvp` (physical, in person).
 */
export function evidenceEntry(evidence: IdentityEvidence): Record<string, unknown> {
  if (evidence.kind === 'document_facts') return { type: 'document', validation_method: { type: 'vri' }, time: evidence.verifiedAt };
  const [validation, verification] = evidence.method === 'chip_liveness_app' ? ['vcrypt', 'bvr'] : ['vpip', 'pvp'];
  return { type: 'document', validation_method: { type: validation }, verification_method: { type: verification }, time: evidence.verifiedAt };
}

/** The claims that may sit in verified_claims.claims: verification results, never identity data. */
export const CLAIMS_IN_VERIFIED_CLAIMS = ['real_name_verified', 'age_over_14', 'age_over_16', 'age_over_18'];

export function verifiedClaims(level: AssuranceLevel, evidence: IdentityEvidence, claims: Record<string, unknown>) {
  return {
    verification: { trust_framework: TRUST_FRAMEWORK, assurance_level: level, time: evidence.verifiedAt, evidence: [evidenceEntry(evidence)] },
    claims,
  };
}

/** OIDC4IDA §13: what discovery publishes. */
export const IDA_DISCOVERY = {
  verified_claims_supported: true,
  trust_frameworks_supported: [TRUST_FRAMEWORK],
  evidence_supported: ['document'],
  documents_supported: ['idcard', 'passport', 'residence_permit'],
  documents_validation_methods_supported: ['vri', 'vcrypt', 'vpip'],
  documents_verification_methods_supported: ['bvr', 'pvp'],
  claims_in_verified_claims_supported: CLAIMS_IN_VERIFIED_CLAIMS,
  assurance_levels_supported: ['low', 'substantial', 'high'],
};
