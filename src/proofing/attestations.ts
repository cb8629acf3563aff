// Verifying an enrolment attestation (attestation-format.ts) against the application it is
// meant for. Every refusal names its reason (a code with a message in the locale files):
//   malformed, unknown_key, revoked_key, bad_signature, expired, wrong_audience,
//   wrong_challenge, wrong_document, replayed
// The level comes from the attester's registration, never from the attestation itself.
// Challenges live in the ephemeral store with a TTL and are consumed atomically, so an
// attestation completes at most one application or level raise.
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK } from 'jose';
import { KeyObject } from 'node:crypto';
import type { DocumentType } from '../identity/documents.js';
import type { AttesterKind, AttesterLevel, IdentityEvidence } from '../identity/assurance.js';
import type { EnrolmentAttesterQueries } from '../queries/enrolment-attesters.js';
import type { CounterStore, ModelStore } from '../storage/model-store.js';
import { ExposedError, FormError } from '../errors.js';
import { ATTESTATION_ALGORITHMS, MAX_ATTESTATION_SECONDS, documentDigest, newChallenge, normalizeChallenge } from './attestation-format.js';

export const ATTESTATION_REFUSALS = [
  'malformed', 'unknown_key', 'revoked_key', 'bad_signature', 'expired',
  'wrong_audience', 'wrong_challenge', 'wrong_document', 'replayed',
] as const;
export type AttestationRefusal = (typeof ATTESTATION_REFUSALS)[number];

const MESSAGES: Record<AttestationRefusal, string> = {
  malformed: 'the attestation is not a well-formed signed attestation',
  unknown_key: 'the attestation is signed by a key that is not registered',
  revoked_key: 'the attestation is signed by a key that has been revoked',
  bad_signature: 'the attestation signature does not verify',
  expired: 'the attestation has expired (or is not yet valid); ask for a new one',
  wrong_audience: 'the attestation was made for another service',
  wrong_challenge: 'the attestation was made for another application (its challenge does not match this one)',
  wrong_document: 'the attestation is about a different document',
  replayed: 'the attestation has already been used',
};

export class AttestationRefused extends ExposedError {
  constructor(readonly reason: AttestationRefusal) {
    super(400, 'attestation_refused', MESSAGES[reason]);
  }
}

/** A key the verifier trusts besides the registered ones (the sandbox attester, never in production). */
export type TrustedAttesterKey = { kid: string; attesterId: string; kind: AttesterKind; level: AttesterLevel; key: KeyObject | JWK };

type Dependencies = {
  attesters: Pick<EnrolmentAttesterQueries, 'findAttesterByKid'>;
  store: Pick<ModelStore, 'upsert' | 'find' | 'consume'> & Pick<CounterStore, 'setIfAbsent'>;
  /** This service's issuer URL: the attestation's audience. */
  audience: string;
  challengeTtlSeconds: number;
  extraKeys?: readonly TrustedAttesterKey[];
  now?: () => Date;
};

const CHALLENGE_MODEL = 'ProofingChallenge';

