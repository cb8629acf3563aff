// A recovery code, a second factor that stands in for the citizen's authenticator app or passkey
// (amr "otp": a one-time password, RFC 8176 §2; NIST SP 800-63B calls it a look-up secret). It
// is only ever asked after the password (the sequence holds that step), so it never replaces the
// password, and it earns what the authenticator code earns: acr password+totp, substantial
// (acr.ts). Offered only while the citizen has a factor it stands in for and codes left.
import type { CitizenRow } from '../../queries/citizens.js';
import type { SecondFactor } from '../method.js';
import type { RecoveryCodes } from '../recovery-codes.js';

type Dependencies = {
  codes: Pick<RecoveryCodes, 'summary' | 'use'>;
  /** Whether the citizen has a second factor or a passkey (what the codes stand in for). */
  hasFactor: (citizen: CitizenRow) => Promise<boolean>;
};

export function createRecoveryCodeMethod({ codes, hasFactor }: Dependencies): SecondFactor {
  return {
    id: 'recovery_code',
    role: 'second',
    standsIn: true,
    availableFor: async (citizen) => (await hasFactor(citizen)) && (await codes.summary(citizen.id)).remaining > 0,
    async verify(citizen, input, context) {
      const result = await codes.use(citizen, input.recovery_code, context);
      return result === 'ok' ? { ok: true, amr: ['otp'] } : { ok: false, reason: result, citizenId: citizen.id };
    },
  };
}
