// SQL for the clients table (ISPs, i.e. relying parties) and their onboarding decisions.
import type { Knex } from 'knex';

/** ISP onboarding (services/client-onboarding.ts): only `active` signs citizens in. */
export const CLIENT_STATUSES = ['submitted', 'approved', 'active', 'suspended'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];

export type ClientDecisionRow = {
  id: string;
  client_id: string;
  from_status: ClientStatus;
  to_status: ClientStatus;
  reason: string;
  decided_by: string;
  decided_at: Date;
};

export type ClientRow = {
  client_id: string;
  name: string;
  metadata: Record<string, unknown>;
  secret_ciphertext: string | null;
  status: ClientStatus;
  created_at: Date;
  updated_at: Date;
};

export function createClientQueries(knex: Knex) {
  return {
    findClientById(clientId: string): Promise<ClientRow | undefined> {
      return knex('clients').where({ client_id: clientId }).first();
    },
    listClients(): Promise<ClientRow[]> {
      return knex('clients').select('*').orderBy('created_at');
    },
    async upsertClient(row: Pick<ClientRow, 'client_id' | 'name' | 'metadata' | 'secret_ciphertext'>): Promise<void> {
      await knex('clients')
        .insert({ ...row, metadata: JSON.stringify(row.metadata) })
        .onConflict('client_id')
        .merge(['name', 'metadata', 'secret_ciphertext', 'updated_at']);
    },
    /**
     * Moves a client from `from` to `to` and records the decision, both or neither. Returns the
     * decision id, or undefined when the client was not in `from` (a concurrent decision won).
     */
    recordStatusChange(change: { clientId: string; from: ClientStatus; to: ClientStatus; reason: string; decidedBy: string }): Promise<string | undefined> {
      return knex.transaction(async (trx) => {
        const moved = await trx('clients')
          .where({ client_id: change.clientId, status: change.from })
          .update({ status: change.to, updated_at: trx.fn.now() });
        if (moved !== 1) return undefined;
        const [row] = await trx('client_decisions')
          .insert({ client_id: change.clientId, from_status: change.from, to_status: change.to, reason: change.reason, decided_by: change.decidedBy })
          .returning('id');
        return (row as { id: string }).id;
      });
    },
    listClientDecisions(clientId: string): Promise<ClientDecisionRow[]> {
      return knex('client_decisions').where({ client_id: clientId }).orderBy('decided_at').select('*');
    },
    /** KEK rotation: sealed client secrets in client_id order, after `afterId`. */
    listClientSecretCiphertexts(afterId: string | null, limit: number): Promise<Array<{ client_id: string; secret_ciphertext: string }>> {
      const query = knex('clients').whereNotNull('secret_ciphertext').select('client_id', 'secret_ciphertext').orderBy('client_id').limit(limit);
      return afterId ? query.where('client_id', '>', afterId) : query;
    },
    async findClientSecretCiphertext(clientId: string): Promise<string | null | undefined> {
      return (await knex('clients').where({ client_id: clientId }).first('secret_ciphertext'))?.secret_ciphertext;
    },
    /** Compare-and-set on the secret alone: a concurrent metadata or secret change is never overwritten. */
    async replaceClientSecretCiphertext(clientId: string, previous: string, next: string): Promise<boolean> {
      return (await knex('clients').where({ client_id: clientId, secret_ciphertext: previous }).update({ secret_ciphertext: next })) === 1;
    },
    async deleteClient(clientId: string): Promise<void> {
      await knex('clients').where({ client_id: clientId }).delete();
    },
  };
}

export type ClientQueries = ReturnType<typeof createClientQueries>;
