// Recovery codes (NIST SP 800-63B §5.1.2 "look-up secrets"): ten single-use codes that stand in
// for the citizen's second factor — the authenticator app, or the passkey they lost. A code is
// only ever a second factor: it is asked for after the password, never instead of it.
// - Made with the CSPRNG: 8 symbols of Crockford base32 (the cyberspace ID's alphabet, no I, L, O,
//   U), 40 bits each, shown lower case as xxxx-xxxx. Entry is forgiving: case, spaces, hyphens,
//   and o/i/l read as 0/1/1.
// - Stored as HMAC-SHA256(key, citizen id ‖ code), the key derived from the blind-index secret
//   for this use only. Why HMAC and not argon2: the codes are random (40 bits), not chosen by a
//   person, so a slow hash buys nothing a server-side key does not, and a stolen table without
//   the key cannot be guessed at all; a keyed hash is also one exact lookup, so a use is a single
//   atomic UPDATE (…WHERE used_at IS NULL) instead of ten argon2 runs queued behind sign-ins.
// - Shown once, on the page that made them; never stored, logged or exported in the clear.
// - Each use: marked used in one statement (two racing uses of one code: one wins), and in the
//   same transaction (services/account-events.ts) audited, told by email/SMS through the outbox
//   (and, as the set runs low, a reminder to make new ones) and put on the dashboard.
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import { FormError } from '../errors.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { RecoveryCodeQueries } from '../queries/recovery-codes.js';
import type { AccountNotices } from '../services/account-notices.js';
import type { AccountEvents } from '../services/account-events.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { CounterStore } from '../storage/model-store.js';

export const CODE_COUNT = 10;
/** At or below this many unused codes the citizen is asked to make new ones. */
export const FEW_LEFT = 3;
const SYMBOLS = 8;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LOOK_ALIKES: Record<string, string> = { o: '0', i: '1', l: '1' };

export type RecoveryCodeUse = 'ok' | 'invalid_recovery_code';
export type RecoveryCodeSummary = { remaining: number; issuedAt: Date | null; fewLeft: boolean };

/** The key for hashing recovery codes, derived from the blind-index secret for this use only. */
export const deriveRecoveryCodeKey = (blindIndexSecret: Buffer) =>
  Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'recovery-codes', 32));

/** Ten fresh codes as the citizen reads them ("7k2m-q9xa"). */
export function generateCodes(count = CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let symbols = '';
    for (let i = 0; i < SYMBOLS; i += 1) symbols += ALPHABET[randomInt(ALPHABET.length)];
    codes.add(`${symbols.slice(0, 4)}-${symbols.slice(4)}`);
  }
  return [...codes];
}

/** The canonical symbols of a typed code, or undefined when it cannot be one. */
export function normalizeCode(typed: unknown): string | undefined {
  if (typeof typed !== 'string' || typed.length > 40) return undefined;
  const symbols = typed.toLowerCase().replace(/[\s-]/g, '').replace(/[oil]/g, (c) => LOOK_ALIKES[c]!);
  return symbols.length === SYMBOLS && [...symbols].every((c) => ALPHABET.includes(c)) ? symbols : undefined;
}

type Dependencies = {
  queries: RecoveryCodeQueries;
  /** A new set or a use, its audit entry and its notices: one transaction. */
  events: AccountEvents;
  key: Buffer;
  notices: Pick<AccountNotices, 'recoveryCodeUsed'>;
  hasher: Pick<PasswordHasher, 'verify'>;
  counters: CounterStore;
  rateLimit: { loginAttemptsPerWindow: number; windowSeconds: number };
};

export function createRecoveryCodes(deps: Dependencies) {
  const hashOf = (citizenId: string, symbols: string) => createHmac('sha256', deps.key).update(`${citizenId}|${symbols}`).digest('hex');

  async function summary(citizenId: string): Promise<RecoveryCodeSummary> {
    const { remaining, issuedAt } = await deps.queries.summary(citizenId);
    return { remaining, issuedAt, fewLeft: issuedAt !== null && remaining <= FEW_LEFT };
  }

  /**
   * A new set: the old codes stop working. Returns the codes, to be shown this once. `told`:
   * whether the citizen gets the "new recovery codes" notice (not with a new factor, whose own
   * notice says what happened).
   */
  async function issue(citizenId: string, told: boolean): Promise<string[]> {
    const codes = generateCodes();
    await deps.events.run(async ({ trx, record }) => {
      await deps.queries.replaceCodes(citizenId, codes.map((code) => hashOf(citizenId, normalizeCode(code)!)), trx);
      await record({ type: 'account.recovery_codes_issued', citizenId, actor: 'citizen', details: { count: codes.length } }, told ? undefined : null);
    });
    return codes;
  }

  return {
    summary,

    /**
     * A second factor or a first passkey was just set up. Codes the citizen already holds for
     * another factor still stand; otherwise a new set is made (older unused ones, from a factor
     * since removed, stop working). Undefined when nothing new is to be shown.
     */
    async issueForNewFactor(citizenId: string, hasOtherFactor: boolean): Promise<string[] | undefined> {
      if (hasOtherFactor && (await summary(citizenId)).remaining > 0) return undefined;
      return issue(citizenId, false);
    },

    /** Regenerating from the dashboard needs the password again (a left-open session is not enough). */
    async regenerate(citizen: CitizenRow, password: string): Promise<string[]> {
      const attempts = await deps.counters.increment(`recovery-codes:${citizen.id}`, deps.rateLimit.windowSeconds);
      if (attempts > deps.rateLimit.loginAttemptsPerWindow) throw new FormError({ password: 'throttled' });
      if (!password) throw new FormError({ password: 'missing' });
      if (!(await deps.hasher.verify(citizen.password_hash, password.normalize('NFC')))) throw new FormError({ password: 'incorrect' });
      await deps.counters.reset(`recovery-codes:${citizen.id}`);
      return issue(citizen.id, true);
    },

    /** A code typed at the second step of a sign-in; `device`: a rough description for the notice. */
    async use(citizen: CitizenRow, typed: unknown, context: { device: string; clientId?: string }): Promise<RecoveryCodeUse> {
      const symbols = normalizeCode(typed);
      if (!symbols) return 'invalid_recovery_code';
      const used = await deps.events.run(async ({ trx, record, notify }) => {
        if (!(await deps.queries.consumeCode(trx, citizen.id, hashOf(citizen.id, symbols)))) return false;
        const left = await deps.queries.countUnused(trx, citizen.id);
        await record({ type: 'account.recovery_code_used', citizenId: citizen.id, clientId: context.clientId, actor: 'citizen', details: { count: left, device: context.device } });
        // Once, as the set runs low: time to make new ones.
        if (left === FEW_LEFT) await notify(citizen.id, 'recovery_codes_low');
        await deps.notices.recoveryCodeUsed(citizen.id, context.device, context.clientId, trx);
        return true;
      });
      return used ? 'ok' : 'invalid_recovery_code';
    },

    deleteCodesOf: (citizenId: string) => deps.queries.deleteCodesOf(citizenId),
  };
}

export type RecoveryCodes = ReturnType<typeof createRecoveryCodes>;
