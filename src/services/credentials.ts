// Changing the password from the signed-in account. The current password is asked again (a
// left-open session must not be enough), attempts are rate-limited like sign-in, the new one
// follows the password policy (OWASP ASVS §2.1, password-policy.ts), and every other session of
// the citizen's account pages ends. Any failure changes nothing: the new hash, its audit entry
// and the notice commit together (account-events.ts).
import { checkPassword } from '../identity/password-policy.js';
import { FormError } from '../errors.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { CounterStore } from '../storage/model-store.js';
import type { PasswordHasher } from './password-hasher.js';
import type { AccountSessions } from './account-sessions.js';
import type { IdentityVault } from './identity-vault.js';
import type { AccountEvents } from './account-events.js';

type Dependencies = {
  queries: Pick<CitizenQueries, 'updateCitizenPasswordHash'>;
  hasher: PasswordHasher;
  sessions: Pick<AccountSessions, 'endOthers'>;
  vault: Pick<IdentityVault, 'open'>;
  counters: CounterStore;
  rateLimit: { loginAttemptsPerWindow: number; windowSeconds: number };
  events: AccountEvents;
};

export function createCredentials({ queries, hasher, sessions, vault, counters, rateLimit, events }: Dependencies) {
  return {
    /** `sessionToken`: the session making the change, the only one kept. */
    async changePassword(citizen: CitizenRow, input: { currentPassword: string; newPassword: string }, sessionToken: string): Promise<void> {
      const attempts = await counters.increment(`password-change:${citizen.id}`, rateLimit.windowSeconds);
      if (attempts > rateLimit.loginAttemptsPerWindow) throw new FormError({ current_password: 'throttled' });
      if (!(await hasher.verify(citizen.password_hash, input.currentPassword.normalize('NFC')))) {
        throw new FormError({ current_password: 'incorrect' });
      }
      // ASVS 6.2.11: not the citizen's own cyberspace ID or document number (decrypted, and so
      // audited, only once the password passes every other rule).
      let policy = checkPassword(input.newPassword, [citizen.cyberspace_id]);
      if (policy.ok) {
        const { documentNumber } = await vault.open(citizen.id, citizen, ['documentNumber'], 'password_policy');
        policy = checkPassword(input.newPassword, [documentNumber ?? '']);
      }
      if (!policy.ok) throw new FormError({ password: policy.error });
      await counters.reset(`password-change:${citizen.id}`);
      const hash = await hasher.hash(input.newPassword.normalize('NFC'));
      await sessions.endOthers(citizen.id, sessionToken);
      await events.run(async ({ trx, record }) => {
        await queries.updateCitizenPasswordHash(citizen.id, hash, true, trx);
        await record({ type: 'account.password_changed', citizenId: citizen.id, actor: 'citizen' });
      });
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;
