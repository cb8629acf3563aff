// The identity authority port: does this document, name and birth date belong together?
// The application asks it before granting a cyberspace ID; the answer is a verification
// result only, never identity data. Adapters: sandbox.ts (synthetic identities, the default
// outside production) and http.ts (a real authority). Choosing one is the container's job.
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

/**
 * 'verified': the authority holds this identity, all four fields match.
 * 'not_verified': a definite no (unknown document, or a field differs; which one is not said).
 * 'unavailable': no answer now (authority down, slow or refusing us); ask the person to retry.
 */
export type VerificationOutcome = 'verified' | 'not_verified' | 'unavailable';

export interface IdentityAuthority {
  verify(claim: IdentityClaim): Promise<{ outcome: VerificationOutcome }>;
}
