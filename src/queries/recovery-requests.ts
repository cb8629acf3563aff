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

/** The caller's transaction (services/account-events.ts), or the pool. */
type Db = Knex | Knex.Transaction;

export function createRecoveryRequestQueries(knex: Knex) {
  return {
    findWaitingRecovery(citizenId: string): Promise<RecoveryRequestRow | undefined> {
      return knex('recovery_requests').where({ citizen_id: citizenId, status: 'waiting' }).first();
    },
    /** The one waiting request of the citizen: the existing one if there is one already. */
    async startRecovery(row: Pick<RecoveryRequestRow, 'id' | 'citizen_id' | 'completes_at'>, db: Db = knex): Promise<RecoveryRequestRow> {
      await db.raw("INSERT INTO recovery_requests (id, citizen_id, completes_at) VALUES (?, ?, ?) ON CONFLICT (citizen_id) WHERE status = 'waiting' DO NOTHING", [row.id, row.citizen_id, row.completes_at]);
      return (await db('recovery_requests').where({ citizen_id: row.citizen_id, status: 'waiting' }).first()) as RecoveryRequestRow;
    },
    /** Closes the waiting request; false when there was none (already closed by someone else). */
    async closeRecovery(citizenId: string, status: 'completed' | 'cancelled', db: Db = knex): Promise<boolean> {
      const updated = await db('recovery_requests').where({ citizen_id: citizenId, status: 'waiting' }).update({ status, closed_at: db.fn.now() });
      return updated === 1;
    },
  };
}

export type RecoveryRequestQueries = ReturnType<typeof createRecoveryRequestQueries>;
