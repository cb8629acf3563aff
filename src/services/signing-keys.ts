// Signing keys for the online credential (ID tokens) and JWT responses.
// - RS256 signs for a client that names no algorithm (OIDC Dynamic Client Registration §2,
//   and what most relying-party libraries expect); ES256, PS256 and EdDSA on request. One key
//   per algorithm: oidc-provider picks a key by its `alg`, and a key serves one algorithm only.
// - Private halves are generated here, sealed with the key-encryption key, and never leave
//   the server; JWKS publishes public halves only.
// - Rotation adds keys that activate later (every instance reloads its key set first); a
//   superseded key keeps verifying until every token it signed has expired, then is pruned.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, calculateJwkThumbprint, type JWK } from 'jose';
import type { Envelope } from '../crypto/envelope.js';
import type { SigningKeyQueries, SigningKeyRow } from '../queries/signing-keys.js';
import { rewrapAll, type RewrapCounts, type RewrapOptions, type RewrapSource } from '../crypto/rewrap.js';

export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
/** OIDC Dynamic Client Registration §2: id_token_signed_response_alg defaults to RS256. */
export const DEFAULT_ID_TOKEN_ALG: SigningAlgorithm = 'RS256';
export const isSigningAlgorithm = (value: unknown): value is SigningAlgorithm =>
  (SIGNING_ALGORITHMS as readonly unknown[]).includes(value);

export type KeySetState = {
  /** Private JWKs in the order oidc-provider must see them: signing keys first. */
  privateJwks: JWK[];
  /** kids in that order; when it changes, instances rebuild their provider. */
  fingerprint: string;
};

type Dependencies = {
  queries: SigningKeyQueries;
  envelope: Envelope;
  /** How long a superseded key stays in JWKS: longer than any token it signed can live. */
  retiredKeyGraceSeconds: number;
  now?: () => Date;
};

const aadFor = (kid: string) => `signing_keys/${kid}/private_jwk`;

export function createSigningKeyService({ queries, envelope, retiredKeyGraceSeconds, now = () => new Date() }: Dependencies) {
  function rewrapSource(): RewrapSource {
    return {
      list: async (after, limit) => (await queries.listSigningKeyCiphertexts(after, limit)).map((row) => ({ id: row.kid, wrapped: row.private_jwk_ciphertext })),
      current: (kid) => queries.findSigningKeyCiphertext(kid),
      rewrap: ({ id, wrapped }) => envelope.rewrapSealed(wrapped, aadFor(id)),
      replace: (kid, previous, next) => queries.replaceSigningKeyCiphertext(kid, previous, next),
      kekIdOf: (sealed) => envelope.kekIdOf(sealed),
    };
  }

  async function createKey(alg: SigningAlgorithm, activatesAt: Date) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const thumbprint = await calculateJwkThumbprint(publicJwk);
    // kid: thumbprint prefix plus randomness, unique even if a key were ever regenerated.
    const kid = `${thumbprint.slice(0, 16)}-${randomUUID().slice(0, 8)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    await queries.insertSigningKey({
      kid,
      alg,
      public_jwk: { ...publicJwk, kid, alg, use: 'sig' },
      private_jwk_ciphertext: envelope.seal(JSON.stringify(privateJwk), aadFor(kid)),
      activates_at: activatesAt,
    });
    return kid;
  }

  /** Splits rows into signing (newest active per alg), pending, still-verifying and expired. */
  function classify(rows: SigningKeyRow[]) {
    const at = now().getTime();
    const signing: SigningKeyRow[] = [];
    const pending: SigningKeyRow[] = [];
    const verifying: SigningKeyRow[] = [];
    const expired: SigningKeyRow[] = [];
    const sorted = [...rows].sort((a, b) => new Date(b.activates_at).getTime() - new Date(a.activates_at).getTime());
    // Newest first: each active key is superseded by the previous (newer) active key of its alg.
    const newerActivation = new Map<string, number>();
    for (const row of sorted) {
      const activation = new Date(row.activates_at).getTime();
      if (activation > at) {
        pending.push(row);
        continue;
      }
      const supersededAt = newerActivation.get(row.alg);
      if (supersededAt === undefined) signing.push(row);
      else (at - supersededAt > retiredKeyGraceSeconds * 1000 ? expired : verifying).push(row);
      newerActivation.set(row.alg, activation);
    }
    return { signing, pending, verifying, expired };
  }

  return {
    /** Start-up: one active key per algorithm (also adds an algorithm new to this release). Idempotent. */
    async ensureSigningKeys(): Promise<string[]> {
      const { signing } = classify(await queries.listSigningKeys());
      const created: string[] = [];
      for (const alg of SIGNING_ALGORITHMS) {
        if (!signing.some((row) => row.alg === alg)) created.push(await createKey(alg, now()));
      }
      return created;
    },

    /** Adds a new key per algorithm, signing from `activateAfterSeconds` from now. */
    async rotateSigningKeys(activateAfterSeconds: number): Promise<{ kids: string[]; activatesAt: Date }> {
      const activatesAt = new Date(now().getTime() + activateAfterSeconds * 1000);
      const kids: string[] = [];
      for (const alg of SIGNING_ALGORITHMS) kids.push(await createKey(alg, activatesAt));
      return { kids, activatesAt };
    },

    /** Removes keys whose every token has expired. */
    async pruneExpiredKeys(): Promise<string[]> {
      const { expired } = classify(await queries.listSigningKeys());
      await queries.deleteSigningKeys(expired.map((row) => row.kid));
      return expired.map((row) => row.kid);
    },

    /**
     * The key set, decrypted only when its fingerprint differs from `known` (every instance
     * polls this: an unchanged set costs one query and no decryption).
     */
    async loadKeySet(known?: string): Promise<KeySetState | undefined> {
      const { signing, pending, verifying } = classify(await queries.listSigningKeys());
      const ordered = [...signing, ...pending, ...verifying];
      const fingerprint = ordered.map((row) => row.kid).join(',');
      if (fingerprint === known) return undefined;
      return {
        privateJwks: ordered.map((row) => JSON.parse(envelope.open(row.private_jwk_ciphertext, aadFor(row.kid))) as JWK),
        fingerprint,
      };
    },

    async describeKeys() {
      const { signing, pending, verifying } = classify(await queries.listSigningKeys());
      const describe = (state: string) => (row: SigningKeyRow) => ({
        kid: row.kid, alg: row.alg, state, activates_at: new Date(row.activates_at).toISOString(),
      });
      return [...signing.map(describe('signing')), ...pending.map(describe('pending')), ...verifying.map(describe('verifying'))];
    },

    /** KEK rotation: the private keys as a source of wrapped data keys (see crypto/rewrap.ts). */
    rewrapSource,

    /**
     * KEK rotation: re-wraps each private key's data key under the active KEK (the key itself
     * stays as it is), compare-and-set per key, skipping keys already under it.
     */
    rewrapSigningKeys: (options?: RewrapOptions): Promise<RewrapCounts> => rewrapAll(rewrapSource(), options),
  };
}

export type SigningKeyService = ReturnType<typeof createSigningKeyService>;
