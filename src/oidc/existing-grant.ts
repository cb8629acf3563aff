// Consent is remembered per ISP and scope set, not per browser: when the session has no grant
// for this ISP, the citizen's stored grant for it is used (oidc-provider then asks only for
// scopes it does not cover).
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Payload } from '../storage/model-store.js';

export function createLoadExistingGrant(findGrantsByAccount: (accountId: string) => Promise<Array<{ id: string; payload: Payload }>>) {
  return async (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    const clientId = oidc.client!.clientId;
    const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
    if (grantId) return oidc.provider.Grant.find(grantId);
    const accountId = oidc.session?.accountId;
    if (!accountId) return undefined;
    const stored = (await findGrantsByAccount(accountId)).filter((grant) => grant.payload.clientId === clientId);
    const newest = stored.sort((a, b) => Number(b.payload.iat ?? 0) - Number(a.payload.iat ?? 0))[0];
    return newest ? oidc.provider.Grant.find(newest.id) : undefined;
  };
}
