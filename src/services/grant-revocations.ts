// Ending an ISP's access: the grant goes, with every token issued under it, and ISPs that
// registered a back-channel logout URI are told (OIDC Back-Channel Logout 1.0), with a logout
// token naming the pairwise sub that ISP knows.
import type Provider from 'oidc-provider';
import type { Logger } from '../logger.js';
import type { Payload } from '../storage/model-store.js';

// oidc-provider's Client has this method; its published types omit it.
type BackchannelClient = { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> };

type Dependencies = {
  findGrantsByAccount: (accountId: string) => Promise<Array<{ id: string; payload: Payload }>>;
  findGrantIdsByClient: (clientId: string) => Promise<string[]>;
  revokeGrant: (grantId: string) => Promise<void>;
  provider: () => Provider;
  logger: Logger;
};

export function createGrantRevocations({ findGrantsByAccount, findGrantIdsByClient, revokeGrant, provider, logger }: Dependencies) {
  async function notify(accountId: string, clientId: string): Promise<void> {
    const client = (await provider().Client.find(clientId)) as unknown as BackchannelClient | undefined;
    if (!client?.backchannelLogoutUri) return;
    try {
      await client.backchannelLogout(accountId, '');
    } catch (error) {
      // The revocation stands either way. Deliveries are queued and retried (logout-deliveries.ts);
      // this is the queue itself failing.
      logger.warn({ clientId, err: { message: (error as Error).message } }, 'back-channel logout could not be queued');
    }
  }

  async function revoke(accountId: string, grants: Array<{ id: string; payload: Payload }>): Promise<string[]> {
    const clientIds = [...new Set(grants.map((grant) => String(grant.payload.clientId)))];
    await Promise.all(grants.map((grant) => revokeGrant(grant.id)));
    await Promise.all(clientIds.map((clientId) => notify(accountId, clientId)));
    return clientIds;
  }

  return {
    /** Every ISP's access for one citizen (cancellation). Returns the client ids affected. */
    async revokeAll(accountId: string): Promise<string[]> {
      return revoke(accountId, await findGrantsByAccount(accountId));
    },
    /**
     * Every citizen's access at one ISP (the operator disables it): its tokens die for good, so
     * re-enabling the ISP later does not bring back tokens that may have been stolen.
     */
    async revokeEveryGrantOfClient(clientId: string): Promise<number> {
      const grantIds = await findGrantIdsByClient(clientId);
      await Promise.all(grantIds.map((grantId) => revokeGrant(grantId)));
      return grantIds.length;
    },

    /** One ISP's access (the citizen or their guardian revokes a connection). */
    async revokeClient(accountId: string, clientId: string): Promise<boolean> {
      const grants = (await findGrantsByAccount(accountId)).filter((grant) => grant.payload.clientId === clientId);
      await revoke(accountId, grants);
      return grants.length > 0;
    },
  };
}

export type GrantRevocations = ReturnType<typeof createGrantRevocations>;
