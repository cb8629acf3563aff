// Claims that scopes add beyond `sub`. OIDC Core §5.4: the openid scope yields `sub` only;
// verification-result claims come with their own scopes (see docs/claims.md).
import type { CitizenRow } from '../queries/citizens.js';

export type ClaimsForAccount = (citizen: CitizenRow, scope: string) => Promise<Record<string, unknown>>;

/** Which claims each scope releases, as published in discovery (claims_supported). */
export const SCOPE_CLAIMS: Record<string, string[]> = {
  openid: ['sub', 'amr'],
};

export const noExtraClaims: ClaimsForAccount = async () => ({});
