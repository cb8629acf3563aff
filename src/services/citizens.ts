// Citizens' accounts: sign-in and (outside production) test citizens.
// Sign-in never reveals whether an account exists: unknown IDs cost the same argon2 time
// and get the same answer as a wrong password.
import { randomBytes, randomUUID } from 'node:crypto';
import { generateCyberspaceId, parseCyberspaceId } from '../ids/cyberspace-id.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { CounterStore } from '../storage/model-store.js';
import type { PasswordHasher } from './password-hasher.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import type { IdentityVault } from './identity-vault.js';
import { parseEmbeddedBirthDate } from '../identity/resident-id.js';

export type SignInFailure = 'malformed_id' | 'invalid_credentials' | 'throttled' | 'suspended' | 'cancelled' | 'pending_guardian';

/** `citizenId` on a failure names the account attacked (for its audit log), never shown to anyone. */
export type SignInResult =
  | { ok: true; citizen: CitizenRow }
  | { ok: false; reason: SignInFailure; citizenId?: string };

type Dependencies = {
  queries: CitizenQueries;
  hasher: PasswordHasher;
  vault: IdentityVault;
  counters: CounterStore;
  production: boolean;
  rateLimit: { loginAttemptsPerWindow: number; windowSeconds: number };
  /** Counts each sign-in's outcome (metrics); never told who. */
  observeSignIn?: (outcome: string) => void;
};

export function createCitizenService({ queries, hasher, vault, counters, production, rateLimit, observeSignIn }: Dependencies) {
  async function attemptSignIn(idInput: string, password: string, allow: ReadonlyArray<CitizenRow['status']>): Promise<SignInResult> {
    const parsed = parseCyberspaceId(idInput);
    // A mistyped ID is caught by its check symbol before any lookup (and any rate count).
    if (!parsed.ok) return { ok: false, reason: 'malformed_id' };
    const attempts = await counters.increment(`login:${parsed.id}`, rateLimit.windowSeconds);
    const citizen = await queries.findCitizenByCyberspaceId(parsed.id);
    if (attempts > rateLimit.loginAttemptsPerWindow) return { ok: false, reason: 'throttled', citizenId: citizen?.id };
    const valid = citizen
      ? await hasher.verify(citizen.password_hash, password.normalize('NFC'))
      : await hasher.verifyNothing(password);
    if (!citizen || !valid) return { ok: false, reason: 'invalid_credentials', citizenId: citizen?.id };
    await counters.reset(`login:${parsed.id}`);
    // Only someone holding the password learns the account's state.
    if (!allow.includes(citizen.status)) return { ok: false, reason: citizen.status as Exclude<CitizenRow['status'], 'active'>, citizenId: citizen.id };
    if (hasher.needsRehash(citizen.password_hash)) {
      await queries.updateCitizenPasswordHash(citizen.id, await hasher.hash(password.normalize('NFC')));
    }
    return { ok: true, citizen };
  }

  return {
    /** `allow`: account states that may sign in here (the dashboard admits suspended citizens). */
    async signIn(idInput: string, password: string, allow: ReadonlyArray<CitizenRow['status']> = ['active']): Promise<SignInResult> {
      const result = await attemptSignIn(idInput, password, allow);
      observeSignIn?.(result.ok ? 'succeeded' : result.reason);
      return result;
    },

    /** Sandbox/development only: a verified citizen with a random password (and a birth date, for age claims). */
    async createTestCitizen(options: { birthDate?: string } = {}): Promise<{ cyberspace_id: string; password: string; citizen: CitizenRow }> {
      if (production) throw new ForbiddenError('test citizens cannot be created in production');
      const { birthDate } = options;
      if (birthDate !== undefined && parseEmbeddedBirthDate(birthDate.replaceAll('-', '')) !== birthDate) {
        throw new ValidationError(['--birth-date must be a real past date, YYYY-MM-DD']);
      }
      const password = randomBytes(12).toString('base64url');
      const id = randomUUID();
      const citizen = await queries.insertCitizen({
        id,
        cyberspace_id: generateCyberspaceId(),
        password_hash: await hasher.hash(password),
        status: 'active',
        assurance_level: 'test',
        ...(birthDate ? vault.seal(id, { birthDate }) : {}),
      });
      return { cyberspace_id: citizen.cyberspace_id, password, citizen };
    },

    findCitizen: (id: string) => queries.findCitizenById(id),

    findActiveCitizen: async (cyberspaceId: string) => {
      const citizen = await queries.findCitizenByCyberspaceId(cyberspaceId);
      return citizen?.status === 'active' ? citizen : undefined;
    },
  };
}

export type CitizenService = ReturnType<typeof createCitizenService>;
