// The password, a first factor (amr "pwd", RFC 8176 §2). It never reveals whether an account
// exists: an unknown ID costs the same argon2 time and gets the same answer as a wrong password;
// only someone holding the password learns the account's state. Limits are the sequence's job
// (checked before this runs, so before any hash is computed).
import { parseCyberspaceId } from '../../ids/cyberspace-id.js';
import type { CitizenQueries, CitizenRow } from '../../queries/citizens.js';
import type { PasswordHasher } from '../../services/password-hasher.js';
import type { FirstFactor, MethodInput } from '../method.js';

type Dependencies = {
  queries: Pick<CitizenQueries, 'findCitizenByCyberspaceId' | 'updateCitizenPasswordHash'>;
  hasher: Pick<PasswordHasher, 'verify' | 'verifyNothing' | 'needsRehash' | 'hash'>;
};

const field = (input: MethodInput, name: string, max: number) => {
  const value = input[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
};

export function createPasswordMethod({ queries, hasher }: Dependencies): FirstFactor {
  return {
    id: 'password',
    role: 'first',
    async claimedAccount(input) {
      // A mistyped ID is caught by its check symbol before any lookup (and any count).
      const parsed = parseCyberspaceId(field(input, 'cyberspace_id', 100));
      if (!parsed.ok) return undefined;
      const citizen = await queries.findCitizenByCyberspaceId(parsed.id);
      return { key: parsed.id, citizenId: citizen?.id, citizen };
    },
    async verify(input, allow, claimed) {
      const parsed = parseCyberspaceId(field(input, 'cyberspace_id', 100));
      if (!parsed.ok) return { ok: false, reason: 'malformed_id' };
      const password = field(input, 'password', 1024).normalize('NFC');
      // The row claimedAccount read for this ID a moment ago (before the limits), else a read.
      const citizen = claimed?.key === parsed.id ? claimed.citizen : await queries.findCitizenByCyberspaceId(parsed.id);
      const valid = citizen ? await hasher.verify(citizen.password_hash, password) : await hasher.verifyNothing(password);
      if (!citizen || !valid) return { ok: false, reason: 'invalid_credentials', citizenId: citizen?.id };
      if (!allow.includes(citizen.status)) return { ok: false, reason: citizen.status as Exclude<CitizenRow['status'], 'active'>, citizenId: citizen.id };
      if (hasher.needsRehash(citizen.password_hash)) await queries.updateCitizenPasswordHash(citizen.id, await hasher.hash(password));
      return { ok: true, citizen, amr: ['pwd'] };
    },
  };
}
