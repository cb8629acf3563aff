// The ISPs a citizen is connected to: what each knows (its own pairwise cyberspace ID), when
// it was used, which claims (names, never values) it received; revoking one ends its access.
import type Provider from 'oidc-provider';
import type { ConnectionQueries } from '../queries/connections.js';
import type { CitizenRow } from '../queries/citizens.js';
import { pairwiseCyberspaceId } from '../oidc/pairwise.js';
import { pairwiseSectorOf } from './pairwise-sector.js';
import { clientDisplayName } from '../oidc/client-names.js';
import type { Locale } from '../web/i18n.js';
import type { GrantRevocations } from './grant-revocations.js';

export type ConnectionView = {
  clientId: string;
  clientName: string;
  pairwiseId: string;
  claims: string[];
  signIns: number;
  firstSignInAt: Date;
  lastSignInAt: Date;
};

type Dependencies = {
  queries: ConnectionQueries;
  revocations: GrantRevocations;
  provider: () => Provider;
  pairwiseSecret: Buffer;
};

export function createConnectionService({ queries, revocations, provider, pairwiseSecret }: Dependencies) {
  return {
    /** True when this is the citizen's first sign-in at this ISP. */
    recordSignIn: (citizenId: string, clientId: string, claims: string[]): Promise<boolean> => queries.recordSignIn(citizenId, clientId, claims),

    /** The citizen's ISPs, named in `locale` (client-names.ts). */
    async list(citizen: CitizenRow, locale: Locale = 'en'): Promise<ConnectionView[]> {
      const rows = await queries.listConnections(citizen.id);
      const views: ConnectionView[] = [];
      for (const row of rows) {
        const client = await provider().Client.find(row.client_id);
        const sector = client ? pairwiseSectorOf(client.metadata()) : undefined;
        views.push({
          clientId: row.client_id,
          clientName: clientDisplayName(client as unknown as Record<string, unknown> | undefined, locale, row.client_id),
          // The ID that this ISP holds for the citizen — shown so the citizen can recognise it.
          pairwiseId: sector ? pairwiseCyberspaceId(pairwiseSecret, sector, citizen.cyberspace_id) : '',
          claims: row.claims_released,
          signIns: row.sign_in_count,
          firstSignInAt: new Date(row.first_sign_in_at),
          lastSignInAt: new Date(row.last_sign_in_at),
        });
      }
      return views;
    },

    /** Deletes the grant, revokes its tokens, tells the ISP (back-channel logout). */
    async revoke(citizen: CitizenRow, clientId: string): Promise<boolean> {
      const hadGrant = await revocations.revokeClient(citizen.cyberspace_id, clientId);
      const connections = await queries.listConnections(citizen.id);
      const hadConnection = connections.some((row) => row.client_id === clientId);
      await queries.deleteConnection(citizen.id, clientId);
      await queries.deleteApproval(citizen.id, clientId);
      return hadGrant || hadConnection;
    },
  };
}

export type ConnectionService = ReturnType<typeof createConnectionService>;
