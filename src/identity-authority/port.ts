// The identity authority port: does this document, name and birth date belong together, and is
// this person the guardian of that minor? The service asks it before granting a cyberspace ID
// and before linking a guardian to a ward; the answers are results only, never identity data.
// Adapters: sandbox.ts (synthetic identities and relationships, the default outside
// production) and http.ts (a real authority). Choosing one is the container's job.
import type { DocumentType } from '../identity/documents.js';

/** A claim already validated at the edge (claim.ts): every field in its canonical form. */
export type IdentityClaim = {
  documentType: DocumentType;
  /** Normalised by validateDocumentNumber. */
  documentNumber: string;
  /** Normalised by validateName. */
  name: string;
  /** YYYY-MM-DD */
  birthDate: string;
};

/** A person as the authority knows them: their document, in canonical form. */
export type DocumentRef = Pick<IdentityClaim, 'documentType' | 'documentNumber'>;

/**
 * 'verified': the authority holds this identity, all four fields match.
 * 'not_verified': a definite no (unknown document, or a field differs; which one is not said).
 * 'unavailable': no answer now (authority down, slow or refusing us); ask the person to retry.
 */
export type VerificationOutcome = 'verified' | 'not_verified' | 'unavailable';

/**
 * 'confirmed': the authority records the first person as a guardian of the second.
 * 'not_confirmed': a definite no (no such relationship, or an unknown document; not said which).
 * 'unavailable': as for verification.
 */
export type GuardianshipOutcome = 'confirmed' | 'not_confirmed' | 'unavailable';

export type GuardianPair = { guardian: DocumentRef; ward: DocumentRef };

export interface IdentityAuthority {
  verify(claim: IdentityClaim): Promise<{ outcome: VerificationOutcome }>;
  /** Only the two documents are sent: both people were verified already (minimum necessity). */
  confirmGuardian(pair: GuardianPair): Promise<{ outcome: GuardianshipOutcome }>;
}
