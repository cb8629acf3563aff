// findAccount: oidc-provider's view of a citizen. accountId is the citizen's cyberspace ID;
// oidc-provider swaps `sub` for the pairwise value before anything leaves the server.
// A citizen exists here only while active: a suspended, pending or cancelled account cannot
// obtain tokens, refresh them or call userinfo. A browser session that began before the last
// password change (recovery) no longer counts: recovery ends every session.
import type { FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { ClaimsForAccount } from './claims.js';
import type { CitizenOfRequest } from './request-citizen.js';

function sessionLoginTs(ctx: KoaContextWithOIDC | undefined): number | undefined {
  const session = (ctx?.oidc?.entities as { Session?: { loginTs?: number } } | undefined)?.Session;
  return session?.loginTs;
}

export function createFindAccount(citizenOf: CitizenOfRequest, claimsFor: ClaimsForAccount): FindAccount {
  return async (ctx, accountId) => {
    const citizen = await citizenOf(ctx, accountId);
    if (citizen?.status !== 'active') return undefined;
    const loginTs = sessionLoginTs(ctx);
    // loginTs has whole seconds: a session from the same second as a password change is ended
    // too (erring on the safe side; a genuine sign-in within that second just signs in again).
    // A password set at creation ends nothing.
    const changedAt = new Date(citizen.password_changed_at).getTime();
    const changed = changedAt > new Date(citizen.created_at).getTime();
    if (changed && loginTs !== undefined && loginTs <= Math.floor(changedAt / 1000)) return undefined;
    return {
      accountId,
      // Read by the interaction policy against the ISP's minimum (account-checks.ts).
      identityAssurance: citizen.identity_assurance,
      // Read by the acr check (acr-check.ts): whether a voluntary step-up is possible at all.
      hasSecondFactor: citizen.totp_enabled_at !== null && citizen.totp_secret_ciphertext !== null,
      claims: async (_use, scope) => ({ sub: accountId, ...(await claimsFor(citizen, scope)) }),
    };
  };
}