export function createAttestationVerifier({ attesters, store, audience, challengeTtlSeconds, extraKeys = [], now = () => new Date() }: Dependencies) {
  async function keyFor(kid: string): Promise<TrustedAttesterKey> {
    const extra = extraKeys.find((k) => k.kid === kid);
    if (extra) return extra;
    const row = await attesters.findAttesterByKid(kid);
    if (!row) throw new AttestationRefused('unknown_key');
    if (row.revoked_at) throw new AttestationRefused('revoked_key');
    return { kid, attesterId: row.attester_id, kind: row.kind, level: row.level, key: row.public_jwk };
  }

  async function verifySignature(jws: string, trusted: TrustedAttesterKey) {
    const header = decodeProtectedHeader(jws);
    if (!ATTESTATION_ALGORITHMS.includes(String(header.alg))) throw new AttestationRefused('malformed');
    const key = trusted.key instanceof KeyObject ? trusted.key : await importJWK(trusted.key, String(header.alg)).catch(() => {
      throw new AttestationRefused('bad_signature');
    });
    try {
      const { payload } = await jwtVerify(jws, key, {
        algorithms: ATTESTATION_ALGORITHMS,
        audience,
        currentDate: now(),
        clockTolerance: 30,
        requiredClaims: ['iat', 'exp', 'jti', 'aud'],
      });
      if (payload.exp! - payload.iat! > MAX_ATTESTATION_SECONDS) throw new AttestationRefused('expired');
      return payload;
    } catch (error) {
      if (error instanceof AttestationRefused) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new AttestationRefused('expired');
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new AttestationRefused('bad_signature');
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        if (error.claim === 'aud') throw new AttestationRefused('wrong_audience');
        if (error.claim === 'iat' || error.claim === 'nbf') throw new AttestationRefused('expired');
      }
      throw new AttestationRefused('malformed');
    }
  }

  return {
    /** A new single-use challenge for one application or level raise. */
    async issueChallenge(): Promise<{ challenge: string; expiresAt: Date }> {
      const challenge = newChallenge();
      await store.upsert(CHALLENGE_MODEL, challenge, { issuedAt: now().toISOString() }, challengeTtlSeconds);
      return { challenge, expiresAt: new Date(now().getTime() + challengeTtlSeconds * 1000) };
    },

    /**
     * Checks `jws` for the application holding `challenge` and the claimed document, and
     * consumes the challenge. Throws AttestationRefused with the reason.
     */
    async verify(jws: string, expected: { challenge: string; documentType: DocumentType; documentNumber: string }): Promise<IdentityEvidence> {
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(jws.trim()).kid;
      } catch {
        throw new AttestationRefused('malformed');
      }
      if (!kid) throw new AttestationRefused('malformed');
      const trusted = await keyFor(kid);
      const payload = await verifySignature(jws.trim(), trusted);
      const challenge = normalizeChallenge(expected.challenge);
      if (typeof payload.challenge !== 'string' || normalizeChallenge(payload.challenge) !== challenge) {
        throw new AttestationRefused('wrong_challenge');
      }
      if (payload.document !== documentDigest(challenge, expected.documentType, expected.documentNumber)) {
        throw new AttestationRefused('wrong_document');
      }
      const issued = await store.find(CHALLENGE_MODEL, challenge);
      if (!issued) throw new AttestationRefused('wrong_challenge');
      // Both markers: the challenge is single-use, and so is each attestation (jti per key).
      const freshJti = await store.setIfAbsent(`attestation-jti:${kid}:${payload.jti}`, MAX_ATTESTATION_SECONDS * 2);
      if (!freshJti || !(await store.consume(CHALLENGE_MODEL, challenge))) throw new AttestationRefused('replayed');
      return { kind: 'attestation', level: trusted.level, attesterId: trusted.attesterId, method: trusted.kind, verifiedAt: now().toISOString() };
    },
  };
}

export type AttestationVerifier = ReturnType<typeof createAttestationVerifier>;

/**
 * The evidence a form's optional attestation gives, for applying, recovering or raising a level:
 * document facts (low) when none was pasted, else the attestation's; a refused attestation is
 * the form's `attestation` error (its reason has a message in the locale files).
 */
export async function evidenceFromForm(
  verifier: Pick<AttestationVerifier, 'verify'> | undefined,
  input: { attestation?: string; challenge?: string },
  document: { documentType: DocumentType; documentNumber: string },
  now: Date,
): Promise<IdentityEvidence> {
  if (!input.attestation?.trim() || !verifier) return { kind: 'document_facts', level: 'low', verifiedAt: now.toISOString() };
  try {
    return await verifier.verify(input.attestation, { challenge: input.challenge ?? '', ...document });
  } catch (error) {
    if (error instanceof AttestationRefused) throw new FormError({ attestation: error.reason });
    throw error;
  }
}
