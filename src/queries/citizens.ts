// SQL for the citizens table.
import type { Knex } from 'knex';

export type CitizenStatus = 'active' | 'pending_guardian' | 'suspended' | 'cancelled';

export type CitizenRow = {
  id: string;
  cyberspace_id: string;
  password_hash: string;
  status: CitizenStatus;
  assurance_level: string;
  password_changed_at: Date;
  created_at: Date;
  updated_at: Date;
};

export function createCitizenQueries(knex: Knex) {
  return {
    findCitizenByCyberspaceId(cyberspaceId: string): Promise<CitizenRow | undefined> {
      return knex('citizens').where({ cyberspace_id: cyberspaceId }).first();
    },
    findCitizenById(id: string): Promise<CitizenRow | undefined> {
      return knex('citizens').where({ id }).first();
    },
    async insertCitizen(row: Pick<CitizenRow, 'cyberspace_id' | 'password_hash' | 'status' | 'assurance_level'>, trx: Knex = knex): Promise<CitizenRow> {
      const [inserted] = await trx('citizens').insert(row).returning('*');
      return inserted as CitizenRow;
    },
    async updateCitizenPasswordHash(id: string, passwordHash: string): Promise<void> {
      await knex('citizens').where({ id }).update({ password_hash: passwordHash, updated_at: knex.fn.now() });
    },
    countCitizens(): Promise<number> {
      return knex('citizens').count<{ count: string }[]>('* as count').then(([row]) => Number(row?.count ?? 0));
    },
  };
}

export type CitizenQueries = ReturnType<typeof createCitizenQueries>;
