// The operator's register of enrolment attesters (`cyberid attester add|rotate|list|revoke`,
// docs/assurance.md). Only public keys are registered (a JWK: EC P-256 or Ed25519); the key id
// is the RFC 7638 thumbprint so it cannot collide by accident. Rotation adds a key under the
// same attester, both verify until the old one is revoked; revoking refuses every attestation
// that key signs from then on, and keeps the row so earlier evidence still names its attester.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { ATTESTER_KINDS, ATTESTER_LEVELS, type AttesterKind, type AttesterLevel } from '../identity/assurance.js';
import type { AttesterRow, EnrolmentAttesterQueries } from '../queries/enrolment-attesters.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

type Dependencies = {
  queries: EnrolmentAttesterQueries;
  record: (event: { type: 'attester.added' | 'attester.revoked'; actor: 'operator'; details: Record<string, string> }) => Promise<void>;
};

function publicJwk(input: unknown): JWK {
  const jwk = input as JWK;
  const problems: string[] = [];
  if (typeof jwk !== 'object' || jwk === null) throw new ValidationError(['the key must be a JSON Web Key (an object)']);
  if ('d' in jwk) problems.push('the key holds a private part ("d"); register only the public key');
  const ec = jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string';
  const okp = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string';
  if (!ec && !okp) problems.push('the key must be an EC P-256 (ES256) or an OKP Ed25519 (EdDSA) public key');
  if (problems.length) throw new ValidationError(problems);
  return ec ? { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } : { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export function createAttesterRegistry({ queries, record }: Dependencies) {
  async function insertKey(attesterId: string, name: string, kind: AttesterKind, level: AttesterLevel, jwkInput: unknown): Promise<AttesterRow> {
    const jwk = publicJwk(jwkInput);
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    if (await queries.findAttesterByKid(kid)) throw new ConflictError(`the key ${kid} is already registered`);
    const row = await queries.insertAttester({ attester_id: attesterId, name, kind, level, kid, public_jwk: jwk });
    await record({ type: 'attester.added', actor: 'operator', details: { attester_id: attesterId, kid, level } });
    return row;
  }

  return {
    async add(input: { name: string; kind: string; level: string; jwk: unknown }): Promise<AttesterRow> {
      const problems: string[] = [];
      if (!input.name.trim() || input.name.length > 200) problems.push('--name is required (at most 200 characters)');
      if (!ATTESTER_KINDS.includes(input.kind as AttesterKind)) problems.push(`--kind must be one of ${ATTESTER_KINDS.join(', ')}`);
      if (!ATTESTER_LEVELS.includes(input.level as AttesterLevel)) problems.push(`--level must be one of ${ATTESTER_LEVELS.join(', ')}`);
      if (problems.length) throw new ValidationError(problems);
      return insertKey(randomUUID(), input.name.trim(), input.kind as AttesterKind, input.level as AttesterLevel, input.jwk);
    },
    /** A new key for the attester that holds `kid`; the old key stays valid until revoked. */
    async rotate(kid: string, jwk: unknown): Promise<AttesterRow> {
      const current = await queries.findAttesterByKid(kid);
      if (!current) throw new NotFoundError(`no attester key ${kid}`);
      return insertKey(current.attester_id, current.name, current.kind, current.level, jwk);
    },
    async revoke(kid: string): Promise<void> {
      const current = await queries.findAttesterByKid(kid);
      if (!current || !(await queries.revokeAttesterKey(kid))) throw new NotFoundError(`no active attester key ${kid}`);
      await record({ type: 'attester.revoked', actor: 'operator', details: { attester_id: current.attester_id, kid } });
    },
    list: () => queries.listAttesters(),
  };
}

export type AttesterRegistry = ReturnType<typeof createAttesterRegistry>;
