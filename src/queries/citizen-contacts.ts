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

export function createContactQueries(knex: Knex) {
  return {
    async listContactsOf(citizenId: string): Promise<ContactRow[]> {
      return knex('citizen_contacts').where({ citizen_id: citizenId }).orderBy('channel');
    },
    async findContact(citizenId: string, channel: ChannelName): Promise<ContactRow | undefined> {
      return knex('citizen_contacts').where({ citizen_id: citizenId, channel }).first();
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
    async markConfirmed(citizenId: string, channel: ChannelName): Promise<void> {
      await knex('citizen_contacts').where({ citizen_id: citizenId, channel })
        .update({ confirmed_at: knex.fn.now(), code_hash: null, code_expires_at: null, code_attempts: 0 });
    },
    async deleteContact(citizenId: string, channel: ChannelName): Promise<boolean> {
      return (await knex('citizen_contacts').where({ citizen_id: citizenId, channel }).delete()) > 0;
    },
    async deleteContactsOf(citizenId: string): Promise<void> {
      await knex('citizen_contacts').where({ citizen_id: citizenId }).delete();
    },
  };
}

export type ContactQueries = ReturnType<typeof createContactQueries>;
