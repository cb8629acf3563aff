// A passkey, a first factor that is itself multi-factor (amr "hwk"/"swk" + "user", RFC 8176):
// possession of the key and the user verification the authenticator did. The ceremony is
// passkeys.ts; the route passes the browser's response and the binding (the interaction uid, or
// the account page's attempt key) it asked the challenge for. It names no account up front (a
// discoverable credential), so only the per-address limit applies before it and a stranger's
// per-account back-off never stops the owner's passkey.
import type { CitizenQueries } from '../../queries/citizens.js';
import type { FirstFactor } from '../method.js';
import type { Passkeys } from '../passkeys.js';

type Dependencies = { passkeys: Pick<Passkeys, 'authenticate'>; queries: Pick<CitizenQueries, 'findCitizenById'> };

export function createPasskeyMethod({ passkeys, queries }: Dependencies): FirstFactor {
  return {
    id: 'passkey',
    role: 'first',
    claimedAccount: async () => undefined,
    async verify(input, allow) {
      const binding = typeof input.binding === 'string' ? input.binding : '';
      const check = await passkeys.authenticate(binding, input.response);
      if (!check.ok) return check;
      const citizen = await queries.findCitizenById(check.citizenId);
      if (!citizen) return { ok: false, reason: 'invalid_credentials' };
      if (!allow.includes(citizen.status)) return { ok: false, reason: citizen.status, citizenId: citizen.id };
      return { ok: true, citizen, amr: check.amr };
    },
  };
}
