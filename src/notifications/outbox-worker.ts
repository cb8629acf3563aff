// Delivers the outbox. Each round claims the due entries (a lease, so a worker that dies
// mid-delivery leaves its entries to the next), and for each one sends it on every channel the
// citizen has a confirmed address for and that has not been done yet, recording each channel as
// it succeeds. A failed channel retries the entry after an exponential back-off
// (base × 2^(attempt−1), capped); after `maxAttempts` the entry is given up and logged.
// An entry whose citizen has no confirmed address is done: the site's notices show it anyway.
// A contact_removed entry also goes once to the address removed (`removedAddress`), recorded as
// its own slot ("email.removed") so a retry never sends it twice either.
import type { Logger } from 'pino';
import type { OutboxQueries, OutboxRow } from '../queries/notification-outbox.js';
import { matchLocale, DEFAULT_LOCALE } from '../web/i18n.js';
import { renderNotice } from './messages.js';
import type { ChannelName, NotificationChannel } from './port.js';
import { createPollingLoop, nextAttemptIn } from '../outbox/polling-loop.js';

export { backoffSeconds } from '../outbox/polling-loop.js';

export type ConfirmedContact = { channel: ChannelName; address: string; locale: string };

export type OutboxWorkerOptions = {
  queries: Pick<OutboxQueries, 'claimDue' | 'markChannelDelivered' | 'markSent' | 'markAttemptFailed'>;
  channels: NotificationChannel[];
  confirmedContacts: (citizenId: string) => Promise<ConfirmedContact[]>;
  /** The removed address an entry carries (sealed in the row), if any. */
  removedAddress?: (entry: OutboxRow) => ConfirmedContact | undefined;
  logger: Pick<Logger, 'warn' | 'error'>;
  retry: { baseSeconds: number; maxSeconds: number; maxAttempts: number; leaseSeconds: number };
  batchSize?: number;
  onDelivered?: (channel: ChannelName, kind: string) => void;
  /** After an entry is done with, delivered or given up (the cancellation notice's clean-up). */
  afterEntry?: (entry: OutboxRow) => Promise<void>;
};

export function createOutboxWorker(options: OutboxWorkerOptions) {
  const { queries, channels, retry, logger } = options;

  async function deliver(entry: OutboxRow): Promise<void> {
    const removed = options.removedAddress?.(entry);
    const recipients = [
      ...(await options.confirmedContacts(entry.citizen_id)).map((contact) => ({ contact, slot: contact.channel as string })),
      ...(removed ? [{ contact: removed, slot: `${removed.channel}.removed` }] : []),
    ];
    const failures: string[] = [];
    for (const { contact, slot } of recipients) {
      const channel = channels.find((c) => c.name === contact.channel);
      if (!channel || entry.delivered_channels.includes(slot)) continue;
      const locale = matchLocale(contact.locale) ?? DEFAULT_LOCALE;
      try {
        await channel.send({ idempotencyKey: `${entry.idempotency_key}.${slot}`, to: contact.address, locale, ...renderNotice(entry.kind, entry.params, locale, entry.created_at) });
        await queries.markChannelDelivered(entry.id, slot);
        options.onDelivered?.(channel.name, entry.kind);
      } catch (error) {
        // The reason without the address: error texts from mail servers may quote the recipient.
        failures.push(`${slot}: ${((error as NodeJS.ErrnoException).code ?? (error as Error).name)}`);
      }
    }
    if (failures.length === 0) {
      await queries.markSent(entry.id);
      return options.afterEntry?.(entry);
    }
    const retryIn = nextAttemptIn(entry.attempts, retry);
    const reason = failures.join('; ').slice(0, 200);
    (retryIn === undefined ? logger.error : logger.warn).call(logger, { outbox_id: entry.id, kind: entry.kind, attempt: entry.attempts, reason }, retryIn === undefined ? 'notification given up' : 'notification delivery failed; will retry');
    await queries.markAttemptFailed(entry.id, reason, retryIn);
    if (retryIn === undefined) await options.afterEntry?.(entry);
  }

  /** One round: claims what is due and delivers it; the number of entries handled. */
  async function runOnce(): Promise<number> {
    const due = await queries.claimDue(options.batchSize ?? 20, retry.leaseSeconds);
    for (const entry of due) await deliver(entry);
    return due.length;
  }

  return { runOnce, ...createPollingLoop(runOnce, logger, 'outbox') };
}
