// Recovering an account (docs/assurance.md "Recovery"), so that it cannot be used to take one
// over. The document facts always identify the account; what they are worth depends on it:
// - the evidence must be at least as strong as the account's identity assurance: facts alone
//   (low) recover only a low account; a substantial or high one needs an attestation at its level;
// - a second factor is never removed silently: with facts alone on an account that has one, the
//   reset waits (proofing.recoveryDelaySeconds, 72 h by default) while the citizen is told (the
//   dashboard of every signed-in session, and the notification port) and can cancel; the person
//   recovering submits the form again after the wait to finish;
// - an attestation at the account's level completes at once (and ends any waiting request).
// Completing sets the new password, ends every session and turns the second factor off, audited.
// Starting, completing and cancelling each commit with their audit entries and notices in one
// transaction (account-events.ts), closing the waiting request included.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import { isDocumentType, validateDocumentNumber, type DocumentType } from '../identity/documents.js';
import { validateName } from '../identity/names.js';
import { checkPassword } from '../identity/password-policy.js';
import { meets, type IdentityEvidence } from '../identity/assurance.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { RecoveryRequestQueries } from '../queries/recovery-requests.js';
import type { CounterStore } from '../storage/model-store.js';
import { evidenceFromForm, type AttestationVerifier } from '../proofing/attestations.js';
import { FormError } from '../errors.js';
import type { IdentityVault } from './identity-vault.js';
import type { PasswordHasher } from './password-hasher.js';
import type { AccountSessions } from './account-sessions.js';
import type { AccountEvents } from './account-events.js';

export type RecoveryInput = {
  cyberspaceId: string; documentType: string; documentNumber: string; name: string; birthDate: string; newPassword: string;
  /** An attestation (JWS) for the challenge this page showed, for stronger evidence. */
  challenge?: string; attestation?: string;
};
export type RecoveryOutcome = { status: 'recovered' } | { status: 'waiting'; completesAt: Date; started: boolean };

