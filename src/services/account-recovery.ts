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

export type RecoveryInput = {
  cyberspaceId: string; documentType: string; documentNumber: string; name: string; birthDate: string; newPassword: string;
  /** An attestation (JWS) for the challenge this page showed, for stronger evidence. */
  challenge?: string; attestation?: string;
};
export type RecoveryOutcome = { status: 'recovered' } | { status: 'waiting'; completesAt: Date; started: boolean };

/** What the citizen is told through the notification port (no identity data, ever). */
export type RecoveryNotice = { kind: 'recovery_started' | 'recovery_completed' | 'recovery_cancelled'; citizenId: string; completesAt?: Date };

type RecordedEvent = {
  type: 'account.recovered' | 'account.recovery_started' | 'account.recovery_cancelled' | 'account.two_factor_disabled';
  citizenId: string; actor: 'citizen'; details?: Record<string, string>;
};

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
  record: (event: RecordedEvent) => Promise<void>;
  /** The notification port (email, SMS) plugs in here; the dashboard shows a waiting recovery regardless. */
  notify?: (notice: RecoveryNotice) => Promise<void>;
  now?: () => Date;
};

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAccountRecovery(deps: Dependencies) {
  const { queries, requests, vault, hasher, sessions, counters, rateLimit, record, now = () => new Date() } = deps;
  const notify = deps.notify ?? (async () => {});

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

  async function complete(citizen: CitizenRow, newPassword: string, evidence: IdentityEvidence): Promise<RecoveryOutcome> {
    await queries.updateCitizenPasswordHash(citizen.id, await hasher.hash(newPassword.normalize('NFC')), true);
    await sessions.endAll(citizen.id);
    await record({ type: 'account.recovered', citizenId: citizen.id, actor: 'citizen', details: { evidence: evidence.kind, level: evidence.level } });
    if (citizen.totp_enabled_at) {
      await queries.disableTotp(citizen.id);
      await record({ type: 'account.two_factor_disabled', citizenId: citizen.id, actor: 'citizen', details: { reason_code: 'password_recovery' } });
    }
    await notify({ kind: 'recovery_completed', citizenId: citizen.id });
    return { status: 'recovered' };
  }

  return {
    async recover(input: RecoveryInput): Promise<RecoveryOutcome> {
      const { citizen, documentType, documentNumber } = await identify(input);
      const evidence = await evidenceFromForm(deps.attestations, input, { documentType, documentNumber }, now());
      if (!meets(evidence.level, citizen.identity_assurance)) throw new FormError({ identity: `recovery_needs_${citizen.identity_assurance}` });
      const secondFactor = citizen.totp_enabled_at !== null;
      const waiting = await requests.findWaitingRecovery(citizen.id);
      if (evidence.level !== 'low' || !secondFactor) {
        if (waiting) await requests.closeRecovery(citizen.id, 'completed');
        return complete(citizen, input.newPassword, evidence);
      }
      // Facts alone on an account with a second factor: wait, told, cancellable.
      if (!waiting) {
        const started = await requests.startRecovery({ id: randomUUID(), citizen_id: citizen.id, completes_at: new Date(now().getTime() + deps.delaySeconds * 1000) });
        await record({ type: 'account.recovery_started', citizenId: citizen.id, actor: 'citizen', details: { evidence: evidence.kind } });
        await notify({ kind: 'recovery_started', citizenId: citizen.id, completesAt: new Date(started.completes_at) });
        return { status: 'waiting', completesAt: new Date(started.completes_at), started: true };
      }
      const completesAt = new Date(waiting.completes_at);
      if (completesAt > now()) return { status: 'waiting', completesAt, started: false };
      // Only the one call that closes the request completes it.
      if (!(await requests.closeRecovery(citizen.id, 'completed'))) return { status: 'waiting', completesAt, started: false };
      return complete(citizen, input.newPassword, evidence);
    },

    /** A waiting recovery of this citizen, shown on every signed-in dashboard. */
    waiting: (citizen: Pick<CitizenRow, 'id'>) => requests.findWaitingRecovery(citizen.id),

    /** From any signed-in session; false when nothing was waiting. */
    async cancel(citizen: Pick<CitizenRow, 'id'>): Promise<boolean> {
      if (!(await requests.closeRecovery(citizen.id, 'cancelled'))) return false;
      await record({ type: 'account.recovery_cancelled', citizenId: citizen.id, actor: 'citizen' });
      await notify({ kind: 'recovery_cancelled', citizenId: citizen.id });
      return true;
    },
  };
}

export type AccountRecovery = ReturnType<typeof createAccountRecovery>;
