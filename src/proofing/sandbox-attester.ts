// The sandbox enrolment attester (docs/sandbox.md): signs attestations for sandbox identities
// at every attested level, so ISPs and tests can exercise each one. Two fixed attesters, keys
// derived (HKDF → Ed25519 seed) from BLIND_INDEX_SECRET under their own labels, trusted by the
// verifier only outside production; `attest` refuses in production and for documents that are
// not sandbox identities.
import { createPrivateKey, createPublicKey, hkdfSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AttesterLevel } from '../identity/assurance.js';
import type { DocumentType } from '../identity/documents.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { documentDigest, normalizeChallenge } from './attestation-format.js';
import type { TrustedAttesterKey } from './attestations.js';

// PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const SANDBOX_ATTESTERS = [
  { level: 'substantial', kind: 'chip_liveness_app', attesterId: '00000000-0000-4000-8000-5a4db0c0a001', label: 'sandbox-attester-substantial' },
  { level: 'high', kind: 'staffed_counter', attesterId: '00000000-0000-4000-8000-5a4db0c0a002', label: 'sandbox-attester-high' },
] as const;

type SandboxKey = TrustedAttesterKey & { privateKey: KeyObject };

export function deriveSandboxAttesterKeys(blindIndexSecret: Buffer): SandboxKey[] {
  return SANDBOX_ATTESTERS.map(({ level, kind, attesterId, label }) => {
    const seed = Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', label, 32));
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    return { kid: label, attesterId, kind, level, key: createPublicKey(privateKey), privateKey };
  });
}

type Dependencies = {
  keys: SandboxKey[];
  audience: string;
  production: boolean;
  /** Is this document a sandbox identity? (identity-authority/sandbox.ts) */
  isSandboxDocument: (documentType: DocumentType, documentNumber: string) => Promise<boolean>;
  lifetimeSeconds?: number;
};

export function createSandboxAttester({ keys, audience, production, isSandboxDocument, lifetimeSeconds = 300 }: Dependencies) {
  return {
    /** Trusted by the verifier outside production only. */
    trustedKeys: (): TrustedAttesterKey[] => (production ? [] : keys.map(({ privateKey: _private, ...key }) => key)),
    async attest(input: { level: AttesterLevel; challenge: string; documentType: DocumentType; documentNumber: string }): Promise<string> {
      if (production) throw new ForbiddenError('the sandbox attester is not available in production');
      if (!(await isSandboxDocument(input.documentType, input.documentNumber))) {
        throw new NotFoundError('the sandbox attester attests sandbox identities only (cyberid sandbox add|seed)');
      }
      const key = keys.find((k) => k.level === input.level)!;
      const challenge = normalizeChallenge(input.challenge);
      return new SignJWT({ challenge, document: documentDigest(challenge, input.documentType, input.documentNumber) })
        .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'enrolment-attestation+jwt' })
        .setIssuer(`urn:cyberspace-id:sandbox-attester:${input.level}`)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .setJti(randomUUID())
        .sign(key.privateKey);
    },
  };
}

export type SandboxAttester = ReturnType<typeof createSandboxAttester>;
