// SQL for connections (citizen ↔ ISP) and guardian approvals of minors' new connections.
import type { Knex } from 'knex';

export type ConnectionRow = {
  citizen_id: string;
  client_id: string;
  claims_released: string[];
  sign_in_count: number;
  first_sign_in_at: Date;
  last_sign_in_at: Date;
};

export type ApprovalRow = {
  ward_id: string;
  client_id: string;
  scope: string;
  status: 'pending' | 'approved' | 'refused';
  requested_at: Date;
  decided_at: Date | null;
};

export function createConnectionQueries(knex: Knex) {
  return {
    /**
     * One statement, so concurrent sign-ins never lose a count or a claim name.
     * True when this was the first sign-in at this ISP (the connection is new).
     */
    async recordSignIn(citizenId: string, clientId: string, claims: string[]): Promise<boolean> {
      const result = await knex.raw(
        `INSERT INTO connections (citizen_id, client_id, claims_released, sign_in_count)
         VALUES (?, ?, ?::text[], 1)
         ON CONFLICT (citizen_id, client_id) DO UPDATE SET
           sign_in_count = connections.sign_in_count + 1,
           last_sign_in_at = now(),
           claims_released = ARRAY(SELECT DISTINCT unnest(connections.claims_released || EXCLUDED.claims_released) ORDER BY 1)
         RETURNING sign_in_count`,
        [citizenId, clientId, claims],
      );
      return Number((result.rows as Array<{ sign_in_count: unknown }>)[0]?.sign_in_count) === 1;
    },
    listConnections(citizenId: string): Promise<ConnectionRow[]> {
      return knex('connections').where({ citizen_id: citizenId }).orderBy('last_sign_in_at', 'desc');
    },
    async deleteConnection(citizenId: string, clientId: string): Promise<void> {
      await knex('connections').where({ citizen_id: citizenId, client_id: clientId }).delete();
    },
    /** Cancellation: the citizen's connections and guardian approval requests go. */
    /** `db`: the cancellation's transaction (services/account-events.ts). */
    async deleteAllConnections(citizenId: string, db: Knex | Knex.Transaction = knex): Promise<void> {
      await db('connections').where({ citizen_id: citizenId }).delete();
      await db('guardian_approvals').where({ ward_id: citizenId }).delete();
    },
    findApproval(wardId: string, clientId: string): Promise<ApprovalRow | undefined> {
      return knex('guardian_approvals').where({ ward_id: wardId, client_id: clientId }).first();
    },
    async requestApproval(wardId: string, clientId: string, scope: string, db: Knex | Knex.Transaction = knex): Promise<void> {
      await db('guardian_approvals')
        .insert({ ward_id: wardId, client_id: clientId, scope, status: 'pending' })
        .onConflict(['ward_id', 'client_id'])
        .merge({ scope, status: 'pending', requested_at: knex.fn.now(), decided_at: null });
    },
    async decideApproval(wardId: string, clientId: string, status: 'approved' | 'refused'): Promise<boolean> {
      const count = await knex('guardian_approvals')
        .where({ ward_id: wardId, client_id: clientId, status: 'pending' })
        .update({ status, decided_at: knex.fn.now() });
      return count === 1;
    },
    async deleteApproval(wardId: string, clientId: string): Promise<void> {
      await knex('guardian_approvals').where({ ward_id: wardId, client_id: clientId }).delete();
    },
    listPendingApprovals(wardIds: string[]): Promise<ApprovalRow[]> {
      return wardIds.length ? knex('guardian_approvals').whereIn('ward_id', wardIds).where({ status: 'pending' }).orderBy('requested_at') : Promise.resolve([]);
    },
  };
}

export type ConnectionQueries = ReturnType<typeof createConnectionQueries>;
