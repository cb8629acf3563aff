// SQL for the clients table (ISPs, i.e. relying parties).
import type { Knex } from 'knex';

export type ClientRow = {
  client_id: string;
  name: string;
  metadata: Record<string, unknown>;
  secret_ciphertext: string | null;
  disabled_at: Date | null;
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
    async setClientDisabled(clientId: string, disabled: boolean): Promise<boolean> {
      const count = await knex('clients')
        .where({ client_id: clientId })
        .update({ disabled_at: disabled ? knex.fn.now() : null, updated_at: knex.fn.now() });
      return count === 1;
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
