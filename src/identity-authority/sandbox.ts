// The sandbox identity authority: synthetic identities for development and for ISPs testing
// their integration (docs/sandbox.md). Privacy by construction: each identity is two keyed
// hashes and nothing else, so not even a synthetic name or number rests in the database.
//   lookup   = HMAC(key, "sandbox-lookup\0" ‖ type:number)                       (unique)
//   verifier = HMAC(key, "sandbox-verify\0" ‖ type:number ‖ "\0" ‖ name ‖ "\0" ‖ birth date)
// The key is derived (HKDF) from BLIND_INDEX_SECRET under its own label, so these hashes never
// equal the citizens' document blind index. Rotating that secret orphans every sandbox row:
// seed again.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { documentBlindIndexInput } from '../identity/documents.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import type { SandboxIdentityHashes, SandboxIdentityQueries } from '../queries/sandbox-identities.js';
import type { IdentityAuthority, IdentityClaim } from './port.js';

export function deriveSandboxKey(blindIndexSecret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'sandbox-identity-authority', 32));
}

const hmac = (key: Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('hex');

function hashClaim(key: Buffer, claim: IdentityClaim): SandboxIdentityHashes {
  // Throws on a number that is not in canonical form: it would silently never match.
  const document = documentBlindIndexInput(claim.documentType, claim.documentNumber);
  return {
    lookup: hmac(key, `sandbox-lookup\0${document}`),
    verifier: hmac(key, `sandbox-verify\0${document}\0${claim.name.normalize('NFC')}\0${claim.birthDate}`),
  };
}

type Dependencies = { queries: SandboxIdentityQueries; key: Buffer };

export function createSandboxAuthority({ queries, key }: Dependencies): IdentityAuthority {
  return {
    async verify(claim) {
      const expected = hashClaim(key, claim);
      const stored = await queries.findSandboxVerifier(expected.lookup);
      if (stored === undefined) return { outcome: 'not_verified' };
      const matches = timingSafeEqual(Buffer.from(stored, 'hex'), Buffer.from(expected.verifier, 'hex'));
      return { outcome: matches ? 'verified' : 'not_verified' };
    },
  };
}

/** Adds synthetic identities (the `cyberid sandbox` commands). Refused in production. */
export function createSandboxRegistry({ queries, key, production }: Dependencies & { production: boolean }) {
  const refuseInProduction = () => {
    if (production) throw new ForbiddenError('the sandbox identity authority is not available in production');
  };
  return {
    async add(claim: IdentityClaim): Promise<void> {
      refuseInProduction();
      if (!(await queries.insertSandboxIdentity(hashClaim(key, claim)))) {
        throw new ConflictError('the sandbox already holds an identity with this document type and number');
      }
    },
    /** Whether a sandbox identity holds this document (the sandbox attester attests only those). */
    async holds(documentType: IdentityClaim['documentType'], documentNumber: string): Promise<boolean> {
      const lookup = hmac(key, `sandbox-lookup\0${documentBlindIndexInput(documentType, documentNumber)}`);
      return (await queries.findSandboxVerifier(lookup)) !== undefined;
    },
    /** Loads a set (the documented default one); an identity with the same document is replaced. */
    async seed(claims: readonly IdentityClaim[]): Promise<number> {
      refuseInProduction();
      await queries.upsertSandboxIdentities(claims.map((claim) => hashClaim(key, claim)));
      return claims.length;
    },
  };
}

export type SandboxRegistry = ReturnType<typeof createSandboxRegistry>;
