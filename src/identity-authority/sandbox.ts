// The sandbox identity authority: synthetic identities and guardian relationships for
// development and for ISPs testing their integration (docs/sandbox.md). Privacy by
// construction: each identity is two keyed hashes, each relationship one, and nothing else, so
// not even a synthetic name or number rests in the database.
//   lookup   = HMAC(key, "sandbox-lookup\0" ‖ type:number)                       (unique)
//   verifier = HMAC(key, "sandbox-verify\0" ‖ type:number ‖ "\0" ‖ name ‖ "\0" ‖ birth date)
//   pair     = HMAC(key, "sandbox-guardian\0" ‖ guardian type:number ‖ "\0" ‖ ward type:number)
// The key is derived (HKDF) from BLIND_INDEX_SECRET under its own label, so these hashes never
// equal the citizens' document blind index. Rotating that secret orphans every sandbox row:
// seed again.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { documentBlindIndexInput } from '../identity/documents.js';
import { ConflictError, ForbiddenError, ValidationError } from '../errors.js';
import type { SandboxIdentityHashes, SandboxIdentityQueries } from '../queries/sandbox-identities.js';
import type { DocumentRef, GuardianPair, IdentityAuthority, IdentityClaim } from './port.js';

export function deriveSandboxKey(blindIndexSecret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'sandbox-identity-authority', 32));
}

const hmac = (key: Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('hex');

function hashClaim(key: Buffer, claim: IdentityClaim): SandboxIdentityHashes {
  // Throws on a number that is not in canonical form: it would silently never match.
  const document = documentBlindIndexInput(claim.documentType, claim.documentNumber);
  return {
    lookup: lookupOf(key, claim),
    verifier: hmac(key, `sandbox-verify\0${document}\0${claim.name.normalize('NFC')}\0${claim.birthDate}`),
  };
}

// Throws on a number that is not in canonical form (documentBlindIndexInput), like hashClaim.
const lookupOf = (key: Buffer, person: DocumentRef) => hmac(key, `sandbox-lookup\0${documentBlindIndexInput(person.documentType, person.documentNumber)}`);

/** Ordered: "A is a guardian of B" is not "B is a guardian of A". */
function hashPair(key: Buffer, { guardian, ward }: GuardianPair): string {
  const document = (person: DocumentRef) => documentBlindIndexInput(person.documentType, person.documentNumber);
  return hmac(key, `sandbox-guardian\0${document(guardian)}\0${document(ward)}`);
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
    async confirmGuardian(pair) {
      return { outcome: (await queries.hasSandboxGuardianship(hashPair(key, pair))) ? 'confirmed' : 'not_confirmed' };
    },
  };
}

/** Adds synthetic identities (the `cyberid sandbox` commands). Refused in production. */
export function createSandboxRegistry({ queries, key, production }: Dependencies & { production: boolean }) {
  const holds = async (documentType: IdentityClaim['documentType'], documentNumber: string): Promise<boolean> =>
    (await queries.findSandboxVerifier(lookupOf(key, { documentType, documentNumber }))) !== undefined;
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
    holds,
    /**
     * Records that `guardian` is a guardian of `ward`. Both must be sandbox identities already
     * (the real authority, too, knows relationships only between people it knows).
     */
    async addGuardian(pair: GuardianPair): Promise<void> {
      refuseInProduction();
      const problems: string[] = [];
      if (documentBlindIndexInput(pair.guardian.documentType, pair.guardian.documentNumber) === documentBlindIndexInput(pair.ward.documentType, pair.ward.documentNumber)) {
        problems.push('the guardian and the ward are the same document');
      } else {
        if (!(await holds(pair.guardian.documentType, pair.guardian.documentNumber))) problems.push('the sandbox holds no identity with the guardian\'s document; add it first (sandbox add)');
        if (!(await holds(pair.ward.documentType, pair.ward.documentNumber))) problems.push('the sandbox holds no identity with the ward\'s document; add it first (sandbox add)');
      }
      if (problems.length > 0) throw new ValidationError(problems);
      if ((await queries.insertSandboxGuardianships([hashPair(key, pair)])) === 0) {
        throw new ConflictError('the sandbox already records this guardian for this ward');
      }
    },
    /** Loads a set (the documented default one); an identity with the same document is replaced. */
    async seed(claims: readonly IdentityClaim[], guardianships: readonly GuardianPair[] = []): Promise<number> {
      refuseInProduction();
      await queries.upsertSandboxIdentities(claims.map((claim) => hashClaim(key, claim)));
      await queries.insertSandboxGuardianships(guardianships.map((pair) => hashPair(key, pair)));
      return claims.length;
    },
  };
}

export type SandboxRegistry = ReturnType<typeof createSandboxRegistry>;
