// Signs in through the sign-in sequence directly (no browser), as the account pages would:
// for tests that only need to know whether a password works.
import type { SignIn, Step } from '../../src/sign-in/sequence.js';
import { newAttemptKey } from '../../src/sign-in/sequence.js';

export const passwordSignIn = (signIn: SignIn, cyberspaceId: string, password: string, address = '192.0.2.1'): Promise<Step> =>
  signIn.begin(
    { channel: 'account', key: newAttemptKey(), address, device: { description: 'other/other' }, allow: ['active'] },
    'password',
    { cyberspace_id: cyberspaceId, password },
  );
