// The sign-in area, wired: the methods (password, authenticator code) and the sequence that
// runs them, with its limits. The composition root calls this once; a new method (the passkey)
// is one more entry in `methods`.
import type { CitizenQueries } from '../queries/citizens.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { TwoFactor } from '../services/two-factor.js';
import type { CounterStore, ModelStore } from '../storage/model-store.js';
import { createSignInLimits, deriveLimitKey, type SignInLimitOptions } from './limits.js';
import type { SignInMethod } from './method.js';
import { createPasswordMethod } from './methods/password.js';
import { createTotpMethod } from './methods/totp.js';
import { createSignIn } from './sequence.js';
import { createFailureNotice } from './failure-notice.js';
import type { AccountNotices } from '../services/account-notices.js';

type Dependencies = Omit<Parameters<typeof createSignIn>[0], 'methods' | 'limits' | 'store' | 'findCitizen' | 'onFailure'> & {
  notices: Pick<AccountNotices, 'failedSignIn'>;
  queries: CitizenQueries;
  hasher: PasswordHasher;
  twoFactor: TwoFactor;
  store: ModelStore & CounterStore;
  blindIndexSecret: Buffer;
  limits: SignInLimitOptions;
  /** Methods beyond the built-in ones (the passkey). */
  extraMethods?: SignInMethod[];
};

export function createSignInArea(deps: Dependencies) {
  const methods: SignInMethod[] = [
    createPasswordMethod({ queries: deps.queries, hasher: deps.hasher }),
    createTotpMethod(deps.twoFactor),
    ...(deps.extraMethods ?? []),
  ];
  return createSignIn({
    ...deps,
    methods,
    store: deps.store,
    findCitizen: (id) => deps.queries.findCitizenById(id),
    onFailure: createFailureNotice({ store: deps.store, notices: deps.notices }),
    limits: createSignInLimits({ store: deps.store, key: deriveLimitKey(deps.blindIndexSecret), options: deps.limits }),
  });
}

export { ACR_PASSWORD, ACR_PASSWORD_TOTP, ACR_PASSKEY, ACR_VALUES } from './acr.js';
export type { Attempt, SignIn, Step } from './sequence.js';
export type { FirstFactor, SecondFactor, SignInMethod, MethodId } from './method.js';
