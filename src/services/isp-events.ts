// What happens on our side when oidc-provider hands an ISP something for a citizen:
// - a code issued: the connection is recorded (first sign-in → a notice for the citizen) and the
//   release is audited with the names of the claims actually issued (never values): computed by
//   the same claimsFor the tokens use, so a scope granted without the data for its claims (age
//   without a birth date) records nothing;
// - a token revoked by the ISP (RFC 7009): audited.
// accountId is the citizen's cyberspace ID (oidc-provider's account id); audit entries and
// connection rows use the internal uuid.
import { SCOPE_CLAIMS } from '../oidc/claims.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { ClaimsForAccount } from '../oidc/claims.js';
import type { AuditService } from './audit.js';

type Dependencies = {
  citizens: Pick<CitizenQueries, 'findCitizenByCyberspaceId'>;
  claimsFor: ClaimsForAccount;
  audit: Pick<AuditService, 'record'>;
  /** Records a sign-in at an ISP; true when it was the first. */
  recordSignIn: (citizenId: string, clientId: string, claims: string[]) => Promise<boolean>;
  notifyNewConnection: (citizenId: string, clientId: string) => Promise<void>;
};

export function createIspEvents({ citizens, claimsFor, audit, recordSignIn, notifyNewConnection }: Dependencies) {
  return {
    /** `citizen`: the row oidc-provider's findAccount read for this same request. */
    async onAuthorizationSuccess({ citizen, clientId, scope }: { citizen: CitizenRow; clientId: string; scope: string }): Promise<void> {
      const scopes = scope.split(' ').filter(Boolean);
      const issued = Object.keys(await claimsFor(citizen, scope));
      const protocol = scopes.includes('openid') ? SCOPE_CLAIMS.openid ?? [] : [];
      const claims = [...new Set([...protocol, ...issued])].sort();
      // The connection and the audit entry do not depend on each other: written at once, both
      // awaited, so the redirect to the ISP waits for the slower one, not for their sum.
      await Promise.all([
        recordSignIn(citizen.id, clientId, claims).then((first) => (first ? notifyNewConnection(citizen.id, clientId) : undefined)),
        audit.record({ type: 'claims.released', citizenId: citizen.id, clientId, actor: 'system', details: { claims, scopes } }),
      ]);
    },

    async onTokenRevoked({ accountId, clientId, tokenType }: { accountId: string; clientId: string; tokenType: string }): Promise<void> {
      const citizen = await citizens.findCitizenByCyberspaceId(accountId);
      if (citizen) await audit.record({ type: 'token.revoked', citizenId: citizen.id, clientId, actor: 'isp', details: { token_type: tokenType } });
    },
  };
}
