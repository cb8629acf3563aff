// A code from the citizen's authenticator app, a second factor (amr "otp", RFC 8176 §2). The
// checking itself (±1 step, each step once, attempts limited) is services/two-factor.ts.
import type { TwoFactor } from '../../services/two-factor.js';
import type { SecondFactor } from '../method.js';

export function createTotpMethod(twoFactor: Pick<TwoFactor, 'isEnabled' | 'verifyCode'>): SecondFactor {
  return {
    id: 'totp',
    role: 'second',
    availableFor: (citizen) => twoFactor.isEnabled(citizen),
    async verify(citizen, input) {
      const code = typeof input.code === 'string' ? input.code.slice(0, 20) : '';
      const check = await twoFactor.verifyCode(citizen, code);
      return check === 'ok' ? { ok: true, amr: ['otp'] } : { ok: false, reason: check, citizenId: citizen.id };
    },
  };
}
