// findAccount: oidc-provider's view of a citizen. accountId is the citizen's cyberspace ID;
// oidc-provider swaps `sub` for the pairwise value before anything leaves the server.
// Only active citizens exist here: a suspended or cancelled account cannot obtain tokens or
// userinfo, and introspection of its tokens reports inactive.
import type { FindAccount } from 'oidc-provider';
import type { CitizenService } from '../services/citizens.js';

export function createFindAccount(citizens: CitizenService): FindAccount {
  return async (_ctx, accountId) => {
    const citizen = await citizens.findActiveCitizen(accountId);
    if (!citizen) return undefined;
    return {
      accountId,
      // OIDC Core §5.4: the openid scope yields `sub` only. Verification-result claims
      // (age_over_*, real_name_verified) come with their scopes.
      claims: async () => ({ sub: accountId }),
    };
  };
}
