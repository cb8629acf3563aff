// SQL for the notification outbox (schema: migrations/20261202050000_notifications.ts). Every
// insert takes the caller's transaction, so the notice commits (or not) with its event.
import type { Knex } from 'knex';
import type { NotificationKind, NotificationParams } from '../notifications/kinds.js';

export type OutboxRow = {
  id: string;
  idempotency_key: string;
  citizen_id: string;
  kind: NotificationKind;
  params: NotificationParams;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  delivered_channels: string[];
  last_error: string | null;
  /** A removed address this notice also goes to, sealed; erased once the notice is done with. */
  removed_address_sealed: string | null;
  created_at: Date;
  finished_at: Date | null;
};

const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

// pg returns bigint as a string and jsonb parsed; PGlite may differ in both.
const toRow = (raw: Record<string, unknown>): OutboxRow => ({
  ...(raw as OutboxRow),
  id: String(raw.id),
  params: json<NotificationParams>(raw.params),
  delivered_channels: json<string[]>(raw.delivered_channels),
  attempts: Number(raw.attempts),
  next_attempt_at: new Date(raw.next_attempt_at as Date | string),
  created_at: new Date(raw.created_at as Date | string),
});

export function createOutboxQueries(knex: Knex) {
  return {
    /** Written inside the event's transaction; a repeated key is ignored (the notice exists). */
    async insertEntry(trx: Knex | Knex.Transaction, entry: { idempotency_key: string; citizen_id: string; kind: NotificationKind; params: NotificationParams; removed_address_sealed?: string }): Promise<void> {
      await trx('notification_outbox')
        .insert({ ...entry, params: JSON.stringify(entry.params) })
        .onConflict('idempotency_key').ignore();
    },

    /**
     * Claims up to `limit` due entries for `leaseSeconds`: each claim counts as an attempt and
     * pushes the entry's next attempt past the lease, so a worker that dies mid-delivery leaves
     * it to be claimed again once the lease has run out. SKIP LOCKED lets workers run side by side.
     */
    async claimDue(limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
      const result = await knex.raw(
        `UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = now() + (? * interval '1 second')
         WHERE id IN (SELECT id FROM notification_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [leaseSeconds, limit],
      );
      return (result.rows as Array<Record<string, unknown>>).map(toRow).sort((a, b) => Number(a.id) - Number(b.id));
    },

    /** One channel delivered: recorded at once, so a later retry of the entry skips it. */
    async markChannelDelivered(id: string, channel: string): Promise<void> {
      await knex('notification_outbox').where({ id })
        .update({ delivered_channels: knex.raw(`delivered_channels || ?::jsonb`, [JSON.stringify([channel])]) });
    },

    async markSent(id: string): Promise<void> {
      await knex('notification_outbox').where({ id }).update({ status: 'sent', finished_at: knex.fn.now(), last_error: null, removed_address_sealed: null });
    },

    /** A failed attempt: tried again after `retryInSeconds`, or given up on (`failed`). */
    async markAttemptFailed(id: string, error: string, retryInSeconds: number | undefined): Promise<void> {
      await knex('notification_outbox').where({ id }).update(retryInSeconds === undefined
        ? { status: 'failed', finished_at: knex.fn.now(), last_error: error, removed_address_sealed: null }
        : { next_attempt_at: knex.raw(`now() + (? * interval '1 second')`, [retryInSeconds]), last_error: error });
    },

    async listEntriesOf(citizenId: string): Promise<OutboxRow[]> {
      const rows = await knex('notification_outbox').where({ citizen_id: citizenId }).orderBy('id');
      return (rows as Array<Record<string, unknown>>).map(toRow);
    },

    async deleteEntriesOf(citizenId: string): Promise<void> {
      await knex('notification_outbox').where({ citizen_id: citizenId }).delete();
    },
  };
}

export type OutboxQueries = ReturnType<typeof createOutboxQueries>;