type Dependencies = {
  queries: Pick<CitizenQueries, 'findCitizenByCyberspaceId' | 'updateCitizenPasswordHash' | 'disableTotp'>;
  requests: RecoveryRequestQueries;
  vault: Pick<IdentityVault, 'blindIndex' | 'open'>;
  hasher: PasswordHasher;
  sessions: Pick<AccountSessions, 'endAll'>;
  attestations: Pick<AttestationVerifier, 'verify'>;
  counters: CounterStore;
  rateLimit: { loginAttemptsPerWindow: number; windowSeconds: number };
  delaySeconds: number;
  /** Each step, its audit entries and its notices (email, SMS): one transaction. The dashboard shows a waiting recovery regardless. */
  events: AccountEvents;
  now?: () => Date;
};

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAccountRecovery(deps: Dependencies) {
  const { queries, requests, vault, hasher, sessions, counters, rateLimit, events, now = () => new Date() } = deps;

  /** The account the facts identify, or one FormError for every mismatch (which detail is never said). */
  async function identify(input: RecoveryInput): Promise<{ citizen: CitizenRow; documentType: DocumentType; documentNumber: string }> {
    const parsed = parseCyberspaceId(input.cyberspaceId);
    const name = validateName(input.name);
    const fields: Record<string, string> = {};
    if (!parsed.ok) fields.cyberspace_id = 'malformed_id';
    else if ((await counters.increment(`recover:${parsed.id}`, rateLimit.windowSeconds)) > rateLimit.loginAttemptsPerWindow) {
      throw new FormError({ cyberspace_id: 'throttled' });
    }
    if (!isDocumentType(input.documentType)) fields.document_type = 'invalid';
    const password = checkPassword(input.newPassword, [input.documentNumber, parsed.ok ? parsed.id : '']);
    if (!password.ok) fields.password = password.error;
    if (Object.keys(fields).length) throw new FormError(fields);
    const documentType = input.documentType as DocumentType;
    const documentNumber = validateDocumentNumber(documentType, input.documentNumber, input.birthDate);
    const citizen = parsed.ok ? await queries.findCitizenByCyberspaceId(parsed.id) : undefined;
    const mismatch = new FormError({ identity: 'recovery_mismatch' });
    if (!citizen || !documentNumber.ok || !name.ok || citizen.status === 'cancelled') throw mismatch;
    const blindIndex = vault.blindIndex(documentType, documentNumber.normalized);
    if (!citizen.document_blind_index || !sameText(citizen.document_blind_index, blindIndex)) throw mismatch;
    const held = await vault.open(citizen.id, citizen, ['name', 'birthDate'], 'password_recovery');
    if (held.name !== name.normalized || held.birthDate !== input.birthDate) throw mismatch;
    return { citizen, documentType, documentNumber: documentNumber.normalized };
  }

  /**
   * `closing`: the waiting request this completes, closed in the same transaction; only the one
   * call that closes it completes (undefined: another call already did).
   */
  async function complete(citizen: CitizenRow, newPassword: string, evidence: IdentityEvidence, closing: 'waiting' | 'if_any'): Promise<RecoveryOutcome | undefined> {
    const hash = await hasher.hash(newPassword.normalize('NFC'));
    await sessions.endAll(citizen.id);
    return events.run(async ({ trx, record }) => {
      if (!(await requests.closeRecovery(citizen.id, 'completed', trx)) && closing === 'waiting') return undefined;
      await queries.updateCitizenPasswordHash(citizen.id, hash, true, trx);
      await record({ type: 'account.recovered', citizenId: citizen.id, actor: 'citizen', details: { evidence: evidence.kind, level: evidence.level } });
      if (citizen.totp_enabled_at) {
        await queries.disableTotp(citizen.id, trx);
        await record({ type: 'account.two_factor_disabled', citizenId: citizen.id, actor: 'citizen', details: { reason_code: 'password_recovery' } });
      }
      return { status: 'recovered' } as const;
    });
  }

  return {
    async recover(input: RecoveryInput): Promise<RecoveryOutcome> {
      const { citizen, documentType, documentNumber } = await identify(input);
      const evidence = await evidenceFromForm(deps.attestations, input, { documentType, documentNumber }, now());
      if (!meets(evidence.level, citizen.identity_assurance)) throw new FormError({ identity: `recovery_needs_${citizen.identity_assurance}` });
      const secondFactor = citizen.totp_enabled_at !== null;
      const waiting = await requests.findWaitingRecovery(citizen.id);
      if (evidence.level !== 'low' || !secondFactor) {
        return (await complete(citizen, input.newPassword, evidence, 'if_any'))!;
      }
      // Facts alone on an account with a second factor: wait, told, cancellable.
      if (!waiting) {
        return events.run(async ({ trx, record }) => {
          const started = await requests.startRecovery({ id: randomUUID(), citizen_id: citizen.id, completes_at: new Date(now().getTime() + deps.delaySeconds * 1000) }, trx);
          const completesAt = new Date(started.completes_at);
          await record({ type: 'account.recovery_started', citizenId: citizen.id, actor: 'citizen', details: { evidence: evidence.kind } }, { params: { until: completesAt.toISOString() } });
          return { status: 'waiting', completesAt, started: true } as const;
        });
      }
      const completesAt = new Date(waiting.completes_at);
      if (completesAt > now()) return { status: 'waiting', completesAt, started: false };
      return (await complete(citizen, input.newPassword, evidence, 'waiting')) ?? { status: 'waiting', completesAt, started: false };
    },

    /** A waiting recovery of this citizen, shown on every signed-in dashboard. */
    waiting: (citizen: Pick<CitizenRow, 'id'>) => requests.findWaitingRecovery(citizen.id),

    /** From any signed-in session; false when nothing was waiting. */
    cancel: (citizen: Pick<CitizenRow, 'id'>): Promise<boolean> => events.run(async ({ trx, record }) => {
      if (!(await requests.closeRecovery(citizen.id, 'cancelled', trx))) return false;
      await record({ type: 'account.recovery_cancelled', citizenId: citizen.id, actor: 'citizen' });
      return true;
    }),
  };
}

export type AccountRecovery = ReturnType<typeof createAccountRecovery>;
