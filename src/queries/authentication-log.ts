// SQL for the authentication log and its per-citizen keys (migration 20261203020100).
import type { Knex } from 'knex';

export const AUTHENTICATION_EVENTS = ['sign_in', 'authorization', 'code_exchange', 'refresh'] as const;
export type AuthenticationEvent = (typeof AUTHENTICATION_EVENTS)[number];

export type AuthenticationLogRow = {
  id: string;
  citizen_id: string;
  occurred_at: Date;
  client_id: string | null;
  event: AuthenticationEvent;
  outcome: 'succeeded' | 'failed';
  reason_code: string | null;
  acr: string | null;
  address_ciphertext: string | null;
  user_agent_ciphertext: string | null;
};

export function createAuthenticationLogQueries(knex: Knex) {
  return {
    /** The citizen's wrapped log key, created with `wrapped` if they have none yet. */
    async findOrInsertKey(citizenId: string, wrapped: () => string): Promise<string> {
      const found = await knex('authentication_log_keys').where({ citizen_id: citizenId }).first('data_key');
      if (found) return found.data_key as string;
      await knex('authentication_log_keys').insert({ citizen_id: citizenId, data_key: wrapped() }).onConflict('citizen_id').ignore();
      // Two first entries at once: whichever key was stored first is the one.
      return (await knex('authentication_log_keys').where({ citizen_id: citizenId }).first('data_key')).data_key as string;
    },
    async findKey(citizenId: string): Promise<string | undefined> {
      return (await knex('authentication_log_keys').where({ citizen_id: citizenId }).first('data_key'))?.data_key;
    },
    async insertEntry(row: Omit<AuthenticationLogRow, 'occurred_at'> & { occurred_at?: Date }): Promise<void> {
      await knex('authentication_log').insert(row);
    },
    /**
     * Inserts the entry only while the citizen's stored key is still `wrapped` (the one its
     * fields were sealed under), in one statement; false when it is not (re-wrapped by a KEK
     * rotation, or pruned), and nothing is written.
     */
    async insertEntryUnderKey(row: Omit<AuthenticationLogRow, 'occurred_at'>, wrapped: string): Promise<boolean> {
      const columns = ['id', 'citizen_id', 'client_id', 'event', 'outcome', 'reason_code', 'acr', 'address_ciphertext', 'user_agent_ciphertext'] as const;
      const result = await knex.raw(
        `insert into authentication_log (${columns.join(', ')}) select ${columns.map(() => '?').join(', ')}
         where exists (select 1 from authentication_log_keys where citizen_id = ? and data_key = ?)`,
        [...columns.map((column) => row[column]), row.citizen_id, wrapped],
      );
      return (result as { rowCount?: number }).rowCount === 1;
    },
    /** One citizen's entries, newest first, `limit` at a time after `before` (keyset). */
    listEntries(citizenId: string, limit: number, before?: { occurred_at: Date; id: string }): Promise<AuthenticationLogRow[]> {
      const query = knex('authentication_log').where({ citizen_id: citizenId }).orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
      if (before) query.whereRaw('(occurred_at, id) < (?, ?)', [before.occurred_at, before.id]);
      return query.select('*');
    },
    /** Deletes entries older than `cutoff`, then the keys no entry needs any more. */
    async deleteOlderThan(cutoff: Date): Promise<{ entries: number; keys: number }> {
      const entries = await knex('authentication_log').where('occurred_at', '<', cutoff).delete();
      // Only keys older than the cutoff: a key just created for an entry being written stays.
      const keys = await knex('authentication_log_keys')
        .where('created_at', '<', cutoff)
        .whereNotExists(knex('authentication_log').select(knex.raw('1')).whereRaw('authentication_log.citizen_id = authentication_log_keys.citizen_id'))
        .delete();
      return { entries, keys };
    },
    /** KEK rotation: wrapped keys in citizen order, after `afterId`. */
    listKeys(afterId: string | null, limit: number): Promise<Array<{ citizen_id: string; data_key: string }>> {
      const query = knex('authentication_log_keys').orderBy('citizen_id').limit(limit).select('citizen_id', 'data_key');
      return afterId ? query.where('citizen_id', '>', afterId) : query;
    },
    async replaceKey(citizenId: string, previous: string, next: string): Promise<boolean> {
      return (await knex('authentication_log_keys').where({ citizen_id: citizenId, data_key: previous }).update({ data_key: next })) === 1;
    },
  };
}

export type AuthenticationLogQueries = ReturnType<typeof createAuthenticationLogQueries>;
