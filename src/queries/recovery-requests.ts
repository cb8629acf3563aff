// SQL for the recovery_requests table (recoveries waiting out their delay).
import type { Knex } from 'knex';

export type RecoveryRequestRow = {
  id: string;
  citizen_id: string;
  requested_at: Date;
  completes_at: Date;
  status: 'waiting' | 'completed' | 'cancelled';
  closed_at: Date | null;
};

export function createRecoveryRequestQueries(knex: Knex) {
  return {
    findWaitingRecovery(citizenId: string): Promise<RecoveryRequestRow | undefined> {
      return knex('recovery_requests').where({ citizen_id: citizenId, status: 'waiting' }).first();
    },
    /** The one waiting request of the citizen: the existing one if there is one already. */
    async startRecovery(row: Pick<RecoveryRequestRow, 'id' | 'citizen_id' | 'completes_at'>): Promise<RecoveryRequestRow> {
      await knex.raw("INSERT INTO recovery_requests (id, citizen_id, completes_at) VALUES (?, ?, ?) ON CONFLICT (citizen_id) WHERE status = 'waiting' DO NOTHING", [row.id, row.citizen_id, row.completes_at]);
      return (await knex('recovery_requests').where({ citizen_id: row.citizen_id, status: 'waiting' }).first()) as RecoveryRequestRow;
    },
    /** Closes the waiting request; false when there was none (already closed by someone else). */
    async closeRecovery(citizenId: string, status: 'completed' | 'cancelled'): Promise<boolean> {
      const updated = await knex('recovery_requests').where({ citizen_id: citizenId, status: 'waiting' }).update({ status, closed_at: knex.fn.now() });
      return updated === 1;
    },
  };
}

export type RecoveryRequestQueries = ReturnType<typeof createRecoveryRequestQueries>;
