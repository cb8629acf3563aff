// SQL for the authentication log and its per-citizen keys (migration 20261203020100; partitioned
// by month since 20261203090000).
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

export type NewEntry = Omit<AuthenticationLogRow, 'occurred_at'>;
const ENTRY_COLUMNS = ['id', 'citizen_id', 'client_id', 'event', 'outcome', 'reason_code', 'acr', 'address_ciphertext', 'user_agent_ciphertext'] as const;
const names = (result: { rows: Array<{ name: unknown }> }) => result.rows.map((row) => String(row.name));

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
    async insertEntry(row: NewEntry & { occurred_at?: Date }): Promise<void> {
      await knex('authentication_log').insert(row);
    },
    /**
     * Inserts each entry only while its citizen's stored key is still `wrapped` (the one its
     * fields were sealed under), in one statement; answers, per entry, whether it was written
     * (not when the key was re-wrapped by a KEK rotation, or pruned).
     */
    async insertEntriesUnderKeys(entries: Array<{ row: NewEntry; wrapped: string }>): Promise<boolean[]> {
      const values = entries.map(() => `(${ENTRY_COLUMNS.map(() => '?').join(', ')}, ?)`).join(', ');
      const cast = (column: string) => (column === 'id' || column === 'citizen_id' ? `v.${column}::uuid` : `v.${column}`);
      const result = await knex.raw(
        `insert into authentication_log (${ENTRY_COLUMNS.join(', ')})
         select ${ENTRY_COLUMNS.map(cast).join(', ')} from (values ${values}) as v(${ENTRY_COLUMNS.join(', ')}, wrapped)
         join authentication_log_keys k on k.citizen_id = v.citizen_id::uuid and k.data_key = v.wrapped
         returning id`,
        entries.flatMap(({ row, wrapped }) => [...ENTRY_COLUMNS.map((column) => row[column]), wrapped]),
      );
      const written = new Set((result as { rows: Array<{ id: string }> }).rows.map((r) => r.id));
      return entries.map(({ row }) => written.has(row.id));
    },
    /** One citizen's entries, newest first, `limit` at a time after `before` (keyset). */
    listEntries(citizenId: string, limit: number, before?: { occurred_at: Date; id: string }): Promise<AuthenticationLogRow[]> {
      const query = knex('authentication_log').where({ citizen_id: citizenId }).orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
      if (before) query.whereRaw('(occurred_at, id) < (?, ?)', [before.occurred_at, before.id]);
      return query.select('*');
    },
    /**
     * Retention (migration 20261203090000): drops the months whose every entry is older than
     * `cutoff`, deletes the older entries the default partition holds (normally none), then the
     * keys no entry needs any more. A month still holding younger entries stays whole.
     */
    async deleteOlderThan(cutoff: Date): Promise<{ partitions: string[]; entries: number; keys: number }> {
      const partitions = names(await knex.raw('SELECT drop_authentication_log_partitions(?::timestamptz) AS name', [cutoff.toISOString()]));
      const entries = await knex('authentication_log_default').where('occurred_at', '<', cutoff).delete();
      // Only keys older than the cutoff: a key just created for an entry being written stays.
      const keys = await knex('authentication_log_keys')
        .where('created_at', '<', cutoff)
        .whereNotExists(knex('authentication_log').select(knex.raw('1')).whereRaw('authentication_log.citizen_id = authentication_log_keys.citizen_id'))
        .delete();
      return { partitions, entries, keys };
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
