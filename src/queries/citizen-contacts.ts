// SQL for citizen_contacts (schema: migrations/20261202050000_notifications.ts): the sealed email
// address and phone number, their blind indexes, and the pending confirmation code's hash.
import type { Knex } from 'knex';
import type { ChannelName } from '../notifications/port.js';

export type ContactRow = {
  citizen_id: string;
  channel: ChannelName;
  address_sealed: string;
  address_index: string;
  locale: string;
  code_hash: string | null;
  code_expires_at: Date | null;
  code_attempts: number;
  confirmed_at: Date | null;
  created_at: Date;
};

/** The caller's transaction (services/account-events.ts), or the pool. */
type Db = Knex | Knex.Transaction;

export function createContactQueries(knex: Knex) {
  return {
    async listContactsOf(citizenId: string): Promise<ContactRow[]> {
      return knex('citizen_contacts').where({ citizen_id: citizenId }).orderBy('channel');
    },
    async findContact(citizenId: string, channel: ChannelName, db: Db = knex): Promise<ContactRow | undefined> {
      return db('citizen_contacts').where({ citizen_id: citizenId, channel }).first();
    },
    /** A new address for a channel replaces the old one, unconfirmed until its code is given. */
    async upsertContact(row: Omit<ContactRow, 'created_at' | 'code_attempts'>): Promise<void> {
      await knex('citizen_contacts').insert({ ...row, code_attempts: 0 })
        .onConflict(['citizen_id', 'channel']).merge();
    },
    async countCodeAttempt(citizenId: string, channel: ChannelName): Promise<number> {
      const [row] = await knex('citizen_contacts').where({ citizen_id: citizenId, channel })
        .increment('code_attempts', 1).returning('code_attempts');
      return Number((row as { code_attempts: number } | undefined)?.code_attempts ?? 0);
    },
    async markConfirmed(citizenId: string, channel: ChannelName, db: Db = knex): Promise<void> {
      await db('citizen_contacts').where({ citizen_id: citizenId, channel })
        .update({ confirmed_at: db.fn.now(), code_hash: null, code_expires_at: null, code_attempts: 0 });
    },
    async deleteContact(citizenId: string, channel: ChannelName, db: Db = knex): Promise<boolean> {
      return (await db('citizen_contacts').where({ citizen_id: citizenId, channel }).delete()) > 0;
    },
    /** Sealed addresses in (citizen, channel) order after `after` ("citizenId/channel"): for KEK rotation. */
    async listSealed(after: string | null, limit: number): Promise<Array<{ id: string; wrapped: string }>> {
      const [citizenId, channel] = after ? after.split('/') : [];
      const query = knex('citizen_contacts').select('citizen_id', 'channel', 'address_sealed').orderBy([{ column: 'citizen_id' }, { column: 'channel' }]).limit(limit);
      if (citizenId) query.whereRaw('(citizen_id, channel) > (?, ?)', [citizenId, channel ?? '']);
      return (await query).map((row: ContactRow) => ({ id: `${row.citizen_id}/${row.channel}`, wrapped: row.address_sealed }));
    },
    async findSealed(citizenId: string, channel: ChannelName): Promise<string | undefined> {
      return (await knex('citizen_contacts').where({ citizen_id: citizenId, channel }).first('address_sealed'))?.address_sealed;
    },
    /** Compare-and-set of the sealed address (KEK rotation while the service runs). */
    async replaceSealed(citizenId: string, channel: ChannelName, previous: string, next: string): Promise<boolean> {
      return (await knex('citizen_contacts').where({ citizen_id: citizenId, channel, address_sealed: previous }).update({ address_sealed: next })) > 0;
    },
    async deleteContactsOf(citizenId: string): Promise<void> {
      await knex('citizen_contacts').where({ citizen_id: citizenId }).delete();
    },
  };
}

export type ContactQueries = ReturnType<typeof createContactQueries>;
