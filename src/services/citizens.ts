// Citizens' accounts: looking them up, and (outside production) test citizens. Signing in is
// the sign-in module's (src/sign-in/).
import { randomBytes, randomUUID } from 'node:crypto';
import { generateCyberspaceId } from '../ids/cyberspace-id.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { PasswordHasher } from './password-hasher.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import type { IdentityVault } from './identity-vault.js';
import { parseEmbeddedBirthDate } from '../identity/resident-id.js';

type Dependencies = {
  queries: CitizenQueries;
  hasher: PasswordHasher;
  vault: IdentityVault;
  production: boolean;
};

export function createCitizenService({ queries, hasher, vault, production }: Dependencies) {
  return {
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

    /** Whatever its status (the authentication log records refusals too). */
    findByCyberspaceId: (cyberspaceId: string) => queries.findCitizenByCyberspaceId(cyberspaceId),

    findActiveCitizen: async (cyberspaceId: string) => {
      const citizen = await queries.findCitizenByCyberspaceId(cyberspaceId);
      return citizen?.status === 'active' ? citizen : undefined;
    },
  };
}

export type CitizenService = ReturnType<typeof createCitizenService>;
