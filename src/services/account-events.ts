// One account event, one transaction (issue 8, "a durable outbox"): the change to the account,
// its audit entry and the notice that tells the citizen commit together or not at all — a
// password is never changed without the entry and the email, and no email tells of a change
// that did not happen. Every service that changes what protects an account goes through `run`:
//
//   await events.run(async ({ trx, record }) => {
//     await queries.updateCitizenPasswordHash(citizen.id, hash, true, trx);
//     await record({ type: 'account.password_changed', citizenId: citizen.id, actor: 'citizen' });
//   });
//
// Inside the work:
// - every database write goes through `trx`. On the embedded store (PGlite) the pool holds one
//   connection, so a query outside it would wait for the transaction that waits for it;
// - nothing outside PostgreSQL: Redis, password hashing, identity decryption (which audits
//   through its own write) happen before. Effects outside that only take access away (ending
//   sessions, revoking grants) run before the transaction too, so a failed commit leaves the
//   account no less safe than before, and the citizen's retry does the rest.
import type { Knex } from 'knex';
import type { AuditEvent } from './audit-events.js';
import { NOTICE_FOR_EVENT } from '../notifications/audit-notices.js';
import type { NotificationKind, NotificationParams } from '../notifications/kinds.js';
import type { Notify, NotifyOptions } from '../notifications/notifier.js';

/**
 * Which notice an event writes: by default the one NOTICE_FOR_EVENT names (with `at` = now);
 * `{ kind?, params?, options? }` to choose another, add parameters or pass notify's options; `null` for none.
 */
export type NoticeChoice = { kind?: NotificationKind; params?: NotificationParams; options?: NotifyOptions } | null;

export type EventWork = {
  /** The transaction every write of the change goes through. */
  trx: Knex.Transaction;
  /** The event's audit entry and its notice, in this transaction. */
  record(event: AuditEvent, notice?: NoticeChoice): Promise<void>;
  /** A notice that is not one event's own (recovery codes running low). */
  notify(citizenId: string, kind: NotificationKind, params?: NotificationParams): Promise<void>;
};

export type AccountEvents = { run<T>(work: (unit: EventWork) => Promise<T>): Promise<T> };

type Dependencies = {
  knex: Knex;
  audit: { record(event: AuditEvent, options: { trx: Knex.Transaction }): Promise<void> };
  notify: Notify;
  now?: () => Date;
};

export function createAccountEvents({ knex, audit, notify, now = () => new Date() }: Dependencies): AccountEvents {
  return {
    run: (work) => knex.transaction((trx) => work({
      trx,
      async record(event, notice) {
        await audit.record(event, { trx });
        const kind = notice === null ? undefined : notice?.kind ?? NOTICE_FOR_EVENT[event.type];
        if (kind && event.citizenId) await notify(trx, event.citizenId, kind, { at: now().toISOString(), ...notice?.params }, notice?.options);
      },
      notify: (citizenId, kind, params) => notify(trx, citizenId, kind, { at: now().toISOString(), ...params }),
    })),
  };
}
