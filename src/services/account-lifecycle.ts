// Suspension, resumption, cancellation and password recovery of a cyberspace ID.
// - Suspended: sign-in and token refresh refused, introspection says inactive; grants stay so
//   resuming restores the citizen's connections. A citizen cannot lift an operator's suspension.
// - Cancelled: identity data crypto-shredded, every grant and token revoked, ISPs with
//   back-channel logout told; the cyberspace ID row stays so the ID is never issued again.
// Each change of status commits with its audit entry and its notice (account-events.ts).
// Recovery lives in account-recovery.ts.
import type { Knex } from 'knex';
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import { ageBand } from '../identity/age.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import { FormError, ForbiddenError, NotFoundError } from '../errors.js';
import type { IdentityVault } from './identity-vault.js';
import type { PasswordHasher } from './password-hasher.js';
import type { AccountSessions } from './account-sessions.js';
import type { GrantRevocations } from './grant-revocations.js';
import type { AccountEvents } from './account-events.js';

type Dependencies = {
  queries: CitizenQueries;
  vault: IdentityVault;
  hasher: PasswordHasher;
  sessions: AccountSessions;
  revocations: GrantRevocations;
  /** Forgets the citizen's connection records (cancellation), in the cancellation's transaction. */
  forgetConnections: (citizenId: string, trx: Knex.Transaction) => Promise<void>;
  events: AccountEvents;
};

export function createAccountLifecycle({ queries, vault, hasher, sessions, revocations, forgetConnections, events }: Dependencies) {
  async function byCyberspaceId(input: string): Promise<CitizenRow> {
    const parsed = parseCyberspaceId(input);
    const citizen = parsed.ok ? await queries.findCitizenByCyberspaceId(parsed.id) : undefined;
    if (!citizen) throw new NotFoundError('no such cyberspace ID');
    return citizen;
  }

  /**
   * Lifting a suspension must not approve in the guardian's place: an account its holder applied
   * for at 14–17 that the named guardian has not approved yet goes back to waiting for them.
   * (A child's account, applied for by the guardian at under 14, needs no approval.)
   */
  async function statusWhenLifted(citizen: CitizenRow): Promise<'active' | 'pending_guardian'> {
    if (!citizen.guardian_id || citizen.guardian_approved_at) return 'active';
    const { birthDate } = await vault.open(citizen.id, citizen, ['birthDate'], 'guardian_link_age');
    if (!birthDate) return 'active';
    const appliedAsMinor = ageBand(birthDate, new Date(citizen.created_at)) === 'minor';
    return appliedAsMinor && ageBand(birthDate) === 'minor' ? 'pending_guardian' : 'active';
  }

  return {
    async suspendBySelf(citizen: CitizenRow): Promise<void> {
      if (citizen.status !== 'active') throw new ForbiddenError('only an active cyberspace ID can be suspended');
      await events.run(async ({ trx, record }) => {
        await queries.setCitizenStatus(citizen.id, 'suspended', { by: 'citizen', reason: null }, trx);
        await record({ type: 'account.suspended', citizenId: citizen.id, actor: 'citizen', details: { reason_code: 'citizen_request' } });
      });
    },

    async resumeBySelf(citizen: CitizenRow): Promise<void> {
      if (citizen.status !== 'suspended' || citizen.suspended_by !== 'citizen') {
        throw new ForbiddenError('this suspension can only be lifted by the operator');
      }
      await events.run(async ({ trx, record }) => {
        await queries.setCitizenStatus(citizen.id, 'active', undefined, trx);
        await record({ type: 'account.resumed', citizenId: citizen.id, actor: 'citizen' });
      });
    },

    /** `cyberid citizen suspend`: the reason is shown to the citizen (no personal data in it). */
    async suspendByOperator(cyberspaceId: string, reason: string): Promise<CitizenRow> {
      const citizen = await byCyberspaceId(cyberspaceId);
      if (citizen.status === 'cancelled') throw new ForbiddenError('the cyberspace ID is cancelled');
      if (!reason.trim()) throw new FormError({ reason: 'required' });
      await events.run(async ({ trx, record }) => {
        await queries.setCitizenStatus(citizen.id, 'suspended', { by: 'operator', reason: reason.trim().slice(0, 500) }, trx);
        await record({ type: 'account.suspended', citizenId: citizen.id, actor: 'operator', details: { reason_code: 'operator' } });
      });
      return citizen;
    },

    async resumeByOperator(cyberspaceId: string): Promise<CitizenRow> {
      const citizen = await byCyberspaceId(cyberspaceId);
      if (citizen.status !== 'suspended') throw new ForbiddenError('the cyberspace ID is not suspended');
      const status = await statusWhenLifted(citizen);
      await events.run(async ({ trx, record }) => {
        await queries.setCitizenStatus(citizen.id, status, undefined, trx);
        await record({ type: 'account.resumed', citizenId: citizen.id, actor: 'operator' });
      });
      return citizen;
    },

    /** Cancellation needs the password again: it cannot be undone. */
    async cancel(citizen: CitizenRow, password: string): Promise<void> {
      if (!(await hasher.verify(citizen.password_hash, password.normalize('NFC')))) throw new FormError({ password: 'incorrect' });
      // Access is taken away first: a failed commit leaves the account signed out, not cancelled.
      const clientIds = await revocations.revokeAll(citizen.cyberspace_id);
      await sessions.endAll(citizen.id);
      await events.run(async ({ trx, record }) => {
        await queries.shredCitizen(citizen.id, trx);
        await forgetConnections(citizen.id, trx);
        await record({ type: 'account.cancelled', citizenId: citizen.id, actor: 'citizen', details: { count: clientIds.length } });
      });
    },
  };
}

export type AccountLifecycle = ReturnType<typeof createAccountLifecycle>;
