// SQL for the back-channel logout outbox (schema: migrations/20261203060000_logout_outbox.ts).
import type { Knex } from 'knex';

export type LogoutDeliveryStatus = 'pending' | 'failed';
export type LogoutDeliveryRow = {
  id: string;
  client_id: string;
  account_id: string;
  sid: string | null;
  status: LogoutDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
};

// pg returns bigint as a string; PGlite may return a number.
const toRow = (raw: Record<string, unknown>): LogoutDeliveryRow => ({
  ...(raw as LogoutDeliveryRow),
  id: String(raw.id),
  attempts: Number(raw.attempts),
  next_attempt_at: new Date(raw.next_attempt_at as Date | string),
  created_at: new Date(raw.created_at as Date | string),
  finished_at: raw.finished_at ? new Date(raw.finished_at as Date | string) : null,
});

export function createLogoutOutboxQueries(knex: Knex) {
  return {
    /** A new delivery, already claimed for its first attempt (made at once by the caller). */
    async insertClaimed(entry: { client_id: string; account_id: string; sid: string | null }, leaseSeconds: number): Promise<LogoutDeliveryRow> {
      const [row] = await knex('logout_outbox')
        .insert({ ...entry, attempts: 1, next_attempt_at: knex.raw(`now() + (? * interval '1 second')`, [leaseSeconds]) })
        .returning('*');
      return toRow(row as Record<string, unknown>);
    },

    /** Claims due deliveries for `leaseSeconds`, each claim an attempt (as notification-outbox.ts). */
    async claimDue(limit: number, leaseSeconds: number): Promise<LogoutDeliveryRow[]> {
      const result = await knex.raw(
        `UPDATE logout_outbox SET attempts = attempts + 1, next_attempt_at = now() + (? * interval '1 second')
         WHERE id IN (SELECT id FROM logout_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [leaseSeconds, limit],
      );
      return (result.rows as Array<Record<string, unknown>>).map(toRow).sort((a, b) => Number(a.id) - Number(b.id));
    },

    /** Delivered: nothing is owed any more, so nothing is kept. */
    async deleteDelivered(id: string): Promise<void> {
      await knex('logout_outbox').where({ id }).delete();
    },

    async markAttemptFailed(id: string, error: string, retryInSeconds: number | undefined): Promise<void> {
      await knex('logout_outbox').where({ id }).update(retryInSeconds === undefined
        ? { status: 'failed', finished_at: knex.fn.now(), last_error: error }
        : { next_attempt_at: knex.raw(`now() + (? * interval '1 second')`, [retryInSeconds]), last_error: error });
    },

    /** Retention: failed deliveries given up before `before` (the number deleted). */
    async deleteFailedBefore(before: Date): Promise<number> {
      return knex('logout_outbox').where({ status: 'failed' }).andWhere('finished_at', '<', before).delete();
    },

    /** For the operator: what is still owed or was given up, oldest first. */
    async listUndelivered(filter: { status?: LogoutDeliveryStatus; clientId?: string } = {}, limit = 500): Promise<LogoutDeliveryRow[]> {
      const query = knex('logout_outbox').orderBy('id').limit(limit);
      if (filter.status) query.where({ status: filter.status });
      if (filter.clientId) query.where({ client_id: filter.clientId });
      return ((await query) as Array<Record<string, unknown>>).map(toRow);
    },
  };
}

export type LogoutOutboxQueries = ReturnType<typeof createLogoutOutboxQueries>;
