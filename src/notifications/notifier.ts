// The one call every service makes to tell a citizen something: `notify(trx, citizenId, kind,
// params)` writes a notice into the durable outbox inside the caller's transaction (pass the
// knex transaction of the event; outside one, pass the knex instance and it commits alone).
// The worker (notifications/outbox-worker.ts) delivers it by email and SMS.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { OutboxQueries } from '../queries/notification-outbox.js';
import { checkParams, isNotificationKind, type NotificationKind, type NotificationParams } from './kinds.js';

export type Notify = (
  trx: Knex | Knex.Transaction,
  citizenId: string,
  kind: NotificationKind,
  params?: NotificationParams,
  options?: NotifyOptions,
) => Promise<void>;

export type NotifyOptions = {
  /** The same key twice writes one notice (an event retried by its caller). */
  idempotencyKey?: string;
  /** A removed address that hears once more, sealed for this notice (contact-sealing.ts sealRemoved). */
  removedAddressSealed?: string;
};

export function createNotifier(queries: Pick<OutboxQueries, 'insertEntry'>): { notify: Notify } {
  return {
    async notify(trx, citizenId, kind, params = {}, options = {}) {
      if (!isNotificationKind(kind)) throw new Error(`unknown notification kind ${String(kind)}`);
      const idempotencyKey = options.idempotencyKey ?? randomUUID();
      if (idempotencyKey.length > 64) throw new Error('idempotency key longer than 64 characters');
      await queries.insertEntry(trx, {
        idempotency_key: idempotencyKey, citizen_id: citizenId, kind, params: checkParams(params),
        ...(options.removedAddressSealed ? { removed_address_sealed: options.removedAddressSealed } : {}),
      });
    },
  };
}
