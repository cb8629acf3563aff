// What an enrolment attestation is (docs/assurance.md): a JWS (compact, JWT claims) signed by a
// registered attester key (`kid` header), ES256 or EdDSA, saying "the holder of this document
// was verified by us just now, for this application". Shared by the verifier and the sandbox
// attester so both read the same definition.
//   iss       the attester (informational; the key decides who signed)
//   aud       this service's issuer URL
//   iat, exp  exp − iat ≤ MAX_ATTESTATION_SECONDS
//   jti       unique per attestation
//   challenge the single-use challenge the application page showed (QR code / short code)
//   document  base64url(HMAC-SHA256(key = challenge, "<type>:<number>")): the document's blind
//             index under a key that lives for one application, so it identifies nobody later
import { createHmac, randomInt } from 'node:crypto';
import { documentBlindIndexInput, type DocumentType } from '../identity/documents.js';

export const ATTESTATION_ALGORITHMS = ['ES256', 'EdDSA'];
export const MAX_ATTESTATION_SECONDS = 600;

export function documentDigest(challenge: string, documentType: DocumentType, documentNumber: string): string {
  return createHmac('sha256', challenge).update(documentBlindIndexInput(documentType, documentNumber)).digest('base64url');
}

// Crockford-style alphabet without look-alikes (I, L, O, U): the short code is typed by hand.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 characters, 80 bits: single-use and short-lived, so guessing one is hopeless. */
export function newChallenge(): string {
  return Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** Forgiving entry: case, spaces and hyphens do not matter. */
export function normalizeChallenge(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

export const formatChallenge = (challenge: string) => challenge.match(/.{1,4}/g)!.join('-');
