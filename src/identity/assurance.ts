// Identity assurance: how well the platform knows who the person is, set by the evidence it
// holds (docs/assurance.md), in the spirit of eIDAS LoA and ISO/IEC 29115 (low–substantial–high).
//   document facts confirmed by the identity authority        → low
//   a signed attestation from a registered enrolment attester → the attester's registered level
//     (a certified app that read the chip and checked liveness, or a staffed counter):
//     substantial or high
export const ASSURANCE_LEVELS = ['low', 'substantial', 'high'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

/** The levels an enrolment attester may be registered at (facts alone give low). */
export const ATTESTER_LEVELS = ['substantial', 'high'] as const;
export type AttesterLevel = (typeof ATTESTER_LEVELS)[number];

/** What kind of attester it is; maps to the IDA evidence `method` (OIDC4IDA §5.4.3). */
export const ATTESTER_KINDS = ['chip_liveness_app', 'staffed_counter'] as const;
export type AttesterKind = (typeof ATTESTER_KINDS)[number];

export const isAssuranceLevel = (value: unknown): value is AssuranceLevel => ASSURANCE_LEVELS.includes(value as AssuranceLevel);

export function rankOf(level: AssuranceLevel): number {
  return ASSURANCE_LEVELS.indexOf(level);
}

/** True when `have` is at least as strong as `need`. */
export function meets(have: AssuranceLevel, need: AssuranceLevel): boolean {
  return rankOf(have) >= rankOf(need);
}

/**
 * The evidence an account's level rests on, as kept with the citizen (never a document number).
 * `document_facts`: the authority confirmed type, number, name and birth date.
 * `attestation`: an attester vouched for the person holding the document (chip + liveness, or
 * seen in person).
 */
export type IdentityEvidence =
  | { kind: 'document_facts'; level: 'low'; verifiedAt: string }
  | { kind: 'attestation'; level: AttesterLevel; attesterId: string; method: AttesterKind; verifiedAt: string };
